// Rule files + variables -> a compiled Ruleset, with every error as `file:line: reason`.
// Thread-safety: pure functions; compiling is slow, so callers keep it off the workers.
#pragma once

#include <map>
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
    std::vector<RuleError> skipped;  // rules left out: what they use is not supported
    double compile_seconds = 0;
};

// All files are parsed (every error collected) before anything is compiled; one bad file
// rejects the whole set. A rule using something unsupported (a keyword, protocol, action, pcre
// flag or a regex construct Hyperscan lacks) is skipped, or with `strict` is an error.
RulesetLoad load_ruleset(const std::vector<std::string>& files, const Vars& vars, unsigned workers,
                         TcpMatching tcp = TcpMatching::stream, bool strict = false);

// `--check-rules`: prints what loaded and what was skipped by reason (or every error) to
// `out`; returns the exit code.
int check_rules(const std::vector<std::string>& files, const Vars& vars, bool strict,
                std::ostream& out);

// Stable counter slots per (gid, sid) across reloads: rules seen before keep their slot, new
// ones get the next free slot. Not thread-safe: one reloader owns the registry.
class SlotRegistry {
  public:
    void assign(Ruleset& rs);
    uint32_t size() const { return static_cast<uint32_t>(slots_.size()); }

  private:
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> slots_;
};

// FNV-1a 64 over the files' bytes in order, as 16 hex digits ("" if one cannot be read).
std::string hash_files(const std::vector<std::string>& files);

// Skipped rules counted by reason, the quoted name kept ("unsupported keyword 'x'").
std::map<std::string, size_t> skip_reasons(const std::vector<RuleError>& skipped);

}  // namespace pktsieve
