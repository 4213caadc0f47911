#include "dataplane/worker.hpp"

#include "guard/guarded.hpp"
#include "time/tsc_clock.hpp"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>

#include <rte_prefetch.h>

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

namespace pktsieve {

namespace {

// Frames of more than one mbuf are copied here first; the parser wants contiguous bytes.
thread_local uint8_t t_linear[65536];

TscClock start_clock() {
    return {rte_rdtsc(),
            static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count()),
            rte_get_tsc_hz()};
}

// A PMD that strips VLAN tags (af_packet gets them from the kernel's metadata) reports them in
// the mbuf; put them back so the parser, the flow hash and EVE see the frame as it was sent.
inline void restore_vlan(WorkerContext& w, rte_mbuf* m) {
    if (m->ol_flags & RTE_MBUF_F_RX_QINQ_STRIPPED) {
        if (rte_vlan_insert(&m) != 0) return;
        m->vlan_tci = m->vlan_tci_outer;
    }
    if (rte_vlan_insert(&m) == 0) ++w.stats.counters.vlan_restored;
    m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ_STRIPPED);
}

// The packet's capture time when the port stamps it, else the burst's.
inline uint64_t packet_time(const WorkerContext& w, const rte_mbuf* m, uint64_t now_us) {
    if (w.ts_unit != TimestampUnit::unknown && w.ts_offset >= 0 && (m->ol_flags & w.ts_flag))
        return rx_timestamp_us(w.ts_unit,
                               *RTE_MBUF_DYNFIELD(m, w.ts_offset, const rte_mbuf_timestamp_t*));
    return now_us;
}

inline void restore_vlan_if_stripped(WorkerContext& w, rte_mbuf* m) {
    if (unlikely(m->ol_flags & (RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ_STRIPPED)))
        restore_vlan(w, m);
}

// A frame of several mbufs is copied into t_linear first (one buffer: such a burst is
// processed a packet at a time).
inline void classify_one(WorkerContext& w, Pipeline& pipe, rte_mbuf* m, uint64_t now_us) {
    restore_vlan_if_stripped(w, m);
    const uint8_t* data = rte_pktmbuf_mtod(m, const uint8_t*);
    uint32_t len = m->pkt_len;
    if (unlikely(m->nb_segs > 1)) {
        len = std::min<uint32_t>(len, sizeof t_linear);
        data = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, len, t_linear));
        ++w.stats.counters.multi_segment;
    }
    pipe.process(data, len, packet_time(w, m, now_us));
}

// Stages of a burst (Pipeline::stage): the flow-table misses of all its packets overlap.
thread_local Pipeline::Staged t_staged[kMaxBurst];
thread_local uint64_t t_times[kMaxBurst];

void classify_burst(WorkerContext& w, Pipeline& pipe, rte_mbuf** bufs, uint16_t n,
                    uint64_t now_us) {
    bool linear = true;
    for (uint16_t i = 0; i < n; ++i) linear = linear && bufs[i]->nb_segs == 1;
    if (unlikely(!linear)) {
        for (uint16_t i = 0; i < n; ++i) classify_one(w, pipe, bufs[i], now_us);
    } else {
        for (uint16_t i = 0; i < n; ++i) {
            if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(bufs[i + 1], void*));
            restore_vlan_if_stripped(w, bufs[i]);
            pipe.stage(rte_pktmbuf_mtod(bufs[i], const uint8_t*), bufs[i]->pkt_len, t_staged[i]);
            t_times[i] = packet_time(w, bufs[i], now_us);
        }
        pipe.process_burst(t_staged, t_times, n);
    }
    rte_pktmbuf_free_bulk(bufs, n);
}

// --capture-only (the benchmarks' bare-capture baseline): read, count, free.
void count_burst(WorkerContext& w, Pipeline&, rte_mbuf** bufs, uint16_t n, uint64_t) {
    Counters& c = w.stats.counters;
    c.rx_packets += n;
    for (uint16_t i = 0; i < n; ++i) c.rx_bytes += bufs[i]->pkt_len;
    rte_pktmbuf_free_bulk(bufs, n);
}

// What a worker does with a burst: chosen once at start, so no per-packet branch on it.
using BurstFn = void (*)(WorkerContext&, Pipeline&, rte_mbuf**, uint16_t, uint64_t);

inline uint16_t receive(WorkerContext& w, Pipeline& pipe, BurstFn handle, rte_mbuf** bufs,
                        uint64_t now_us) {
    if (w.source.ring) {
        const auto n = static_cast<uint16_t>(rte_ring_sc_dequeue_burst(
            w.source.ring, reinterpret_cast<void**>(bufs), w.burst, nullptr));
        handle(w, pipe, bufs, n, now_us);
        return n;
    }
    uint16_t total = 0;
    for (auto [port, queue] : w.source.queues) {
        const uint16_t n = rte_eth_rx_burst(port, queue, bufs, w.burst);
        handle(w, pipe, bufs, n, now_us);
        total += n;
    }
    return total;
}

// Alerts that do not fit the ring stay in the buffer for the next burst; the worker never waits.
inline void flush_alerts(WorkerContext& w) {
    if (w.alerts.size == 0) return;
    const unsigned sent = rte_ring_sp_enqueue_burst_elem(
        w.alert_ring, w.alerts.records.data(), sizeof(AlertRecord), w.alerts.size, nullptr);
    if (sent == 0) return;
    std::memmove(w.alerts.records.data(), w.alerts.records.data() + sent,
                 (w.alerts.size - sent) * sizeof(AlertRecord));
    w.alerts.size -= sent;
}

// The recorder's handover: the full piece to the aggregator, an empty one back. The aggregator
// returns pieces within a millisecond or so; a worker rolls over at most once per interval and
// flushes once a second, so the wait below is rare (counted) and short.
ObservationPiece* hand_over(void* ctx, ObservationPiece* full) {
    auto& w = *static_cast<WorkerContext*>(ctx);
    ++w.stats.counters.observe_handovers;
    rte_ring_sp_enqueue(w.obs_full, full);  // cannot fail: the ring holds every piece
    void* p = nullptr;
    if (rte_ring_sc_dequeue(w.obs_free, &p) != 0) {
        ++w.stats.counters.observe_handover_waits;
        while (rte_ring_sc_dequeue(w.obs_free, &p) != 0) rte_pause();
    }
    return static_cast<ObservationPiece*>(p);
}

ObservationPiece* first_piece(WorkerContext& w) {
    void* p = nullptr;
    rte_ring_sc_dequeue(w.obs_free, &p);  // every piece is free at start
    return static_cast<ObservationPiece*>(p);
}

// The time an idle worker's interval follows: the latest packet time of any worker (read
// before polling: a packet this worker dequeues after it is no older, the file being in time
// order), or the wall clock.
inline uint64_t observation_clock(const WorkerContext& w, const TscClock& clock, uint64_t tsc) {
    return w.packet_time ? w.packet_clock->load(std::memory_order_acquire) : clock.now_us(tsc);
}

// No free buffer means the aggregator still holds them all: skip; the totals are cumulative,
// so the next publish carries everything.
inline bool publish(WorkerContext& w) {
    void* p = nullptr;
    if (rte_ring_sc_dequeue(w.snap_free, &p) != 0) return false;
    auto* s = static_cast<WorkerSnapshot*>(p);
    w.stats.snapshot_to(*s);
    s->lcore = w.lcore;
    rte_ring_sp_enqueue(w.snap_full, s);  // cannot fail: the ring holds every buffer
    return true;
}

// A ring source ends when the RX lcore is done and the ring is empty; `done` is read first, so
// an empty ring after it is final.
inline bool source_done(const WorkerContext& w, uint64_t now, uint64_t last_rx) {
    if (w.source.ring)
        return w.source.upstream_done->load(std::memory_order_acquire) &&
               rte_ring_empty(w.source.ring);
    return w.source.limits.done(w.stats.counters.rx_packets, now, last_rx);
}

}  // namespace

void init_worker_rings(WorkerContext& w, unsigned alert_ring_size) {
    const std::string id = std::to_string(w.index);
    const unsigned flags = RING_F_SP_ENQ | RING_F_SC_DEQ;
    const int socket = static_cast<int>(rte_lcore_to_socket_id(w.lcore));
    w.snap_full =
        rte_ring_create(("snap_full_" + id).c_str(), kSnapshotsPerWorker * 2, socket, flags);
    w.snap_free =
        rte_ring_create(("snap_free_" + id).c_str(), kSnapshotsPerWorker * 2, socket, flags);
    w.alert_ring = rte_ring_create_elem(("alerts_" + id).c_str(), sizeof(AlertRecord),
                                        alert_ring_size, socket, flags);
    if (!w.snap_full || !w.snap_free || !w.alert_ring)
        throw std::runtime_error("cannot create worker rings: " +
                                 std::string(rte_strerror(rte_errno)));
    for (auto& s : w.snapshots) {
        s.rules.reserve(w.stats.rules.size());
        rte_ring_enqueue(w.snap_free, &s);
    }
    w.obs_full = rte_ring_create(("obs_full_" + id).c_str(), kPiecesPerWorker + 1, socket,
                                 flags | RING_F_EXACT_SZ);
    w.obs_free = rte_ring_create(("obs_free_" + id).c_str(), kPiecesPerWorker + 1, socket,
                                 flags | RING_F_EXACT_SZ);
    if (!w.obs_full || !w.obs_free)
        throw std::runtime_error("cannot create observation rings: " +
                                 std::string(rte_strerror(rte_errno)));
    for (unsigned i = 0; i < kPiecesPerWorker; ++i) {
        w.pieces.push_back(std::make_unique<ObservationPiece>());
        w.stats.counters.observe_memory_bytes += w.pieces.back()->obs.memory_bytes();
        rte_ring_enqueue(w.obs_free, w.pieces.back().get());
    }
}

void free_worker_rings(WorkerContext& w) {
    rte_ring_free(w.snap_full);
    rte_ring_free(w.snap_free);
    rte_ring_free(w.alert_ring);
    rte_ring_free(w.obs_full);
    rte_ring_free(w.obs_free);
}

// A reloaded set is adopted between bursts; the iteration that does it is timed, so the
// pause a reload costs a worker is measured where it happens.
inline bool adopt_rules(WorkerContext& w, Pipeline& pipe, const Ruleset*& rs) {
    const Ruleset* now = w.rules->load(std::memory_order_acquire);
    if (likely(now == rs)) return false;
    pipe.switch_rules(*now);
    rs = now;
    return true;
}

namespace {

int run_worker(WorkerContext& w) {
    // Online before the first read of the set: a reload after this waits for this worker.
    rte_rcu_qsbr_thread_register(w.qsbr, w.index);
    rte_rcu_qsbr_thread_online(w.qsbr, w.index);
    // Every stretch that reads the set sits between rte_rcu_qsbr_lock and _unlock: a build with
    // RTE_LIBRTE_RCU_DEBUG (-Drcu_debug=true, the ASan tests) counts them, and a quiescent
    // state reported inside one is logged ("Lock counter"), which the tests look for.
    rte_rcu_qsbr_lock(w.qsbr, w.index);
    const Ruleset* rs = w.rules->load(std::memory_order_acquire);
    Pipeline pipe(*rs, w.index, w.stats, w.alerts, w.flows);
    pipe.set_link(w.link);
    ObservationRecorder recorder(w.observation_interval_us, first_piece(w), hand_over, &w);
    pipe.set_recorder(&recorder);
    rte_rcu_qsbr_unlock(w.qsbr, w.index);
    const BurstFn handle = w.capture_only ? count_burst : classify_burst;
    rte_mbuf* bufs[kMaxBurst];
    const TscClock clock = start_clock();
    const uint64_t housekeeping_cycles = rte_get_tsc_hz() / 100;
    uint64_t last_rx = rte_rdtsc(), next_flush = last_rx + w.flush_cycles;
    uint64_t next_housekeeping = last_rx + housekeeping_cycles;
    const uint64_t observation_flush_cycles = rte_get_tsc_hz();
    uint64_t next_observation_flush = last_rx + observation_flush_cycles;
    const uint64_t us_divisor = std::max<uint64_t>(rte_get_tsc_hz() / 1000000, 1);
    for (unsigned idle = 0;;) {
        const uint64_t start = rte_rdtsc();
        rte_rcu_qsbr_lock(w.qsbr, w.index);
        const bool switched = adopt_rules(w, pipe, rs);
        if (unlikely(switched)) {
            uint64_t& peak = w.stats.counters.reload_max_switch_us;
            peak = std::max(peak, (rte_rdtsc() - start) / us_divisor);
        }
        const uint64_t idle_time = observation_clock(w, clock, start);
        const uint16_t n = receive(w, pipe, handle, bufs, clock.now_us(start));
        flush_alerts(w);
        const uint64_t now = rte_rdtsc();
        if (unlikely(switched)) {
            uint64_t& peak = w.stats.counters.reload_max_pause_us;
            peak = std::max(peak, (now - start) / us_divisor);
        }
        if (n) {
            last_rx = now;
            idle = 0;
        } else {
            recorder.advance(idle_time);
            if (++idle % 1024 == 0) sched_yield();  // lets lcores that share a CPU go on
        }
        if (now >= next_housekeeping) {
            pipe.housekeeping();
            next_housekeeping = now + housekeeping_cycles;
        }
        if (now >= next_flush) {
            pipe.sync_counters();
            publish(w);
            next_flush = now + w.flush_cycles;
        }
        if (now >= next_observation_flush) {  // keeps the running totals a second fresh
            recorder.flush();
            next_observation_flush = now + observation_flush_cycles;
        }
        // Last: housekeeping and publish above still read the adopted set (its scratch, its
        // rules). From here to the next adopt_rules this worker holds no reference to it.
        rte_rcu_qsbr_unlock(w.qsbr, w.index);
        rte_rcu_qsbr_quiescent(w.qsbr, w.index);
        if (source_done(w, now, last_rx)) break;
    }
    // Open flows end with the input: their end-of-data matches are reported now.
    rte_rcu_qsbr_lock(w.qsbr, w.index);
    adopt_rules(w, pipe, rs);
    pipe.finish();
    recorder.finish();
    pipe.sync_counters();
    rte_rcu_qsbr_unlock(w.qsbr, w.index);
    // Final totals must arrive: the aggregator keeps draining until `done`, so these spins end.
    while (w.alerts.size) {
        flush_alerts(w);
        rte_pause();
    }
    while (!publish(w)) rte_pause();
    rte_rcu_qsbr_thread_offline(w.qsbr, w.index);
    rte_rcu_qsbr_thread_unregister(w.qsbr, w.index);
    w.done.store(true, std::memory_order_release);
    return 0;
}

}  // namespace

int worker_main(void* arg) {
    auto& w = *static_cast<WorkerContext*>(arg);
    return guarded([&] { return run_worker(w); },
                   [&](const std::string& what) {
                       std::cerr << "pktsieve: worker lcore " << w.lcore << " stopped: " << what
                                 << "\n";
                       if (w.stop_all) w.stop_all->store(true, std::memory_order_relaxed);
                       // No longer a reader: a reload must not wait on this worker.
                       rte_rcu_qsbr_thread_offline(w.qsbr, w.index);
                       w.done.store(true, std::memory_order_release);
                   },
                   -1);
}

}  // namespace pktsieve
