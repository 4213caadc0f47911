// Per-worker flow table: bidirectional keys (VLAN included), TCP client/server and state,
// idle timeouts per state, a fixed capacity reserved at start (pages become resident as flows
// use them), second-chance (CLOCK) eviction when full: the flow longest in the queue that was
// not seen again since it was queued. Memory never grows past the capacity.
//
// Why not an exact LRU: moving a flow to the list's tail on every packet writes its two
// neighbours' entries, cold lines in a table larger than the caches (a flow mix replay ran
// 5.7 % faster with second chance, bench/README.md). Second chance marks the flow's own entry,
// which the packet writes anyway, and moves a flow only when the queue's head reaches it.
//
// Thread-safety: one table per worker, used by that worker only (symmetric distribution sends
// both directions of a flow to the same worker).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "memory/zeroed_array.hpp"
#include "packet/packet.hpp"

namespace pktsieve {

// Endpoints ordered (a <= b) so both directions of a flow have one key.
struct FlowKey {
    IpAddr a{}, b{};
    uint16_t port_a = 0, port_b = 0;
    uint16_t vlan = 0;  // outer VLAN id, 0 when untagged
    uint8_t proto = 0;
    // By hand: the defaulted one calls memcmp for each address.
    bool operator==(const FlowKey& o) const {
        return same_addr(a, o.a) && same_addr(b, o.b) && port_a == o.port_a && port_b == o.port_b &&
               vlan == o.vlan && proto == o.proto;
    }
};

// Whether the packet's source (address, then port) orders at or before its destination,
// as memcmp orders addresses: then the source is the key's endpoint a.
bool source_first(const Packet& p);

// The key of `p`, and whether the packet travels from endpoint a to b.
FlowKey flow_key(const Packet& p, bool& from_a);

enum class FlowState : uint8_t { opening, established, closed };

// 64 bytes: one cache line per flow (the table's array is mapped, so page-aligned, at a
// worker's sizes).
struct Flow {
    FlowKey key;
    uint32_t tag = 0;  // the low 32 bits of the flow's hash (its slot carries them too)
    FlowState state = FlowState::opening;
    bool client_known = false;  // from the handshake or, midstream, from the ports
    bool client_is_a = false;
    bool seen_since_queued = false;  // a packet came after it was queued: its second chance
    uint64_t last_seen_us = 0;
    uint32_t queue_prev = 0, queue_next = 0;  // indices; kNone ends the queue
};
static_assert(sizeof(Flow) == 64);

struct FlowTableConfig {
    uint32_t capacity = 65536;
    uint64_t opening_timeout_us = 30'000'000;
    uint64_t established_timeout_us = 300'000'000;
    uint64_t closed_timeout_us = 10'000'000;
};

struct FlowCounts {
    uint64_t created = 0, closed = 0, evicted = 0, timed_out = 0;
};

// What track() did. Flows live at stable indices, so owners keep per-flow state in an array of
// `capacity()` entries; an evicted flow's index is the one the new flow takes. Small: every
// packet's lookup returns one (an evicted flow's copy in it cost 64 bytes of stores each).
struct Tracked {
    Flow* flow = nullptr;
    uint32_t index = 0;
    bool from_a = false;
    bool fresh = false;  // a new flow, or a closed one reused by a new SYN: reset its state
    // The flow removed to make room (same index), as it was; valid until the next track().
    const Flow* evicted = nullptr;
};

class FlowTable {
  public:
    static constexpr uint32_t kNone = UINT32_MAX;

    explicit FlowTable(const FlowTableConfig& cfg);

    // The flow of `p` (an IP packet with ports parsed), created when new; when the table is
    // full a flow is evicted first (counted; evict_choice()). Updates TCP state and
    // last-seen time. `sender_is_client` says who the client is when no handshake shows it
    // (a flow picked up midstream); by default the higher port is the client's.
    Tracked track(const Packet& p, uint64_t now_us, std::optional<bool> sender_is_client = {});
    // As above with the packet's symmetric_flow_hash already computed (a burst's first stage);
    // `sender_is_client()` is asked only when a flow is picked up midstream (rarely: working it
    // out for every packet cost ~1 % of a worker).
    template <typename Hint>
    Tracked track(const Packet& p, uint64_t hash, uint64_t now_us, Hint&& sender_is_client) {
        Tracked t = track_flow(p, hash, now_us);
        if (!t.flow->client_known) pick_client(*t.flow, t.from_a, sender_is_client());
        return t;
    }
    // A burst's lookups, pipelined (l3fwd, VPP): first the slot each flow hashes to is fetched
    // for every packet of the burst, then the flow each slot names, so the misses of a table
    // larger than the caches overlap instead of following one another. Hints only.
    void prefetch_slot(uint64_t hash) const { __builtin_prefetch(&slots_[home(hash)]); }
    // The index of the first flow on the hash's probe chain whose slot carries the hash's tag,
    // its entry prefetched (kNone: none among the first few slots). Almost always the flow
    // itself; the lookup that follows decides.
    uint32_t prefetch_flow(uint64_t hash) const {
        const uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
        for (uint32_t s = home(hash), n = 0; n < 4; s = (s + 1) & mask, ++n) {
            const uint64_t e = slots_[s];
            if (e == 0) return kNone;
            if (slot_tag(e) == static_cast<uint32_t>(hash)) {
                __builtin_prefetch(&flows_[slot_index(e)]);
                return slot_index(e);
            }
        }
        return kNone;
    }
    // Removes flows idle past their state's timeout, from the queue's head, at most `budget` of
    // them (and gives at most `budget` flows seen again their second chance on the way); calls
    // `on_expire(index, flow)` before each removal. Returns how many were removed.
    template <typename Fn>
    size_t expire(uint64_t now_us, size_t budget, Fn&& on_expire);

    bool is_client(const Flow& f, bool from_a) const { return f.client_is_a == from_a; }
    // Calls fn(index, flow) for every live flow (shutdown).
    template <typename Fn>
    void for_each(Fn&& fn) {
        for (uint32_t i = queue_head_; i != kNone; i = flows_[i].queue_next) fn(i, flows_[i]);
    }
    uint32_t active() const { return active_; }
    uint32_t capacity() const { return static_cast<uint32_t>(flows_.size()); }
    // Indices handed out so far: every flow index is below it (they are handed out in order,
    // freed ones first).
    uint32_t used_indices() const { return next_fresh_; }
    const FlowCounts& counts() const { return counts_; }
    // Bytes this table reserves, all at construction.
    size_t memory_bytes() const;

  private:
    // A slot: the flow's index + 1 in its low half (0: empty), the low 32 bits of its hash in
    // its high half (the tag). Probing and backward-shift deletion read only slots: a tag
    // mismatch or a home slot never costs a miss on another flow's entry.
    static uint64_t slot_of(uint32_t idx, uint64_t h) {
        return uint64_t{static_cast<uint32_t>(h)} << 32 | (idx + 1);
    }
    static uint32_t slot_index(uint64_t e) { return static_cast<uint32_t>(e) - 1; }
    static uint32_t slot_tag(uint64_t e) { return static_cast<uint32_t>(e >> 32); }
    uint32_t home(uint64_t h) const {
        return static_cast<uint32_t>(h) & static_cast<uint32_t>(slots_.size() - 1);
    }
    // track() without deciding the client of a TCP flow picked up midstream (client_known
    // stays false; track() asks its hint then).
    Tracked track_flow(const Packet& p, uint64_t h, uint64_t now_us);
    // Without a hint the lower port is the server's (ephemeral ports are high).
    static void pick_client(Flow& f, bool from_a, std::optional<bool> sender_is_client) {
        f.client_known = true;
        f.client_is_a =
            sender_is_client ? (*sender_is_client == from_a) : f.key.port_a > f.key.port_b;
    }
    uint32_t find(const FlowKey& k, uint64_t h) const;
    uint32_t insert(const FlowKey& k, uint64_t h, uint64_t now_us);
    void reset(uint32_t idx, const FlowKey& k, uint64_t h, uint64_t now_us);
    void remove(uint32_t idx);
    void queue_unlink(uint32_t idx);
    void queue_push_back(uint32_t idx);
    // The head goes to the tail, its mark cleared: it was seen since it was queued.
    void requeue_head() {
        const uint32_t idx = queue_head_;
        flows_[idx].seen_since_queued = false;
        queue_unlink(idx);
        queue_push_back(idx);
    }
    // The flow a full table evicts: the queue's first flow not seen since it was queued. Each
    // flow passed over loses its mark, so this ends within `active()` steps; and only a packet
    // sets a mark, so over a run there are no more steps than packets.
    uint32_t evict_choice() {
        while (flows_[queue_head_].seen_since_queued) requeue_head();
        return queue_head_;
    }
    uint64_t timeout_of(const Flow& f) const;

    FlowTableConfig cfg_;
    ZeroedArray<Flow> flows_;
    // Open addressing, linear probing (slot_of; zeroed pages are empty).
    ZeroedArray<uint64_t> slots_;
    Flow evicted_;                // the last flow evicted (Tracked::evicted)
    std::vector<uint32_t> free_;  // indices freed, taken before fresh ones
    uint32_t next_fresh_ = 0;     // indices at and above it were never handed out
    // Flows in the order they were queued (created, or passed over by the head): head first.
    uint32_t queue_head_ = kNone, queue_tail_ = kNone;
    uint32_t active_ = 0;
    FlowCounts counts_;
};

template <typename Fn>
size_t FlowTable::expire(uint64_t now_us, size_t budget, Fn&& on_expire) {
    size_t removed = 0, requeued = 0;
    // Flows idle longest sit near the queue's head. A flow at the head that was seen again
    // goes to the tail; one not seen again and not yet expired (a longer timeout, or queued
    // after its last packet) ends the walk and can hide an expired one behind it until it
    // expires itself or is passed over: this delays reclaiming, never loses a flow, and never
    // removes one before its timeout (each removal reads the flow's own last-seen time).
    while (removed < budget && queue_head_ != kNone) {
        Flow& f = flows_[queue_head_];
        if (now_us - f.last_seen_us < timeout_of(f)) {
            if (!f.seen_since_queued || requeued == budget) break;
            requeue_head();
            ++requeued;
            continue;
        }
        on_expire(queue_head_, f);
        ++counts_.timed_out;
        remove(queue_head_);
        ++removed;
    }
    return removed;
}

}  // namespace pktsieve
