// Symmetric flow hash: both directions of a flow (A:a -> B:b and B:b -> A:a) hash the same, so
// the software distributor sends a whole flow to one worker. VLAN ids are part of the flow.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <cstring>

#include "packet/packet.hpp"

namespace pktsieve {

namespace detail {
inline uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}
inline uint64_t fmix(uint64_t k) {  // MurmurHash3 finaliser: spreads every input bit
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    return k ^ (k >> 33);
}
}  // namespace detail

namespace detail {
// One endpoint (address, port) to 64 bits. For a given first half of the address, the
// second half and the port map one to one until the sum (no two endpoints of an IPv4 network
// collide); the last multiply and shift carry every bit into the low half.
inline uint64_t endpoint_hash(const IpAddr& a, uint64_t port) {
    uint64_t x, y;
    std::memcpy(&x, a.data(), 8);
    std::memcpy(&y, a.data() + 8, 8);
    uint64_t h = (x * 0x9e3779b97f4a7c15ull + y) * 0xff51afd7ed558ccdull + port;
    h ^= h >> 32;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}
}  // namespace detail

// For a parsed IP packet; 0 for frames without L3 (they all go to one worker). The two
// endpoints' hashes are added, so swapping them changes nothing without ordering them first
// (the ordered form cost ~100 instructions per packet).
inline uint64_t symmetric_flow_hash(const Packet& p) {
    if (p.l3 == L3::none) return 0;
    // Later fragments carry no ports: hash them (and their first fragment) on addresses only,
    // so every fragment of a datagram meets on one worker.
    const uint64_t sport = p.fragment ? 0 : p.sport, dport = p.fragment ? 0 : p.dport;
    const uint64_t h = detail::endpoint_hash(p.src, sport) + detail::endpoint_hash(p.dst, dport);
    return detail::fmix(h ^ (uint64_t{p.proto} << 32 | uint64_t{p.vlan[0]} << 16 | p.vlan[1]));
}

}  // namespace pktsieve
