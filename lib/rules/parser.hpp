// Suricata-syntax rule text -> Rule model. Supported subset: see docs/rules.md.
// Thread-safety: pure functions over their arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/classification.hpp"
#include "rules/error.hpp"
#include "rules/rule.hpp"
#include "rules/vars.hpp"

namespace pktsieve {

// Parses one rule (without file/line). Throws SyntaxError with the reason (Unsupported for what
// pktsieve does not implement).
Rule parse_rule(std::string_view text, const Vars& vars,
                const Classifications& classes = Classifications::builtin());

struct RuleLoad {
    std::vector<Rule> rules;
    std::vector<RuleError> failed;   // rules that are wrong: each reported, only it is lost
    std::vector<RuleError> skipped;  // well-formed rules using what pktsieve does not support
    bool readable = true;            // false: the file could not be read (failed says why)
};

// Text of a whole file: '#' comments, blank lines, and '\' line continuations. Every failure is
// reported, not only the first. Duplicate sids are checked by load_ruleset (across files).
RuleLoad parse_rules(std::string_view text, const std::string& file, const Vars& vars,
                     const Classifications& classes = Classifications::builtin());
// Reads the file; an unreadable file is one failure at line 0 and readable = false.
RuleLoad load_rules(const std::string& path, const Vars& vars,
                    const Classifications& classes = Classifications::builtin());

}  // namespace pktsieve
