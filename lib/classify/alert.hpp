// One alert as it leaves a worker: fixed-size and trivially copyable, so it can travel through
// an rte_ring by value. The rule is an index into the rule set of `generation` (RulesetInfo).
// Thread-safety: value type.
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>

#include "packet/packet.hpp"

namespace pktsieve {

struct AlertRecord {
    uint64_t ts_us = 0;  // packet time (capture timestamp when the port gives one)
    uint32_t rule = 0;
    uint32_t generation = 0;
    uint16_t sport = 0, dport = 0;
    IpAddr src{}, dst{};
    std::array<uint16_t, 2> vlan{};
    L3 l3 = L3::none;
    uint8_t proto = 0;
    uint8_t vlan_count = 0;
    uint8_t pad_ = 0;
};
static_assert(std::is_trivially_copyable_v<AlertRecord> && sizeof(AlertRecord) % 4 == 0,
              "AlertRecord travels through rte_ring elem rings");

// Alerts of one burst. Full means later alerts are counted (alerts_unlogged) but not logged.
template <size_t N>
struct AlertBuffer {
    std::array<AlertRecord, N> records;
    uint32_t size = 0;
    bool push(const AlertRecord& a) {
        if (size == N) return false;
        records[size++] = a;
        return true;
    }
};

}  // namespace pktsieve
