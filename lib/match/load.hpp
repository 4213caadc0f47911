// Rule files + variables -> a compiled Ruleset, with every error as `file:line: reason`.
// Thread-safety: pure functions; compiling is slow, so callers keep it off the workers.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "match/ruleset.hpp"
#include "rules/vars.hpp"

namespace pktsieve {

struct RulesetLoad {
    std::unique_ptr<Ruleset> ruleset;  // null when errors is non-empty
    std::vector<RuleError> errors;
    double compile_seconds = 0;
};

// All files are parsed (every error collected) before anything is compiled; one bad file
// rejects the whole set.
RulesetLoad load_ruleset(const std::vector<std::string>& files, const Vars& vars, unsigned workers,
                         TcpMatching tcp = TcpMatching::stream);

// `--check-rules`: prints what loaded (or every error) to `out`; returns the exit code.
int check_rules(const std::string& file, const Vars& vars, std::ostream& out);

}  // namespace pktsieve
