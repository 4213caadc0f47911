// The aggregator: runs on its own lcore (the main lcore), drains every worker's snapshot and
// alert rings, writes the EVE log, and builds immutable StatsViews for readers.
// Thread-safety: one thread owns an Aggregator. Readers get copies (std::shared_ptr<const
// StatsView>); nobody reads a worker's live counters.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/worker.hpp"
#include "stats/view.hpp"

namespace pktsieve {

class Aggregator {
  public:
    // `eve_path` empty: alerts are counted but not logged.
    Aggregator(const Ruleset& rules, std::vector<WorkerContext*> workers,
               const std::string& eve_path);
    ~Aggregator();
    Aggregator(const Aggregator&) = delete;
    Aggregator& operator=(const Aggregator&) = delete;

    // Drains until every worker is done, then once more; `tick` runs between drains.
    void run_until_workers_done(const std::function<void()>& tick);
    // Drains what is queued now. Returns the number of items taken.
    unsigned drain();
    // A view of the latest totals; devices and elapsed time are filled by the caller.
    std::shared_ptr<const StatsView> view() const;
    uint64_t eve_lines() const { return eve_lines_; }
    bool eve_failed() const { return eve_failed_; }

  private:
    unsigned drain_worker(size_t i);

    const Ruleset& rules_;
    std::vector<WorkerContext*> workers_;
    std::vector<WorkerSnapshot*> latest_;
    std::FILE* eve_ = nullptr;
    uint64_t eve_lines_ = 0;
    bool eve_failed_ = false;
};

}  // namespace pktsieve
