// The aggregated, render-ready picture of the stats: totals, per rule, per threat, per port,
// per worker, per device. Built by the aggregator from worker snapshots; immutable once built.
// Thread-safety: a value type; share it as const (e.g. std::shared_ptr<const StatsView>).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "observe/summary.hpp"
#include "stats/counters.hpp"
#include "stats/rates.hpp"
#include "stats/worker_stats.hpp"

namespace pktsieve {

struct RuleStat {
    uint32_t gid = 1, sid = 0, rev = 0;
    std::string msg;
    std::string threat;  // empty: no threat metadata
    uint32_t slot = 0;   // where workers count it (stable per gid:sid across reloads)
    uint64_t hits = 0, alerts = 0;
};

// The running rule set and the reloads that led to it.
struct RulesetStat {
    size_t groups = 0, db_bytes = 0, skipped = 0, failed = 0;
    uint64_t generation = 0;
    std::string hash;
    double compile_seconds = 0;
    uint64_t reloads = 0, reload_failures = 0;
    std::string last_error;  // of the last failed reload
    bool last_reload_failed = false;
};

struct WorkerStat {
    unsigned lcore = 0;
    Counters counters;
};

// What the NIC/PMD says about a port (rte_eth_stats), so drops before us are visible too.
struct DeviceStat {
    uint16_t port = 0;
    std::string name;
    uint64_t ipackets = 0, ibytes = 0, imissed = 0, ierrors = 0, rx_nombuf = 0;
};

// The RX lcore of software distribution.
struct DistributorStat {
    unsigned lcore = 0;
    uint64_t packets = 0;          // frames read and handed to workers
    uint64_t ring_full_waits = 0;  // times a worker ring was full and the RX lcore waited
};

// The packet buffer pool: its mbufs, and how many are out of it now (in NIC rings, worker rings,
// being classified). In the final stats, read after the ports stopped: every mbuf must be back
// (in_use 0), or one leaked.
struct PoolStat {
    uint64_t mbufs = 0, in_use = 0;
};

// Sensor observations since start (lib/observe), and the interval records written.
struct ObservationStat {
    std::string sensor;
    uint64_t interval_s = 0;
    uint64_t records = 0;      // interval records written to the EVE log
    uint64_t late_pieces = 0;  // pieces for an interval already written (in the totals only)
    std::shared_ptr<const ObservationSummary> totals;  // null before anything was observed
    // Accesses since start to the watched ports (--metrics-watch-ports), by port_key.
    std::vector<std::pair<uint32_t, uint64_t>> watched;
};

// The rule's threat, "unclassified" for a rule without one.
std::string threat_name(const RuleStat& r);

struct StatsView {
    Counters total;
    std::vector<std::string> threats;  // every threat the rule set names, alerting or not
    std::vector<RuleStat> rules;       // in rule-file order
    std::map<uint16_t, uint64_t> port_alerts;
    // Per destination port and threat ("unclassified": rules without one); the same alerts.
    std::map<std::pair<uint16_t, std::string>, uint64_t> port_threat_alerts;
    std::vector<WorkerStat> workers;
    std::vector<DeviceStat> devices;
    std::string distribution;  // "queues" or "software", with the reason it was chosen
    std::vector<DistributorStat> distributors;
    PoolStat pool;
    std::array<Rate, kRateWindows.size()> rates{};
    uint64_t generation = 0;  // increases with every publish
    uint64_t tsc_hz = 0;      // for cycles per packet
    RulesetStat ruleset;
    ObservationStat observations;
    double elapsed_s = 0;

    // Adds one worker's snapshot (`rules` set first: alerts per port are attributed to threats
    // through the rules' slots; those of a rule no longer in the set count per port only).
    void add(const WorkerSnapshot& s);
    // Alerts per threat name, including zeroes; rules without a threat under "unclassified".
    std::map<std::string, uint64_t> threat_alerts() const;

  private:
    // rules' index + 1 by counter slot (0: no rule there), built by the first add(): the rules
    // are set before it and stay.
    std::vector<uint32_t> rule_at_slot_;
};

}  // namespace pktsieve
