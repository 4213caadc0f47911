// Everything one worker counts: fixed counters, per-rule hits/alerts, per-destination-port
// alerts; and the snapshot a worker publishes of it.
//
// Thread-safety: WorkerStats has one writer, its worker. A WorkerSnapshot is filled by the
// worker, then handed over (through a ring) and read only by the aggregator until handed back.
#pragma once

#include <cstdint>
#include <vector>

#include "stats/counters.hpp"

namespace pktsieve {

struct RuleCount {
    uint64_t hits = 0;    // every match that passed the header checks
    uint64_t alerts = 0;  // alerts raised (later: one per flow and rule)
};

// Alerts at one destination port raised by one rule (its counter slot, RuleStat::slot), so the
// aggregator can sum them per port and per (port, threat) with the rules' own totals.
struct PortCount {
    uint16_t port = 0;
    uint32_t slot = 0;
    uint64_t alerts = 0;
    bool operator==(const PortCount&) const = default;
};

// Alerts per (destination port, rule), kept compact (only pairs that alerted) so that
// publishing a snapshot copies a few entries, not 64 Ki: a port's entries form a chain from
// head_[port], usually one or two long.
class PortAlerts {
  public:
    PortAlerts() : head_(65536, kEnd) {
        entries_.reserve(1024);
        next_.reserve(1024);
    }
    void add(uint16_t port, uint32_t slot, uint64_t n = 1) {
        uint32_t i = head_[port];
        while (i != kEnd && entries_[i].slot != slot) i = next_[i];
        if (i == kEnd) {  // a new pair: may grow past the reserve, once per pair
            i = static_cast<uint32_t>(entries_.size());
            entries_.push_back({port, slot, 0});
            next_.push_back(head_[port]);
            head_[port] = i;
        }
        entries_[i].alerts += n;
    }
    const std::vector<PortCount>& entries() const { return entries_; }

  private:
    static constexpr uint32_t kEnd = UINT32_MAX;
    std::vector<uint32_t> head_;  // port -> its newest entry
    std::vector<PortCount> entries_;
    std::vector<uint32_t> next_;  // entry -> the port's previous entry
};

struct WorkerSnapshot {
    unsigned lcore = 0;
    Counters counters;
    std::vector<RuleCount> rules;
    std::vector<PortCount> ports;
    uint64_t packet_time_us = 0;  // the latest packet time the worker saw
};

struct alignas(64) WorkerStats {
    Counters counters;
    std::vector<RuleCount> rules;
    PortAlerts ports;
    uint64_t packet_time_us = 0;

    explicit WorkerStats(size_t nrules = 0) : rules(nrules) {}
    // Copies the cumulative totals; reuses `out`'s capacity, so it allocates only on growth.
    void snapshot_to(WorkerSnapshot& out) const {
        out.counters = counters;
        out.rules.assign(rules.begin(), rules.end());
        out.ports.assign(ports.entries().begin(), ports.entries().end());
        out.packet_time_us = packet_time_us;
    }
};

}  // namespace pktsieve
