// Live rule reload. A reload compiles the new set (with one Hyperscan scratch per worker) on
// the calling thread - the telemetry thread for `pktsieve-ctl reload`, the main lcore for
// SIGHUP - never on a worker or the aggregator; publishes it with one pointer store; waits on
// an rte_rcu_qsbr grace period (workers report quiescence after every burst) and then drops
// its reference to the old set. The aggregator keeps the last few sets to render alerts that
// were raised under them, so the old set is freed when the aggregator lets go of it too.
// A rule that fails to parse or compile is left out and reported, the rest swaps in; a set
// that cannot load at all (an unreadable file, every rule failed, --strict) is rejected and
// the running set stays.
//
// Thread-safety: reload() may be called from any thread (reloads are serialised); workers read
// current_rules() lock-free; current() takes a lock (the aggregator polls generation() first).
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "match/load.hpp"
#include "rules/vars.hpp"

namespace pktsieve {

struct ReloadResult {
    bool ok = false;
    uint64_t generation = 0;        // of the set running after the call
    std::vector<RuleError> errors;  // why the set was rejected (empty when ok)
    std::vector<RuleError> failed;  // rules that failed to parse or compile, left out
    std::vector<RuleError> skipped;
    size_t loaded = 0;
    double compile_seconds = 0, grace_seconds = 0;
    size_t cached = 0;          // databases read from the rule cache
    std::string cache_problem;  // why the rule cache was not used ("" when it was or is off)
};

struct ReloadStatus {
    uint64_t reloads = 0, failures = 0;
    std::string last_error;           // first error of the last failed reload
    bool last_reload_failed = false;  // the latest reload was rejected (the older set runs)
};

// A rule set compiled and the seconds it took; a Hyperscan allocation failure is an error in
// it, not an exception. Needs no EAL: the set of a start compiles while the EAL initialises.
struct CompiledSet {
    RulesetLoad load;
    double seconds = 0;
};
CompiledSet compile_set(const std::vector<std::string>& files, const Vars& vars,
                        const LoadOptions& opts);

class RuleReloader {
  public:
    RuleReloader(std::vector<std::string> files, Vars vars, LoadOptions opts);
    ~RuleReloader();
    RuleReloader(const RuleReloader&) = delete;
    RuleReloader& operator=(const RuleReloader&) = delete;

    // The set loaded at start (generation 1), which compile_set made beforehand with these
    // files, variables and options but any worker count: scratch for this reloader's workers
    // is added here. Throws std::runtime_error listing every error.
    ReloadResult load_initial(CompiledSet compiled);
    // Replaces the running set with `files` (empty: the files of the running set).
    ReloadResult reload(const std::vector<std::string>& files = {});

    // Workers: register as reader `index` of this QSBR variable (created for `workers`).
    rte_rcu_qsbr* qsbr() const { return qsv_; }
    const std::atomic<const Ruleset*>& current_rules() const { return current_raw_; }
    std::shared_ptr<const Ruleset> current() const;
    uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
    ReloadStatus status() const;
    // The files of the running set.
    std::vector<std::string> files() const;

  private:
    ReloadResult load(const std::vector<std::string>& files);
    ReloadResult adopt(CompiledSet compiled);

    std::vector<std::string> files_;
    const Vars vars_;
    const LoadOptions opts_;
    rte_rcu_qsbr* qsv_ = nullptr;
    std::mutex reload_mu_;           // one reload at a time
    mutable std::mutex current_mu_;  // guards current_ and status_
    std::shared_ptr<const Ruleset> current_;
    std::atomic<const Ruleset*> current_raw_{nullptr};
    std::atomic<uint64_t> generation_{0};
    SlotRegistry slots_;
    ReloadStatus status_;
};

}  // namespace pktsieve
