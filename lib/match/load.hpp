// Rule files + variables -> a compiled Ruleset. One bad rule costs only itself: every rule that
// fails to parse or compile is reported as `file:line: reason` and the rest loads.
// Thread-safety: pure functions; compiling is slow, so callers keep it off the workers.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "match/ruleset.hpp"
#include "rules/classification.hpp"
#include "rules/vars.hpp"

namespace pktsieve {

struct LoadOptions {
    explicit LoadOptions(unsigned w = 1, TcpMatching t = TcpMatching::stream)
        : workers(w), tcp(t) {}
    unsigned workers = 1;
    TcpMatching tcp = TcpMatching::stream;
    // Any failed or skipped rule rejects the whole set.
    bool strict = false;
    // classification.config to read; empty: `classification.config` beside the first rules
    // file when there is one, else the built-in table.
    std::string classification_file;
    // Compiled databases kept here between runs (DbCache); empty: none.
    std::string rule_cache;
};

struct RulesetLoad {
    std::unique_ptr<Ruleset> ruleset;  // null when the set is rejected (errors says why)
    // Why the whole set is rejected: a file that cannot be read, no rule loaded while some
    // failed, or with `strict` every failure and skip.
    std::vector<RuleError> errors;
    std::vector<RuleError> failed;      // rules that failed to parse or compile, left out
    std::vector<RuleError> skipped;     // rules left out: what they use is not supported
    std::string classification_source;  // the classification.config read, or "built-in"
    std::vector<std::string> files;     // the rule files read (directories expanded)
    double compile_seconds = 0;
    CompileProfile profile;
    double parse_seconds = 0;
    std::string cache_problem;  // why the rule cache could not be used ("" when it was)
};

// All files are parsed (every failure collected), then the rules that parsed are compiled; a
// rule using something unsupported (a keyword, protocol, action, pcre flag or regex construct
// Hyperscan lacks) is skipped.
RulesetLoad load_ruleset(const std::vector<std::string>& files, const Vars& vars,
                         const LoadOptions& opts = LoadOptions());

// Rule paths as given, with each directory replaced by its `*.rules` files in name order (as a
// `suricata-update` output directory or /etc/suricata/rules holds them); a directory without
// any is an error, never a silently empty set.
std::vector<std::string> expand_rule_files(const std::vector<std::string>& paths,
                                           std::vector<RuleError>& errors);

// The classification.config load_ruleset reads for `files` (see LoadOptions); "" for built-in.
std::string classification_path(const std::vector<std::string>& files,
                                const std::string& explicit_file);

// `--check-rules`: prints what loaded, what failed and was skipped by reason, and the compile
// stages to `out`; returns the exit code: 0 when every rule loaded or was skipped, 1 when any
// failed (as `suricata -T`) or the set was rejected.
int check_rules(const std::vector<std::string>& files, const Vars& vars, const LoadOptions& opts,
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

// Rules counted by reason, the quoted name kept ("unsupported keyword 'x'"); reasons that
// differ only in a quoted pattern or value are one reason (see reason_class).
std::map<std::string, size_t> count_reasons(const std::vector<RuleError>& rules);

// A reason without its rule-specific detail: "unknown classtype 'x'" stays, "Hyperscan: ... at
// index 12" and "pattern rejected by Hyperscan: ..." lose what follows the first colon.
std::string reason_class(const std::string& reason);

}  // namespace pktsieve
