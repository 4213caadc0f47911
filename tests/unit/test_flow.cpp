#include <catch2/catch.hpp>

#include <cstring>

#include "flow/flow_table.hpp"
#include "flow_packets.hpp"
#include "frames.hpp"
#include "packet/flow_hash.hpp"
#include "resident.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

// Eviction, expiry and probe chains: test_flow_eviction.cpp.

TEST_CASE("flow key is the same both ways", "[flow]") {
    bool a1 = false, a2 = false;
    const auto k1 = flow_key(flow_packet(40000, 23, kAck), a1);
    const auto k2 = flow_key(flow_packet(40000, 23, kAck, true), a2);
    CHECK(k1 == k2);
    CHECK(a1 != a2);
}

TEST_CASE("handshake gives client, established, closed", "[flow]") {
    FlowTable t({16});
    auto r = t.track(flow_packet(40000, 23, kSyn), 1);
    Flow& f = *r.flow;
    CHECK(r.fresh);
    CHECK(f.client_known);
    CHECK(t.is_client(f, r.from_a));
    CHECK(f.state == FlowState::opening);
    r = t.track(flow_packet(40000, 23, kSyn | kAck, true), 2);
    CHECK_FALSE(r.fresh);
    CHECK_FALSE(t.is_client(f, r.from_a));
    t.track(flow_packet(40000, 23, kAck), 3);
    CHECK(f.state == FlowState::established);
    CHECK(t.active() == 1);
    t.track(flow_packet(40000, 23, kFin | kAck), 4);
    CHECK(f.state == FlowState::closed);
    CHECK(t.counts().closed == 1);
    CHECK(t.counts().created == 1);
    r = t.track(flow_packet(40000, 23, kSyn), 5);  // the tuple reused by a new connection
    CHECK(r.fresh);
    CHECK(r.flow->state == FlowState::opening);
    CHECK(t.counts().created == 2);
    CHECK(t.active() == 1);
}

TEST_CASE("midstream flows take the lower port as the server", "[flow]") {
    FlowTable t({16});
    // First packet seen is the server's reply: 23 -> 40000.
    auto r = t.track(flow_packet(40000, 23, kPsh | kAck, true), 1);
    CHECK_FALSE(t.is_client(*r.flow, r.from_a));
    r = t.track(flow_packet(40000, 23, kPsh | kAck), 2);
    CHECK(t.is_client(*r.flow, r.from_a));
}

TEST_CASE("the client hint is asked for only when a flow is picked up midstream", "[flow]") {
    FlowTable t({16});
    int asked = 0;
    auto hint = [&](bool sender_is_client) {
        return [&asked, sender_is_client] {
            ++asked;
            return std::optional<bool>(sender_is_client);
        };
    };
    const Packet syn = flow_packet(40000, 23, kSyn);
    auto r = t.track(syn, symmetric_flow_hash(syn), 1, hint(false));
    CHECK(asked == 0);  // the SYN says who the client is
    CHECK(t.is_client(*r.flow, r.from_a));
    // Midstream: the first packet seen is the server's reply, which the hint says.
    const Packet reply = flow_packet(40001, 23, kPsh | kAck, true),
                 more = flow_packet(40001, 23, kAck);
    r = t.track(reply, symmetric_flow_hash(reply), 2, hint(false));
    CHECK(asked == 1);
    CHECK_FALSE(t.is_client(*r.flow, r.from_a));
    r = t.track(more, symmetric_flow_hash(more), 3, hint(false));  // known now: not asked
    CHECK(asked == 1);
    CHECK(t.is_client(*r.flow, r.from_a));
}

TEST_CASE("endpoint order: addresses as memcmp orders them, then ports", "[flow]") {
    std::mt19937 rng(3);
    for (int i = 0; i < 20000; ++i) {
        Packet p;
        for (size_t b = 0; b < 16; ++b) {
            // Few distinct byte values: equal prefixes and equal addresses are common.
            p.src[b] = static_cast<uint8_t>(rng() % 3 == 0 ? 0 : rng() % 4 * 0x55);
            p.dst[b] = static_cast<uint8_t>(rng() % 2 == 0 ? p.src[b] : rng() % 4 * 0x55);
        }
        p.sport = static_cast<uint16_t>(rng() % 3);
        p.dport = static_cast<uint16_t>(rng() % 3);
        const int c = std::memcmp(p.src.data(), p.dst.data(), 16);
        REQUIRE(source_first(p) == (c < 0 || (c == 0 && p.sport <= p.dport)));
        REQUIRE(same_addr(p.src, p.dst) == (c == 0));
    }
}

#include "flow/tcp_seq.hpp"

TEST_CASE("TCP sequence: in order, retransmit, overlap, gap, wrap", "[flow][seq]") {
    SeqTrack t;
    auto nb = new_bytes(t, 999, 0, true, false);  // SYN
    CHECK(t.next == 1000);
    nb = new_bytes(t, 1000, 10, false, false);
    CHECK((nb.skip == 0 && nb.len == 10 && !nb.gap));
    nb = new_bytes(t, 1000, 10, false, false);  // retransmission
    CHECK((nb.skip == 10 && nb.len == 0 && !nb.gap));
    nb = new_bytes(t, 1005, 10, false, false);  // overlap: 5 old, 5 new
    CHECK((nb.skip == 5 && nb.len == 5));
    CHECK(t.next == 1015);
    nb = new_bytes(t, 1020, 4, false, false);  // 5 bytes missing
    CHECK((nb.gap && nb.skip == 0 && nb.len == 4));
    CHECK(t.next == 1024);
    nb = new_bytes(t, 1024, 0, false, true);  // FIN
    CHECK(t.next == 1025);
    nb = new_bytes(t, 1024, 0, false, true);  // FIN again
    CHECK(t.next == 1025);
    SeqTrack w;
    new_bytes(w, 0xfffffffe, 4, false, false);  // across the wrap
    nb = new_bytes(w, 2, 3, false, false);
    CHECK((nb.skip == 0 && nb.len == 3 && !nb.gap));
    SeqTrack mid;
    nb = new_bytes(mid, 5000, 7, false, false);  // midstream pick-up
    CHECK((nb.len == 7 && !nb.gap && mid.next == 5007));
}

TEST_CASE("a segment exactly 2^31 behind the stream is old data, counted without overflow",
          "[flow][seq]") {
    SeqTrack t;
    new_bytes(t, 0x80000000u, 10, false, false);  // next: 0x8000000a
    const NewBytes nb = new_bytes(t, 0x0000000au, 10, false, false);
    CHECK_FALSE(nb.gap);
    CHECK(nb.skip == 10);
    CHECK(nb.len == 0);
}

TEST_CASE("a table's memory becomes resident as flows use it, not at construction", "[flow]") {
    const size_t before = resident_bytes();
    FlowTable t({1u << 20});  // ~90 MB reserved
    REQUIRE(t.memory_bytes() > (size_t{80} << 20));
    CHECK(resident_bytes() - before < (size_t{8} << 20));
    for (uint16_t i = 0; i < 2000; ++i)
        t.track(flow_packet(static_cast<uint16_t>(10000 + i), 80, kSyn), i);
    // 2,000 flows: their entries (one 2 MiB huge page), the 16 MiB slot array (2,000 hashes
    // scatter over all of its huge pages; over up to 2,000 4 KiB pages without THP) and,
    // under MALLOC_PERTURB_, the free list's 4 MiB reserve: ~23 MB, far from the 84 MB a
    // construction that wrote everything would make resident.
    CHECK(resident_bytes() - before < (size_t{28} << 20));
    CHECK(t.active() == 2000);
    CHECK(t.used_indices() == 2000);  // handed out in order
    // Freed indices are taken again before fresh ones.
    t.expire(100'000'000, 10, [](uint32_t, const Flow&) {});
    CHECK(t.active() == 1990);
    for (uint16_t i = 0; i < 10; ++i)
        CHECK(t.track(flow_packet(static_cast<uint16_t>(20000 + i), 80, kSyn), 100'000'001).index <
              2000);
    CHECK(t.used_indices() == 2000);
    CHECK(t.track(flow_packet(30000, 80, kSyn), 100'000'002).index == 2000);
}
