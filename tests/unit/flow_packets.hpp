// Test helper: a parsed TCP packet between two fixed IPv4 hosts, for flow-table tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <utility>
#include <vector>

#include "frames.hpp"
#include "packet/packet.hpp"

namespace pktsieve::test {

// From sport to dport (reversed: the other way); `last_octet` varies the client's address.
inline Packet flow_packet(uint16_t sport, uint16_t dport, uint8_t flags, bool reverse = false,
                          uint8_t last_octet = 10) {
    static thread_local std::vector<Bytes> keep;  // Packet points into its frame
    FrameSpec f;
    f.sport = sport;
    f.dport = dport;
    f.tcp_flags = flags;
    f.src4[3] = last_octet;
    if (reverse) {
        std::swap(f.src4, f.dst4);
        std::swap(f.sport, f.dport);
    }
    keep.push_back(frame(f));
    Packet p;
    REQUIRE(parse(keep.back().data(), static_cast<uint32_t>(keep.back().size()), p) ==
            Malformed::none);
    return p;
}

}  // namespace pktsieve::test
