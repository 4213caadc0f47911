#include <catch2/catch.hpp>

#include <cstring>
#include <list>
#include <map>
#include <random>

#include "flow/flow_table.hpp"
#include "frames.hpp"
#include "packet/flow_hash.hpp"
#include "resident.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {

Packet packet(uint16_t sport, uint16_t dport, uint8_t flags, bool reverse = false,
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

}  // namespace

TEST_CASE("flow key is the same both ways", "[flow]") {
    bool a1 = false, a2 = false;
    const auto k1 = flow_key(packet(40000, 23, kAck), a1);
    const auto k2 = flow_key(packet(40000, 23, kAck, true), a2);
    CHECK(k1 == k2);
    CHECK(a1 != a2);
}

TEST_CASE("handshake gives client, established, closed", "[flow]") {
    FlowTable t({16});
    auto r = t.track(packet(40000, 23, kSyn), 1);
    Flow& f = *r.flow;
    CHECK(r.fresh);
    CHECK(f.client_known);
    CHECK(t.is_client(f, r.from_a));
    CHECK(f.state == FlowState::opening);
    r = t.track(packet(40000, 23, kSyn | kAck, true), 2);
    CHECK_FALSE(r.fresh);
    CHECK_FALSE(t.is_client(f, r.from_a));
    t.track(packet(40000, 23, kAck), 3);
    CHECK(f.state == FlowState::established);
    CHECK(t.active() == 1);
    t.track(packet(40000, 23, kFin | kAck), 4);
    CHECK(f.state == FlowState::closed);
    CHECK(t.counts().closed == 1);
    CHECK(t.counts().created == 1);
    r = t.track(packet(40000, 23, kSyn), 5);  // the tuple reused by a new connection
    CHECK(r.fresh);
    CHECK(r.flow->state == FlowState::opening);
    CHECK(t.counts().created == 2);
    CHECK(t.active() == 1);
}

TEST_CASE("midstream flows take the lower port as the server", "[flow]") {
    FlowTable t({16});
    // First packet seen is the server's reply: 23 -> 40000.
    auto r = t.track(packet(40000, 23, kPsh | kAck, true), 1);
    CHECK_FALSE(t.is_client(*r.flow, r.from_a));
    r = t.track(packet(40000, 23, kPsh | kAck), 2);
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
    const Packet syn = packet(40000, 23, kSyn);
    auto r = t.track(syn, symmetric_flow_hash(syn), 1, hint(false));
    CHECK(asked == 0);  // the SYN says who the client is
    CHECK(t.is_client(*r.flow, r.from_a));
    // Midstream: the first packet seen is the server's reply, which the hint says.
    const Packet reply = packet(40001, 23, kPsh | kAck, true), more = packet(40001, 23, kAck);
    r = t.track(reply, symmetric_flow_hash(reply), 2, hint(false));
    CHECK(asked == 1);
    CHECK_FALSE(t.is_client(*r.flow, r.from_a));
    r = t.track(more, symmetric_flow_hash(more), 3, hint(false));  // known now: not asked
    CHECK(asked == 1);
    CHECK(t.is_client(*r.flow, r.from_a));
}

TEST_CASE("a full table evicts the flow queued longest that was not seen again; memory is fixed",
          "[flow]") {
    FlowTable t({64});
    const size_t bytes = t.memory_bytes();
    for (uint16_t i = 0; i < 64; ++i)
        t.track(packet(static_cast<uint16_t>(10000 + i), 80, kSyn), i);
    CHECK(t.active() == 64);
    t.track(packet(10000, 80, kAck), 100);  // flow 0 is seen again: its second chance
    auto r = t.track(packet(20000, 80, kSyn), 101);
    CHECK(r.evicted);
    CHECK(r.evicted->key.port_b == 10001);  // the oldest untouched flow went, not flow 0
    CHECK(t.active() == 64);
    CHECK(t.counts().evicted == 1);
    // Flow 0 went to the queue's tail when it was passed over: flows 2..63 go before it.
    for (uint16_t i = 2; i < 64; ++i) {
        r = t.track(packet(static_cast<uint16_t>(21000 + i), 80, kSyn), 200 + i);
        REQUIRE(r.evicted);
        CHECK(r.evicted->key.port_b == 10000 + i);
    }
    r = t.track(packet(22000, 80, kSyn), 300);
    CHECK(r.evicted->key.port_b == 10000);  // its chance used: not seen since
    for (uint16_t i = 0; i < 1000; ++i)
        t.track(packet(static_cast<uint16_t>(30000 + i), 80, kSyn), 400 + i);
    CHECK(t.active() == 64);
    CHECK(t.counts().evicted == 1064);
    CHECK(t.memory_bytes() == bytes);
}

TEST_CASE("idle flows expire by their state's timeout, oldest first", "[flow]") {
    FlowTableConfig cfg{16, 100, 1000, 10};
    FlowTable t(cfg);
    t.track(packet(1000, 80, kSyn), 0);  // opening, idle from 0
    t.track(packet(1001, 80, kAck), 5);  // midstream ACK: established
    t.track(packet(1002, 80, kFin), 6);  // closed
    std::vector<uint16_t> gone;
    auto note = [&](uint32_t, const Flow& f) {
        gone.push_back(std::max(f.key.port_a, f.key.port_b));
    };
    CHECK(t.expire(50, 10, note) == 0);
    CHECK(t.expire(150, 10, note) == 1);  // the opening flow; the established one blocks the rest
    CHECK(gone == std::vector<uint16_t>{1000});
    CHECK(t.expire(2000, 1, note) == 1);  // budget
    CHECK(t.expire(2000, 10, note) == 1);
    CHECK(t.active() == 0);
    CHECK(t.counts().timed_out == 3);
}

namespace {

// The eviction and expiry order FlowTable promises, kept the plain way (all timeouts equal).
struct SecondChanceModel {
    struct Entry {
        uint64_t seen;
        bool again;  // seen since queued
    };
    size_t capacity;
    uint64_t timeout;
    std::list<uint16_t> queue;  // head first
    std::map<uint16_t, Entry> flows;

    void requeue_head() {
        flows[queue.front()].again = false;
        queue.splice(queue.end(), queue, queue.begin());
    }
    // The port evicted to make room (0: none).
    uint16_t track(uint16_t port, uint64_t now) {
        if (auto it = flows.find(port); it != flows.end()) {
            it->second = {now, true};
            return 0;
        }
        uint16_t evicted = 0;
        if (flows.size() == capacity) {
            while (flows[queue.front()].again) requeue_head();
            evicted = queue.front();
            flows.erase(evicted);
            queue.pop_front();
        }
        queue.push_back(port);
        flows[port] = {now, false};
        return evicted;
    }
    std::vector<uint16_t> expire(uint64_t now, size_t budget) {
        std::vector<uint16_t> gone;
        size_t requeued = 0;
        while (gone.size() < budget && !queue.empty()) {
            const Entry& e = flows[queue.front()];
            if (now - e.seen < timeout) {
                if (!e.again || requeued == budget) break;
                requeue_head();
                ++requeued;
                continue;
            }
            gone.push_back(queue.front());
            flows.erase(queue.front());
            queue.pop_front();
        }
        return gone;
    }
};

}  // namespace

TEST_CASE("eviction and expiry follow the second-chance order under random traffic", "[flow]") {
    // 200 ports on 64 flows: most new flows evict one; expiry with small budgets often stops
    // on a flow seen again or at its budget.
    FlowTableConfig cfg{64, 60, 60, 60};
    FlowTable t(cfg);
    SecondChanceModel model{64, 60, {}, {}};
    std::mt19937 rng(7);
    size_t evictions = 0, expiries = 0;
    for (uint64_t now = 1; now < 20000; ++now) {
        // Some ports far more often than others, as real traffic: they are seen again.
        const auto port = static_cast<uint16_t>(1024 + (rng() % 3 ? rng() % 40 : rng() % 200));
        const uint64_t created = t.counts().created;
        const Tracked r = t.track(packet(port, 80, kAck), now);
        const uint16_t evicted = model.track(port, now);
        CHECK((t.counts().created > created) == r.fresh);
        REQUIRE((r.evicted != nullptr) == (evicted != 0));
        if (r.evicted) {
            REQUIRE(std::max(r.evicted->key.port_a, r.evicted->key.port_b) == evicted);
            ++evictions;
        }
        if (now % 17 == 0) {
            const size_t budget = 1 + rng() % 8;
            std::vector<uint16_t> gone;
            t.expire(now, budget, [&](uint32_t, const Flow& f) {
                CHECK(now - f.last_seen_us >= 60);  // never before its timeout
                gone.push_back(std::max(f.key.port_a, f.key.port_b));
            });
            REQUIRE(gone == model.expire(now, budget));
            expiries += gone.size();
        }
        REQUIRE(t.active() == model.flows.size());
    }
    CHECK(evictions > 1000);
    CHECK(expiries > 100);
    // Every flow the model holds is still found (touching it creates nothing).
    const uint64_t created = t.counts().created;
    for (const auto& [port, e] : model.flows)
        CHECK_FALSE(t.track(packet(port, 80, kAck), 30000).fresh);
    CHECK(t.counts().created == created);
}

TEST_CASE("colliding hashes: probe chains, tags and deletion stay consistent", "[flow]") {
    // Hashes from a handful of values: long probe chains, slots whose tag matches another
    // flow's (same low 32 bits, different hash), and flows whose whole hash is the same, under
    // eviction, SYN reuse of closed tuples and expiry.
    const auto hash_of = [](uint16_t port) -> uint64_t {
        if (port % 3 == 0) return 7;                         // one value
        if (port % 3 == 1) return uint64_t{port} << 40 | 9;  // one tag, different hashes
        return uint64_t{port} % 11 * 0x10001;                // clustered homes
    };
    FlowTableConfig cfg{64, 50, 50, 50};
    FlowTable t(cfg);
    std::map<uint16_t, uint64_t> live;  // port -> last seen
    std::mt19937 rng(11);
    for (uint64_t now = 1; now < 20000; ++now) {
        const auto port = static_cast<uint16_t>(1024 + rng() % 120);
        const uint64_t hash = hash_of(port);
        const uint8_t flags = rng() % 5 == 0 ? kFin : rng() % 4 == 0 ? kSyn : kAck;
        const uint64_t created = t.counts().created;
        const Tracked r =
            t.track(packet(port, 80, flags), hash, now, [] { return std::optional<bool>{}; });
        const bool known = live.count(port) != 0;
        // A known tuple is new again only when a SYN reuses it after a FIN.
        if (!known) CHECK(r.fresh);
        CHECK((t.counts().created > created) == r.fresh);
        CHECK(r.flow->key.port_a == 80);
        CHECK(r.flow->key.port_b == port);
        live[port] = now;
        if (t.active() < live.size()) {
            REQUIRE(r.evicted);
            live.erase(std::max(r.evicted->key.port_a, r.evicted->key.port_b));
        }
        if (now % 97 == 0)
            t.expire(now, 1000, [&](uint32_t, const Flow& f) {
                live.erase(std::max(f.key.port_a, f.key.port_b));
            });
        REQUIRE(t.active() == live.size());
    }
    // Every flow the model holds is still found (touching it creates nothing).
    const uint64_t created = t.counts().created;
    for (const auto& [port, seen] : live) {
        CHECK_FALSE(t.track(packet(port, 80, kAck), hash_of(port), 30000, [] {
                         return std::optional<bool>{};
                     }).fresh);
    }
    CHECK(t.counts().created == created);
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
        t.track(packet(static_cast<uint16_t>(10000 + i), 80, kSyn), i);
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
        CHECK(t.track(packet(static_cast<uint16_t>(20000 + i), 80, kSyn), 100'000'001).index <
              2000);
    CHECK(t.used_indices() == 2000);
    CHECK(t.track(packet(30000, 80, kSyn), 100'000'002).index == 2000);
}
