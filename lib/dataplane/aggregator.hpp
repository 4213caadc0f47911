// The aggregator lcore: drains every worker's snapshot and alert rings, writes the EVE log, and
// publishes an immutable StatsView (totals, per worker, per rule/threat/port, rates, devices)
// at a fixed interval and once more after every worker is done.
// Thread-safety: one lcore runs an Aggregator. Readers use the StatsPublisher; nobody reads a
// worker's live counters.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dataplane/reloader.hpp"
#include "dataplane/worker.hpp"
#include "observe/book.hpp"
#include "output/eve_alert_writer.hpp"
#include "stats/published.hpp"
#include "stats/rates.hpp"
#include "stats/view.hpp"

namespace pktsieve {

// What the aggregator needs for observations (lib/observe).
struct ObservationSettings {
    std::string sensor;  // --sensor-name
    uint64_t interval_us = 3600ull * 1000000;
    size_t ports = 1000;          // listed per record (0: all)
    size_t total_ports = 20;      // at least, in the totals since start (heaviest first)
    std::vector<uint32_t> watch;  // port_keys whose totals are always published
    // The latest packet time any worker saw: written here, read by idle workers (packet time).
    std::atomic<uint64_t>* packet_clock = nullptr;
};

class Aggregator {
  public:
    // `enrich` adds what lives outside the workers (devices, distributor, mode) to each view.
    // `eve_path` empty: alerts are counted but not logged. `stop_all` is set when the
    // aggregator fails (the daemon then stops).
    Aggregator(const RuleReloader& rules, std::vector<WorkerContext*> workers,
               const std::string& eve_path, StatsPublisher& publisher,
               std::function<void(StatsView&)> enrich, uint64_t publish_cycles,
               std::atomic<bool>& stop_all, ObservationSettings observe = {});
    ~Aggregator();
    Aggregator(const Aggregator&) = delete;
    Aggregator& operator=(const Aggregator&) = delete;

    // Runs until every worker is done, then drains and publishes the final view.
    void run();
    // rte_eal_remote_launch entry point; arg is an Aggregator*. An exception in run() is
    // reported, stops the daemon and leaves the workers' rings drained until they end.
    static int lcore_main(void* arg);
    bool eve_failed() const { return eve_failed_; }
    // run() ended on an exception (reported on stderr); read after finished().
    bool failed() const { return failed_; }
    // Set once run() has published the final view.
    bool finished() const { return finished_.load(std::memory_order_acquire); }
    // finished(), after waiting for it at most `most` (woken as it is set: the main lcore
    // waits here between its chores, and a run's end is not delayed by the wait).
    bool wait_finished(std::chrono::milliseconds most);

  private:
    unsigned drain();
    void mark_finished();
    unsigned drain_worker(size_t i);
    void write_alert(const AlertRecord& a, unsigned lcore);
    void flush_alerts();
    unsigned take_pieces(size_t i);
    // Writes the interval records the book has complete (every one, with `all`: the end).
    void write_observations(bool all);
    void write_line(const std::string& line);
    // SIGUSR1 (logrotate's postrotate): the EVE log closed and opened again at its path. The
    // aggregator is the log's only writer, so every line lands in the old or the new file, once.
    void reopen_eve_if_asked();
    void refresh_rules();
    void publish();
    void discard_until_workers_done() noexcept;

    // Superseded sets are kept to render alerts raised under them: alerts travel through rings
    // for at most a few milliseconds, so a set is let go kKeepSupersededMs after a newer one
    // took over (and never more than kRecentSets are kept). Keeping them longer held every
    // recent set in memory: with ET Open, ~60 MB each (scripts/soak grew by 470 MiB).
    static constexpr size_t kRecentSets = 8;
    static constexpr uint64_t kKeepSupersededMs = 2000;
    void release_superseded();
    struct RecentSet {
        std::shared_ptr<const Ruleset> set;
        uint64_t superseded_tsc = 0;         // 0: the running set
        std::vector<std::string> rule_json;  // per rule, rendered at its first alert
    };
    const RuleReloader& reloader_;
    std::shared_ptr<const Ruleset> rules_;
    std::deque<RecentSet> recent_;
    uint64_t unrendered_ = 0;  // alerts of a set no longer kept: counted, not logged
    std::vector<WorkerContext*> workers_;
    std::vector<WorkerSnapshot*> latest_;
    std::vector<RuleStat> rule_stats_;  // per rule identity with zero counts, built per set
    StatsPublisher& publisher_;
    std::function<void(StatsView&)> enrich_;
    uint64_t publish_cycles_;
    uint64_t start_tsc_;
    uint64_t generation_ = 0;
    RateWindows rates_;
    ObservationSettings observe_;
    ObservationBook book_;
    uint64_t records_ = 0;
    uint64_t packet_clock_ = 0;
    uint64_t summary_version_ = UINT64_MAX;
    std::shared_ptr<const ObservationSummary> summary_;
    std::string eve_path_;
    std::FILE* eve_ = nullptr;
    EveAlertWriter eve_writer_;
    fmt::memory_buffer eve_buf_;  // a batch's alert lines
    bool eve_failed_ = false;
    bool failed_ = false;
    std::atomic<bool>& stop_all_;
    std::atomic<bool> finished_{false};
    std::mutex finished_mu_;  // with finished_cv_: wait_finished's wake-up
    std::condition_variable finished_cv_;
};

}  // namespace pktsieve
