// Capture files that net_pcap ports replay with `infinite_rx=1`, read from the EAL arguments.
// The PMD loads such a file whole into the mbuf pool at queue setup, one mbuf per frame, so the
// pool must hold every frame of it besides the receive path's needs, and each mbuf the largest
// frame (it refuses chained mbufs there). These functions size the pool from the files.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pktsieve {

// Files of `rx_pcap=` in `--vdev net_pcapN,...,infinite_rx=1` arguments (either spelling of
// --vdev, the eth_pcap alias too), in order; one per receive queue.
std::vector<std::string> infinite_replay_files(const std::vector<std::string>& eal);

struct MbufSizing {
    uint32_t count = 0;      // mbufs in the pool
    uint16_t data_room = 0;  // per mbuf, headroom included (rte_pktmbuf_pool_create's)
    std::string error;       // non-empty: no pool can do it; says what to change
};

struct ReplayFile {
    std::string path;
    uint64_t packets = 0;
    uint32_t max_frame = 0;  // largest captured frame, bytes
};

// The data room to ask size_mbufs for: when every one of the `rx_queues` receive queues
// replays a counted file, the largest frame of them with headroom, rounded up to a cache line
// (as --pcap's: the whole capture is held in mbufs, and 64-byte frames in 2 KiB rooms spread
// it over a page per frame: 1 GB and a TLB miss per frame for 400,000 of them); else, a port
// whose frames nobody counted being among them, `default_room`.
uint16_t replay_data_room(uint64_t rx_queues, const std::vector<ReplayFile>& replays,
                          uint16_t headroom, uint16_t default_room);
// `needed`: mbufs the receive path uses (descriptors, rings, caches); `at_least`: --mbufs.
MbufSizing size_mbufs(uint64_t needed, uint64_t at_least, const std::vector<ReplayFile>& replays,
                      uint16_t default_data_room, uint16_t headroom);

}  // namespace pktsieve
