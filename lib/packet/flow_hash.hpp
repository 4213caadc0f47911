// Symmetric flow hash: both directions of a flow (A:a -> B:b and B:b -> A:a) hash the same, so
// the software distributor sends a whole flow to one worker. VLAN ids are part of the flow.
// Thread-safety: pure function.
#pragma once

#include <bit>
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

// Whether the packet's source endpoint (address, then port) orders at or before its
// destination: the one order the flow hash and the flow key both use. Addresses compare as
// memcmp would (big-endian numbers), inline: a library memcmp per packet cost ~4 % of a worker.
inline bool source_first(const Packet& p) {
    uint64_t s[2], d[2];
    std::memcpy(s, p.src.data(), 16);
    std::memcpy(d, p.dst.data(), 16);
    for (int i = 0; i < 2; ++i) {
        if constexpr (std::endian::native == std::endian::little) {
            s[i] = __builtin_bswap64(s[i]);
            d[i] = __builtin_bswap64(d[i]);
        }
        if (s[i] != d[i]) return s[i] < d[i];
    }
    return p.sport <= p.dport;
}

// For a parsed IP packet; 0 for frames without L3 (they all go to one worker).
inline uint64_t symmetric_flow_hash(const Packet& p) {
    if (p.l3 == L3::none) return 0;
    // Order the two endpoints so that swapping them changes nothing.
    const bool swap = !source_first(p);
    const IpAddr& lo = swap ? p.dst : p.src;
    const IpAddr& hi = swap ? p.src : p.dst;
    const uint16_t plo = swap ? p.dport : p.sport, phi = swap ? p.sport : p.dport;
    uint64_t a, b, x, y;
    std::memcpy(&a, lo.data(), 8);
    std::memcpy(&b, lo.data() + 8, 8);
    std::memcpy(&x, hi.data(), 8);
    std::memcpy(&y, hi.data() + 8, 8);
    uint64_t h = detail::mix(detail::mix(detail::mix(a, b), x), y);
    // Later fragments carry no ports: hash them (and their first fragment) on addresses only,
    // so every fragment of a datagram meets on one worker.
    if (!p.fragment) h = detail::mix(h, uint64_t{plo} << 16 | phi);
    h = detail::mix(h, uint64_t{p.proto} << 32 | uint64_t{p.vlan[0]} << 16 | p.vlan[1]);
    return detail::fmix(h);
}

}  // namespace pktsieve
