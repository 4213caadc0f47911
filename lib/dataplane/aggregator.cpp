#include "dataplane/aggregator.hpp"

#include <rte_cycles.h>

#include <stdexcept>

#include "output/eve.hpp"

namespace pktsieve {

Aggregator::Aggregator(const Ruleset& rules, std::vector<WorkerContext*> workers,
                       const std::string& eve_path)
    : rules_(rules), workers_(std::move(workers)), latest_(workers_.size(), nullptr) {
    if (!eve_path.empty()) {
        eve_ = std::fopen(eve_path.c_str(), "w");
        if (!eve_) throw std::runtime_error("cannot open EVE file '" + eve_path + "'");
        std::setvbuf(eve_, nullptr, _IOFBF, 1 << 20);
    }
}

Aggregator::~Aggregator() {
    if (eve_ && std::fclose(eve_) != 0) eve_failed_ = true;
}

unsigned Aggregator::drain_worker(size_t i) {
    WorkerContext& w = *workers_[i];
    unsigned taken = 0;
    void* p = nullptr;
    while (rte_ring_sc_dequeue(w.snap_full, &p) == 0) {
        // Snapshots are cumulative: keep the newest, hand the older buffer back to the worker.
        if (latest_[i]) rte_ring_enqueue(w.snap_free, latest_[i]);
        latest_[i] = static_cast<WorkerSnapshot*>(p);
        ++taken;
    }
    AlertRecord batch[256];
    unsigned n = 0;
    while ((n = rte_ring_sc_dequeue_burst_elem(w.alert_ring, batch, sizeof(AlertRecord), 256,
                                               nullptr)) > 0) {
        taken += n;
        if (!eve_) continue;
        for (unsigned k = 0; k < n; ++k) {
            const std::string line = eve_alert(batch[k], rules_.rules()[batch[k].rule]);
            if (std::fwrite(line.data(), 1, line.size(), eve_) != line.size()) eve_failed_ = true;
            ++eve_lines_;
        }
    }
    return taken;
}

unsigned Aggregator::drain() {
    unsigned taken = 0;
    for (size_t i = 0; i < workers_.size(); ++i) taken += drain_worker(i);
    return taken;
}

void Aggregator::run_until_workers_done(const std::function<void()>& tick) {
    for (;;) {
        bool all_done = true;
        for (auto* w : workers_) all_done = all_done && w->done.load(std::memory_order_acquire);
        // Workers publish their final totals before `done`; this drain sees them.
        const unsigned taken = drain();
        if (all_done) break;
        if (tick) tick();
        if (taken == 0) rte_delay_us_sleep(1000);
    }
    if (eve_ && std::fflush(eve_) != 0) eve_failed_ = true;
}

std::shared_ptr<const StatsView> Aggregator::view() const {
    auto v = std::make_shared<StatsView>();
    for (const auto& t : rules_.threats()) v->threats.push_back(t);
    for (const auto& r : rules_.rules())
        v->rules.push_back({r.gid, r.sid, r.rev, r.msg, r.threat, 0, 0});
    for (size_t i = 0; i < workers_.size(); ++i) {
        if (latest_[i]) {
            v->add(*latest_[i]);
        } else {
            v->workers.push_back({workers_[i]->lcore, {}});
        }
    }
    v->ruleset_groups = rules_.group_count();
    v->ruleset_db_bytes = rules_.database_bytes();
    return v;
}

}  // namespace pktsieve
