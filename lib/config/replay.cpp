#include "config/replay.hpp"

#include "config/pool_size.hpp"
#include "rules/list_syntax.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string_view>

namespace pktsieve {

namespace {

bool is_pcap_vdev(std::string_view name) {
    return name.starts_with("net_pcap") || name.starts_with("eth_pcap");
}

void add_replays(std::string_view devargs, std::vector<std::string>& out) {
    const auto parts = split_commas(devargs);
    if (parts.empty() || !is_pcap_vdev(parts.front())) return;
    bool infinite = false;
    std::vector<std::string> files;
    for (auto kv : parts) {
        if (kv == "infinite_rx=1") infinite = true;
        if (kv.starts_with("rx_pcap=")) files.emplace_back(kv.substr(8));
    }
    if (infinite) out.insert(out.end(), files.begin(), files.end());
}

}  // namespace

std::vector<std::string> infinite_replay_files(const std::vector<std::string>& eal) {
    std::vector<std::string> out;
    for (size_t i = 0; i < eal.size(); ++i) {
        const std::string_view a = eal[i];
        if (a == "--vdev" && i + 1 < eal.size())
            add_replays(eal[++i], out);
        else if (a.starts_with("--vdev="))
            add_replays(a.substr(7), out);
    }
    return out;
}

uint16_t replay_data_room(uint64_t rx_queues, const std::vector<ReplayFile>& replays,
                          uint16_t headroom, uint16_t default_room) {
    if (replays.empty() || rx_queues != replays.size()) return default_room;
    uint32_t largest = 0;
    for (const auto& r : replays) largest = std::max(largest, r.max_frame);
    // A larger frame than the default room still gets its own: size_mbufs takes the larger.
    return pcap_data_room(largest, headroom, default_room);
}

MbufSizing size_mbufs(uint64_t needed, uint64_t at_least, const std::vector<ReplayFile>& replays,
                      uint16_t default_data_room, uint16_t headroom) {
    MbufSizing s;
    uint64_t count = needed;
    uint32_t room = default_data_room;
    for (const auto& r : replays) {
        count += r.packets;
        const uint64_t wanted = uint64_t{r.max_frame} + headroom;
        if (wanted > std::numeric_limits<uint16_t>::max()) {
            s.error = fmt::format(
                "{}: a frame of {} bytes does not fit one mbuf (at most {} bytes), which "
                "infinite_rx needs; replay it without infinite_rx, or cut its frames "
                "(editcap -s {})",
                r.path, r.max_frame, std::numeric_limits<uint16_t>::max() - headroom,
                std::numeric_limits<uint16_t>::max() - headroom);
            return s;
        }
        room = std::max<uint32_t>(room, static_cast<uint32_t>(wanted));
    }
    count = std::max(count, at_least);
    if (count > std::numeric_limits<uint32_t>::max()) {
        s.error = fmt::format("{} mbufs needed: more than one pool holds", count);
        return s;
    }
    s.count = static_cast<uint32_t>(count);
    s.data_room = static_cast<uint16_t>(room);
    return s;
}

}  // namespace pktsieve
