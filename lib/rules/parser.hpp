// Suricata-syntax rule text -> Rule model. Supported subset: see docs/rules.md.
// Thread-safety: pure functions over their arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/error.hpp"
#include "rules/rule.hpp"
#include "rules/vars.hpp"

namespace pktsieve {

// Parses one rule (without file/line). Throws SyntaxError with the reason.
Rule parse_rule(std::string_view text, const Vars& vars);

struct RuleLoad {
    std::vector<Rule> rules;
    std::vector<RuleError> errors;   // non-empty means the whole file is rejected
    std::vector<RuleError> skipped;  // well-formed rules using what pktsieve does not support
    bool ok() const { return errors.empty(); }
};

// Text of a whole file: '#' comments, blank lines, and '\' line continuations. Every error is
// reported, not only the first. Duplicate sids are checked by load_ruleset (across files).
RuleLoad parse_rules(std::string_view text, const std::string& file, const Vars& vars);
// Reads the file; an unreadable file is one error at line 0.
RuleLoad load_rules(const std::string& path, const Vars& vars);

}  // namespace pktsieve
