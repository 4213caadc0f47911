// Everything one worker counts: fixed counters, per-rule hits/alerts, per-destination-port
// alerts; and the snapshot a worker publishes of it.
//
// Thread-safety: WorkerStats has one writer, its worker. A WorkerSnapshot is filled by the
// worker, then handed over (through a ring) and read only by the aggregator until handed back.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "stats/counters.hpp"

namespace pktsieve {

struct RuleCount {
    uint64_t hits = 0;    // every match that passed the header checks
    uint64_t alerts = 0;  // alerts raised (later: one per flow and rule)
};

using PortCount = std::pair<uint16_t, uint64_t>;

// Alerts per destination port, kept compact (only ports that alerted) so that publishing a
// snapshot copies a few entries, not 64 Ki.
class PortAlerts {
  public:
    PortAlerts() : slot_(65536, kEmpty) { entries_.reserve(1024); }
    void add(uint16_t port, uint64_t n = 1) {
        uint32_t& s = slot_[port];
        if (s == kEmpty) {
            s = static_cast<uint32_t>(entries_.size());
            entries_.emplace_back(port, 0);  // may grow past the reserve: once per new port
        }
        entries_[s].second += n;
    }
    const std::vector<PortCount>& entries() const { return entries_; }

  private:
    static constexpr uint32_t kEmpty = UINT32_MAX;
    std::vector<uint32_t> slot_;
    std::vector<PortCount> entries_;
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
