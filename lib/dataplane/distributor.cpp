#include "dataplane/distributor.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <sched.h>

#include <array>
#include <iostream>

#include "guard/guarded.hpp"
#include "packet/flow_hash.hpp"

namespace pktsieve {

namespace {

inline uint32_t worker_of(const rte_mbuf* m, uint32_t workers) {
    // Headers sit in the first segment; a frame cut short there hashes to worker 0, which
    // counts it as malformed.
    Packet p;
    if (parse(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, p) != Malformed::none) return 0;
    return static_cast<uint32_t>(symmetric_flow_hash(p) % workers);
}

// Never drops while the worker runs: a full ring means the worker is behind, so the RX lcore
// waits for it. Loss, if any, then happens in the NIC, where imissed/rx_nombuf count it.
inline void hand_over(rte_ring* ring, const std::atomic<bool>& receiver_done, rte_mbuf** bufs,
                      unsigned n, uint64_t& waits) {
    unsigned sent = rte_ring_sp_enqueue_burst(ring, reinterpret_cast<void**>(bufs), n, nullptr);
    if (sent == n) return;
    ++waits;
    for (unsigned spins = 1; sent < n; ++spins) {
        if (receiver_done.load(std::memory_order_acquire)) {  // it stopped on an error
            rte_pktmbuf_free_bulk(bufs + sent, n - sent);
            return;
        }
        // On a dedicated core the worker frees space within a few pauses; when lcores share a
        // CPU (tests, small machines) the worker may not be running at all, so let it.
        if (spins % 64 == 0)
            sched_yield();
        else
            rte_pause();
        sent += rte_ring_sp_enqueue_burst(ring, reinterpret_cast<void**>(bufs + sent), n - sent,
                                          nullptr);
    }
}

}  // namespace

namespace {

void distribute(DistributorContext& d) {
    const auto workers = static_cast<uint32_t>(d.rings.size());
    rte_mbuf* bufs[kMaxBurst];
    std::vector<std::array<rte_mbuf*, kMaxBurst>> staged(workers);
    std::vector<unsigned> count(workers);
    uint64_t received = 0, waits = 0, last_rx = rte_rdtsc();
    for (;;) {
        for (auto [port, queue] : d.source.queues) {
            const uint16_t n = rte_eth_rx_burst(port, queue, bufs, d.burst);
            for (uint16_t i = 0; i < n; ++i) {
                const uint32_t w = worker_of(bufs[i], workers);
                staged[w][count[w]++] = bufs[i];
            }
            for (uint32_t w = 0; w < workers; ++w) {
                if (count[w])
                    hand_over(d.rings[w], *d.receivers_done[w], staged[w].data(), count[w], waits);
                count[w] = 0;
            }
            received += n;
            if (n) last_rx = rte_rdtsc();
        }
        d.packets.store(received, std::memory_order_relaxed);
        d.ring_full_waits.store(waits, std::memory_order_relaxed);
        if (d.source.limits.done(received, rte_rdtsc(), last_rx)) break;
    }
    d.done.store(true, std::memory_order_release);
}

}  // namespace

int distributor_main(void* arg) {
    auto& d = *static_cast<DistributorContext*>(arg);
    return guarded(
        [&] {
            distribute(d);
            return 0;
        },
        [&](const std::string& what) {
            std::cerr << "pktsieve: rx lcore " << d.lcore << " stopped: " << what << "\n";
            d.stop_all->store(true, std::memory_order_relaxed);
            d.done.store(true, std::memory_order_release);  // the workers drain and end
        },
        -1);
}

}  // namespace pktsieve
