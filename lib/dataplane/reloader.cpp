#include "dataplane/reloader.hpp"

#include <malloc.h>
#include <rte_malloc.h>

#include <chrono>
#include <stdexcept>

namespace pktsieve {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A set rejected whole: `what` failed (e.g. Hyperscan could not allocate scratch).
void reject(RulesetLoad& l, const std::vector<std::string>& files, const char* what) {
    l = RulesetLoad{};
    l.errors.push_back({files.empty() ? "" : files.front(), 0, what});
}

}  // namespace

CompiledSet compile_set(const std::vector<std::string>& files, const Vars& vars,
                        const LoadOptions& opts) {
    CompiledSet c;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        c.load = load_ruleset(files, vars, opts);
    } catch (const std::exception& e) {  // the running set stays
        reject(c.load, files, e.what());
    }
    c.seconds = seconds_since(t0);
    return c;
}

RuleReloader::RuleReloader(std::vector<std::string> files, Vars vars, LoadOptions opts)
    : files_(std::move(files)), vars_(std::move(vars)), opts_(std::move(opts)) {
    const unsigned workers = opts_.workers;
    const size_t size = rte_rcu_qsbr_get_memsize(workers);
    qsv_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("pktsieve_qsbr", size, RTE_CACHE_LINE_SIZE));
    if (!qsv_ || rte_rcu_qsbr_init(qsv_, workers) != 0)
        throw std::runtime_error("cannot create the RCU QSBR variable");
}

RuleReloader::~RuleReloader() {
    std::lock_guard lock(reload_mu_);  // an in-flight reload (telemetry thread) ends first
    rte_free(qsv_);
}

ReloadResult RuleReloader::load_initial(CompiledSet compiled) {
    std::lock_guard lock(reload_mu_);
    if (compiled.load.ruleset) {
        try {
            compiled.load.ruleset->add_scratch(opts_.workers);
        } catch (const std::exception& e) {
            reject(compiled.load, files_, e.what());
        }
    }
    ReloadResult r = adopt(std::move(compiled));
    if (!r.ok) {
        std::string msg;
        for (const auto& e : r.errors) msg += (msg.empty() ? "" : "\n") + e.str();
        throw std::runtime_error(msg);
    }
    return r;
}

ReloadResult RuleReloader::reload(const std::vector<std::string>& files) {
    std::lock_guard lock(reload_mu_);
    ReloadResult r = load(files.empty() ? files_ : files);
    malloc_trim(0);  // the compile's temporaries (hundreds of MB for ET Open) back to the system
    std::lock_guard state(current_mu_);
    if (r.ok) {
        ++status_.reloads;
        status_.last_reload_failed = false;
        if (!files.empty()) files_ = files;
    } else {
        ++status_.failures;
        status_.last_reload_failed = true;
        status_.last_error = r.errors.empty() ? "" : r.errors.front().str();
    }
    return r;
}

ReloadResult RuleReloader::load(const std::vector<std::string>& files) {
    return adopt(compile_set(files, vars_, opts_));
}

// Publishes a compiled set (or reports why it was rejected). Caller holds reload_mu_.
ReloadResult RuleReloader::adopt(CompiledSet compiled) {
    ReloadResult r;
    RulesetLoad& l = compiled.load;
    r.compile_seconds = compiled.seconds;
    r.errors = std::move(l.errors);
    r.failed = l.failed;
    r.skipped = l.skipped;
    r.cached = l.profile.cached;
    r.cache_problem = l.cache_problem;
    r.generation = generation();
    if (!l.ruleset) return r;
    slots_.assign(*l.ruleset);
    l.ruleset->info = {r.generation + 1, hash_files(l.files), l.skipped.size(), l.failed.size(),
                       r.compile_seconds};
    r.loaded = l.ruleset->rules().size();
    std::shared_ptr<const Ruleset> next(std::move(l.ruleset));
    std::shared_ptr<const Ruleset> old;
    {
        std::lock_guard state(current_mu_);
        old = std::exchange(current_, next);
        current_raw_.store(next.get(), std::memory_order_release);
        generation_.store(next->info.generation, std::memory_order_release);
    }
    // After the grace period no worker uses the old set; the aggregator may still hold it.
    const auto t1 = std::chrono::steady_clock::now();
    rte_rcu_qsbr_synchronize(qsv_, RTE_QSBR_THRID_INVALID);
    r.grace_seconds = seconds_since(t1);
    old.reset();
    r.ok = true;
    r.generation = next->info.generation;
    return r;
}

std::shared_ptr<const Ruleset> RuleReloader::current() const {
    std::lock_guard state(current_mu_);
    return current_;
}

std::vector<std::string> RuleReloader::files() const {
    std::lock_guard state(current_mu_);
    return files_;
}

ReloadStatus RuleReloader::status() const {
    std::lock_guard state(current_mu_);
    return status_;
}

}  // namespace pktsieve
