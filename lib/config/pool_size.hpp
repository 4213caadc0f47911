// How many mbufs the packet pool needs besides replayed files (config/replay.hpp adds those),
// and, for --pcap, how much EAL memory holds them and how large each is. Every mbuf is written
// once when the pool is created (without hugepages a page fault per page of mbufs: the pool
// keeps mbufs from crossing pages), so a --pcap run sizes the pool to what its receive path can
// hold at once and each mbuf to the file's largest frame.
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cstdint>

namespace pktsieve {

// --mbufs when not given with a port: a NIC's bursts and descriptor refills need a reserve.
inline constexpr uint64_t kPortMbufs = 8191;
inline constexpr uint16_t kRxDescriptors = 1024;   // per RX queue of a port
inline constexpr unsigned kWorkerRingSize = 1024;  // RX lcore -> worker (software distribution)
inline constexpr unsigned kPoolCache = 256;        // mbufs each lcore keeps of the pool

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

// A --pcap run's: net_pcap fills no descriptor ring (it takes an mbuf per frame it reads); an
// RX lcore, with rings, when there are several workers; main, aggregator and RX lcore slots.
inline ReceivePath pcap_receive_path(uint64_t workers, bool rings, uint64_t burst) {
    return {1, 0, workers, rings ? kWorkerRingSize : 0u, burst, workers + 3, kPoolCache};
}

// The pool's floor: --mbufs as given (0: not given); else kPortMbufs with a port and nothing
// beyond what is needed in --pcap mode.
inline uint64_t mbufs_floor(uint64_t option, bool pcap_mode) {
    return option ? option : pcap_mode ? 0 : kPortMbufs;
}

// The mbufs a pool without replayed files gets: what is needed, at least the floor.
inline uint64_t pool_mbufs(const ReceivePath& r, uint64_t option, bool pcap_mode) {
    return std::max(mbufs_needed(r), mbufs_floor(option, pcap_mode));
}

// A --pcap run's mbuf data room (headroom included): the file's largest frame, so that an
// mbuf of a capture of small frames shares its page with others (creating the pool writes
// every mbuf: a page fault each), at most `default_room` (a longer frame is chained across
// mbufs, as a port's jumbo frame is). The file is counted before the pool is made; were it
// to grow meanwhile, a longer frame would be chained too.
inline constexpr uint32_t kMinFrame = 64;  // the room an empty capture's mbufs still get
inline uint16_t pcap_data_room(uint32_t max_frame, uint16_t headroom, uint16_t default_room) {
    const uint32_t room = (uint32_t{headroom} + std::max(max_frame, kMinFrame) + 63) / 64 * 64;
    return static_cast<uint16_t>(std::min<uint32_t>(room, default_room));
}

// EAL memory (-m, MiB, without hugepages) for a pool of `mbufs` on `lcores` lcores: a 4 KiB
// page per mbuf (as the default data room takes; smaller mbufs leave part of it unused, which
// is reserved, not written), an alert ring (1 MiB) per lcore, and 64 MiB for the rest (the pool's
// header and caches, other rings, spare). Measured: 13,696 mbufs (8 workers) start in 64 MiB, not
// 32; 100,000 mbufs in 400, not 356.
inline uint64_t pcap_memory_mib(uint64_t mbufs, uint64_t lcores) {
    return mbufs * 4096 / (1 << 20) + lcores + 64;
}

}  // namespace pktsieve
