// Per-worker packet counters, described once as data. Every exporter (table, JSON, telemetry,
// Prometheus) walks kCounterInfo, so a counter added to the struct and the table shows up
// everywhere.
//
// Thread-safety: a Counters object has exactly one writer (its worker). Other threads only see
// copies the writer published (snapshots); they never read a live worker's Counters.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "packet/packet.hpp"

namespace pktsieve {

struct Counters {
    uint64_t rx_packets = 0;
    uint64_t rx_bytes = 0;
    uint64_t parsed = 0;
    uint64_t malformed = 0;
    uint64_t non_ip = 0;
    uint64_t ipv4 = 0;
    uint64_t ipv6 = 0;
    uint64_t tcp = 0;
    uint64_t udp = 0;
    uint64_t other_l4 = 0;
    uint64_t fragments = 0;
    uint64_t later_fragments = 0;
    uint64_t scanned_packets = 0;
    uint64_t scanned_bytes = 0;
    uint64_t alerts = 0;
    uint64_t alerts_unlogged = 0;
    uint64_t match_overflow = 0;
    uint64_t scan_errors = 0;
    uint64_t multi_segment = 0;
    uint64_t vlan_restored = 0;
    uint64_t flows_active = 0;
    uint64_t flows_created = 0;
    uint64_t flows_closed = 0;
    uint64_t flows_evicted = 0;
    uint64_t flows_timed_out = 0;
    uint64_t flow_memory_bytes = 0;
    uint64_t stream_restarts = 0;
    uint64_t stream_retransmitted_bytes = 0;
    uint64_t stream_alloc_failures = 0;
    uint64_t stream_window_exceeded = 0;
    uint64_t http_requests = 0;
    uint64_t http_truncated = 0;
    uint64_t http_no_buffer = 0;
    uint64_t http_anchored_scans = 0;
    uint64_t dns_queries = 0;
    uint64_t telnet_lines = 0;
    uint64_t telnet_no_buffer = 0;
    uint64_t observe_accesses = 0;
    uint64_t observe_handovers = 0;
    uint64_t observe_handover_waits = 0;
    uint64_t observe_memory_bytes = 0;
    uint64_t verify_candidates = 0;
    uint64_t verify_exhausted = 0;
    uint64_t alerts_suppressed = 0;
    uint64_t rate_replaced = 0;
    uint64_t dedup_replaced = 0;
    uint64_t reload_switches = 0;
    uint64_t reload_max_pause_us = 0;
    uint64_t reload_max_switch_us = 0;
    std::array<uint64_t, kMalformedReasons> malformed_by{};

    Counters& operator+=(const Counters& o);
    void count_malformed(Malformed m) {
        ++malformed;
        ++malformed_by[static_cast<size_t>(m) - 1];
    }
};

// gauge: a level, summed over workers; peak: a maximum, the largest over workers.
enum class CounterKind { counter, gauge, peak };

struct CounterInfo {
    std::string_view group;  // JSON object it belongs to
    std::string_view key;    // key inside the group
    std::string_view help;
    CounterKind kind;
    uint64_t Counters::*field;
};

inline constexpr size_t kScalarCounters = 49;
extern const std::array<CounterInfo, kScalarCounters> kCounterInfo;

// Ties the table to the struct: a field added without a table row breaks the build.
static_assert(sizeof(Counters) == (kScalarCounters + kMalformedReasons) * sizeof(uint64_t),
              "every Counters field needs a row in kCounterInfo");

}  // namespace pktsieve
