// A worker lcore: polls its RX queues in bursts, classifies, publishes counters and alerts.
// Thread-safety: a WorkerContext is written by its worker lcore only, except `done` (read by
// the aggregator) and the rings (SP/SC: worker produces snapshots and alerts, aggregator
// consumes them and returns snapshot buffers).
#pragma once

#include "time/rx_timestamp.hpp"

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "classify/pipeline.hpp"
#include "match/ruleset.hpp"
#include "stats/worker_stats.hpp"

namespace pktsieve {

inline constexpr unsigned kSnapshotsPerWorker = 4;
// Observation pieces per worker: one filled, two with the aggregator (merging, and the next).
inline constexpr unsigned kPiecesPerWorker = 3;
inline constexpr uint16_t kMaxBurst = 512;

// When a port source is exhausted (pcap mode) or stopped (signal).
struct SourceLimits {
    uint64_t expected_packets = 0;  // with `finite`: the capture's packets (0: an empty file)
    uint64_t idle_exit_cycles = 0;  // with `finite`: give up after this long idle
    const std::atomic<bool>* stop = nullptr;
    bool finite = false;  // a capture file of expected_packets, else run until stopped

    bool done(uint64_t received, uint64_t now, uint64_t last_rx) const {
        if (stop->load(std::memory_order_relaxed)) return true;
        if (!finite) return false;
        return received >= expected_packets || now - last_rx > idle_exit_cycles;
    }
};

// Where a worker's packets come from: its own RX queues (queues mode), or the ring the RX lcore
// fills (software mode), which ends when the RX lcore is done and the ring is empty.
struct RxSource {
    std::vector<std::pair<uint16_t, uint16_t>> queues;  // (port, queue)
    SourceLimits limits;
    rte_ring* ring = nullptr;
    const std::atomic<bool>* upstream_done = nullptr;
};

struct alignas(64) WorkerContext {
    unsigned index = 0;
    unsigned lcore = 0;
    // The running rule set, swapped by the reloader; the worker reads it before each burst
    // and reports quiescence to `qsbr` (as thread `index`) after it.
    const std::atomic<const Ruleset*>* rules = nullptr;
    rte_rcu_qsbr* qsbr = nullptr;
    RxSource source;
    uint16_t burst = 32;
    uint64_t flush_cycles = 0;
    FlowTableConfig flows;
    bool capture_only = false;              // benchmark baseline: count and free, classify nothing
    LinkType link = LinkType::ethernet;     // what the port's frames begin with
    std::atomic<bool>* stop_all = nullptr;  // set when this worker fails: the daemon stops

    WorkerStats stats;
    BurstAlerts alerts;
    std::array<WorkerSnapshot, kSnapshotsPerWorker> snapshots;
    rte_ring* snap_full = nullptr;   // worker -> aggregator
    rte_ring* snap_free = nullptr;   // aggregator -> worker
    rte_ring* alert_ring = nullptr;  // worker -> aggregator, AlertRecord elements
    std::atomic<bool> done{false};

    // Observations (lib/observe): pieces handed to the aggregator through obs_full and back
    // through obs_free. Intervals follow packet time with a capture file (`packet_time`; an
    // idle worker then learns the time from `packet_clock`, the latest packet time any worker
    // saw, kept by the aggregator), else the wall clock.
    uint64_t observation_interval_us = 3600ull * 1000000;
    bool packet_time = false;
    const std::atomic<uint64_t>* packet_clock = nullptr;
    std::vector<std::unique_ptr<ObservationPiece>> pieces;
    rte_ring* obs_full = nullptr;  // worker -> aggregator
    rte_ring* obs_free = nullptr;  // aggregator -> worker

    // Capture timestamp dynfield, when the port provides one in a known unit.
    int ts_offset = -1;
    uint64_t ts_flag = 0;
    TimestampUnit ts_unit = TimestampUnit::unknown;
};

// Creates the snapshot, alert and observation rings and pieces, and fills the free rings.
// Throws std::runtime_error.
void init_worker_rings(WorkerContext& w, unsigned alert_ring_size);
void free_worker_rings(WorkerContext& w);

// rte_eal_remote_launch entry point; arg is a WorkerContext*.
int worker_main(void* arg);

}  // namespace pktsieve
