// How many mbufs the packet pool needs besides replayed files (config/replay.hpp adds those).
// Every mbuf is written once when the pool is created (a page fault each without hugepages:
// the pool keeps mbufs from crossing pages), so a --pcap run sizes it to what its receive
// path can hold at once.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

namespace pktsieve {

// --mbufs when not given with a port: a NIC's bursts and descriptor refills need a reserve.
inline constexpr uint64_t kPortMbufs = 8191;

struct ReceivePath {
    uint64_t rx_queues = 0;
    uint64_t descriptors = 0;  // per RX queue
    uint64_t workers = 0;
    uint64_t ring = 0;   // each worker's ring, with software distribution (else 0)
    uint64_t burst = 0;  // the most a worker takes at once
    uint64_t lcores = 0;
    uint64_t cache = 0;  // the pool's per-lcore cache may keep up to 1.5x its size
};

// The most mbufs the receive path can hold at once, and 1024 spare.
inline uint64_t mbufs_needed(const ReceivePath& r) {
    return r.rx_queues * r.descriptors + r.workers * (r.ring + r.burst) +
           r.lcores * (r.cache + r.cache / 2) + 1024;
}

// The pool's floor: --mbufs as given (0: not given); else kPortMbufs with a port and nothing
// beyond what is needed in --pcap mode.
inline uint64_t mbufs_floor(uint64_t option, bool pcap_mode) {
    return option ? option : pcap_mode ? 0 : kPortMbufs;
}

}  // namespace pktsieve
