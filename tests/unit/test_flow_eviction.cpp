// The flow table's eviction (second chance), expiry and probe chains.
#include <catch2/catch.hpp>

#include <list>
#include <map>
#include <random>
#include <vector>

#include "flow/flow_table.hpp"
#include "flow_packets.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

TEST_CASE("a full table evicts the flow queued longest that was not seen again; memory is fixed",
          "[flow]") {
    FlowTable t({64});
    const size_t bytes = t.memory_bytes();
    for (uint16_t i = 0; i < 64; ++i)
        t.track(flow_packet(static_cast<uint16_t>(10000 + i), 80, kSyn), i);
    CHECK(t.active() == 64);
    t.track(flow_packet(10000, 80, kAck), 100);  // flow 0 is seen again: its second chance
    auto r = t.track(flow_packet(20000, 80, kSyn), 101);
    CHECK(r.evicted);
    CHECK(r.evicted->key.port_b == 10001);  // the oldest untouched flow went, not flow 0
    CHECK(t.active() == 64);
    CHECK(t.counts().evicted == 1);
    // Flow 0 went to the queue's tail when it was passed over: flows 2..63 go before it.
    for (uint16_t i = 2; i < 64; ++i) {
        r = t.track(flow_packet(static_cast<uint16_t>(21000 + i), 80, kSyn), 200 + i);
        REQUIRE(r.evicted);
        CHECK(r.evicted->key.port_b == 10000 + i);
    }
    r = t.track(flow_packet(22000, 80, kSyn), 300);
    CHECK(r.evicted->key.port_b == 10000);  // its chance used: not seen since
    for (uint16_t i = 0; i < 1000; ++i)
        t.track(flow_packet(static_cast<uint16_t>(30000 + i), 80, kSyn), 400 + i);
    CHECK(t.active() == 64);
    CHECK(t.counts().evicted == 1064);
    CHECK(t.memory_bytes() == bytes);
}

TEST_CASE("idle flows expire by their state's timeout, oldest first", "[flow]") {
    FlowTableConfig cfg{16, 100, 1000, 10};
    FlowTable t(cfg);
    t.track(flow_packet(1000, 80, kSyn), 0);  // opening, idle from 0
    t.track(flow_packet(1001, 80, kAck), 5);  // midstream ACK: established
    t.track(flow_packet(1002, 80, kFin), 6);  // closed
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
        const Tracked r = t.track(flow_packet(port, 80, kAck), now);
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
        CHECK_FALSE(t.track(flow_packet(port, 80, kAck), 30000).fresh);
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
            t.track(flow_packet(port, 80, flags), hash, now, [] { return std::optional<bool>{}; });
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
        CHECK_FALSE(t.track(flow_packet(port, 80, kAck), hash_of(port), 30000, [] {
                         return std::optional<bool>{};
                     }).fresh);
    }
    CHECK(t.counts().created == created);
}
