// The aggregator lcore: drains every worker's snapshot and alert rings, writes the EVE log, and
// publishes an immutable StatsView (totals, per worker, per rule/threat/port, rates, devices)
// at a fixed interval and once more after every worker is done.
// Thread-safety: one lcore runs an Aggregator. Readers use the StatsPublisher; nobody reads a
// worker's live counters.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/worker.hpp"
#include "stats/published.hpp"
#include "stats/rates.hpp"
#include "stats/view.hpp"

namespace pktsieve {

class Aggregator {
  public:
    // `enrich` adds what lives outside the workers (devices, distributor, mode) to each view.
    // `eve_path` empty: alerts are counted but not logged.
    Aggregator(const Ruleset& rules, std::vector<WorkerContext*> workers,
               const std::string& eve_path, StatsPublisher& publisher,
               std::function<void(StatsView&)> enrich, uint64_t publish_cycles);
    ~Aggregator();
    Aggregator(const Aggregator&) = delete;
    Aggregator& operator=(const Aggregator&) = delete;

    // Runs until every worker is done, then drains and publishes the final view.
    void run();
    // rte_eal_remote_launch entry point; arg is an Aggregator*.
    static int lcore_main(void* arg);
    bool eve_failed() const { return eve_failed_; }

  private:
    unsigned drain();
    unsigned drain_worker(size_t i);
    void publish();

    const Ruleset& rules_;
    std::vector<WorkerContext*> workers_;
    std::vector<WorkerSnapshot*> latest_;
    std::vector<RuleStat> rule_stats_;  // per rule identity with zero counts, built once
    StatsPublisher& publisher_;
    std::function<void(StatsView&)> enrich_;
    uint64_t publish_cycles_;
    uint64_t start_tsc_;
    uint64_t generation_ = 0;
    RateWindows rates_;
    std::FILE* eve_ = nullptr;
    bool eve_failed_ = false;
};

}  // namespace pktsieve
