// Software distribution for ports without RSS (pcap, ring, null, single-queue NICs): one RX
// lcore reads every queue, hashes each packet's symmetric flow tuple and hands the mbuf to that
// worker's SP/SC ring, so both directions of a flow meet on one worker.
//
// Thread-safety: the RX lcore is the only producer of each worker ring and the only writer of
// its counters (atomics, stored once per burst, so the aggregator may read them).
#pragma once

#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "dataplane/worker.hpp"

namespace pktsieve {

struct alignas(64) DistributorContext {
    unsigned lcore = 0;
    RxSource source;               // its queues and limits; ring unused
    std::vector<rte_ring*> rings;  // one per worker, in worker order
    // Per ring, its worker's `done`: a worker that stopped on an error takes nothing more, and
    // the packets meant for it are freed instead of waited on for ever.
    std::vector<const std::atomic<bool>*> receivers_done;
    uint16_t burst = 32;
    std::atomic<bool>* stop_all = nullptr;  // set on an error here: the whole daemon stops
    std::atomic<uint64_t> packets{0};
    std::atomic<uint64_t> ring_full_waits{0};
    std::atomic<bool> done{false};  // set after the last enqueue: workers drain, then stop
};

// rte_eal_remote_launch entry point; arg is a DistributorContext*.
int distributor_main(void* arg);

}  // namespace pktsieve
