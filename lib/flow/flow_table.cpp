#include "flow/flow_table.hpp"

#include <bit>
#include <cstring>

#include "packet/flow_hash.hpp"

namespace pktsieve {

namespace {

uint32_t slot_count(uint32_t capacity) {
    uint32_t n = 1;
    while (n < capacity * 2) n <<= 1;  // load factor <= 0.5 keeps probes short
    return n;
}

void update_tcp(Flow& f, const Packet& p, bool from_a) {
    const uint8_t fl = p.tcp_flags;
    if ((fl & kTcpSyn) && !f.client_known) {
        f.client_known = true;
        f.client_is_a = (fl & kTcpAck) ? !from_a : from_a;  // SYN from the client, SYN-ACK to it
    }
    if (fl & (kTcpFin | kTcpRst)) {
        f.state = FlowState::closed;
    } else if (f.state == FlowState::opening && ((fl & kTcpAck) && !(fl & kTcpSyn))) {
        f.state = FlowState::established;
    }
}

}  // namespace

// Whether the packet's source endpoint (address, then port) orders at or before its
// destination: endpoint a of the flow key. Addresses compare as memcmp would (big-endian
// numbers), inline: a library memcmp per packet cost ~4 % of a worker.
bool source_first(const Packet& p) {
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

FlowKey flow_key(const Packet& p, bool& from_a) {
    FlowKey k;
    from_a = source_first(p);
    k.a = from_a ? p.src : p.dst;
    k.b = from_a ? p.dst : p.src;
    k.port_a = from_a ? p.sport : p.dport;
    k.port_b = from_a ? p.dport : p.sport;
    k.vlan = p.vlan_count ? p.vlan[0] : 0;
    k.proto = p.proto;
    return k;
}

FlowTable::FlowTable(const FlowTableConfig& cfg)
    : cfg_(cfg), flows_(cfg.capacity), slots_(slot_count(cfg.capacity)) {
    free_.reserve(cfg.capacity);  // reserved, untouched until flows are freed
}

size_t FlowTable::memory_bytes() const {
    return flows_.memory_bytes() + slots_.memory_bytes() + free_.capacity() * sizeof(uint32_t);
}

uint64_t FlowTable::timeout_of(const Flow& f) const {
    switch (f.state) {
        case FlowState::established:
            return cfg_.established_timeout_us;
        case FlowState::closed:
            return cfg_.closed_timeout_us;
        default:
            return cfg_.opening_timeout_us;
    }
}

uint32_t FlowTable::find(const FlowKey& k, uint64_t h) const {
    const uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
    for (uint32_t s = home(h);; s = (s + 1) & mask) {
        const uint64_t e = slots_[s];
        if (e == 0) return kNone;
        if (slot_tag(e) != static_cast<uint32_t>(h)) continue;
        if (flows_[slot_index(e)].key == k) return slot_index(e);
    }
}

void FlowTable::queue_unlink(uint32_t idx) {
    Flow& f = flows_[idx];
    (f.queue_prev == kNone ? queue_head_ : flows_[f.queue_prev].queue_next) = f.queue_next;
    (f.queue_next == kNone ? queue_tail_ : flows_[f.queue_next].queue_prev) = f.queue_prev;
}

void FlowTable::queue_push_back(uint32_t idx) {
    Flow& f = flows_[idx];
    f.queue_prev = queue_tail_;
    f.queue_next = kNone;
    (queue_tail_ == kNone ? queue_head_ : flows_[queue_tail_].queue_next) = idx;
    queue_tail_ = idx;
}

// A new flow at `idx`, queued last.
void FlowTable::reset(uint32_t idx, const FlowKey& k, uint64_t h, uint64_t now_us) {
    Flow& f = flows_[idx];
    f = Flow{};
    f.key = k;
    f.tag = static_cast<uint32_t>(h);
    f.last_seen_us = now_us;
    queue_push_back(idx);
}

uint32_t FlowTable::insert(const FlowKey& k, uint64_t h, uint64_t now_us) {
    uint32_t idx;
    if (free_.empty()) {
        idx = next_fresh_++;
    } else {
        idx = free_.back();
        free_.pop_back();
    }
    reset(idx, k, h, now_us);
    const uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
    uint32_t s = home(h);
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = slot_of(idx, h);
    ++active_;
    ++counts_.created;
    return idx;
}

// Backward-shift deletion keeps every probe chain unbroken without tombstones.
void FlowTable::remove(uint32_t idx) {
    const uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
    uint32_t s = home(flows_[idx].tag);
    while (static_cast<uint32_t>(slots_[s]) != idx + 1) s = (s + 1) & mask;
    for (uint32_t next = (s + 1) & mask; slots_[next] != 0; next = (next + 1) & mask) {
        const uint32_t at = slot_tag(slots_[next]) & mask;  // the entry's home slot
        // Move the entry back if its home slot is not in the cyclic range (s, next].
        if (((next - at) & mask) >= ((next - s) & mask)) {
            slots_[s] = slots_[next];
            s = next;
        }
    }
    slots_[s] = 0;
    queue_unlink(idx);
    free_.push_back(idx);
    --active_;
}

Tracked FlowTable::track(const Packet& p, uint64_t now_us, std::optional<bool> sender_is_client) {
    return track(p, symmetric_flow_hash(p), now_us, [&] { return sender_is_client; });
}

Tracked FlowTable::track_flow(const Packet& p, uint64_t h, uint64_t now_us) {
    Tracked t;
    const FlowKey k = flow_key(p, t.from_a);
    uint32_t idx = find(k, h);
    const bool new_syn =
        p.proto == kProtoTcp && (p.tcp_flags & kTcpSyn) && !(p.tcp_flags & kTcpAck);
    if (idx != kNone && new_syn && flows_[idx].state == FlowState::closed) {
        // The 5-tuple is reused by a new connection: a new flow in the closed one's place
        // (same slot and index; it would be the index freed first anyway).
        queue_unlink(idx);
        reset(idx, k, h, now_us);
        ++counts_.created;
        t.fresh = true;
    } else if (idx == kNone) {
        if (free_.empty() && next_fresh_ == capacity()) {
            const uint32_t victim = evict_choice();
            evicted_ = flows_[victim];
            t.evicted = &evicted_;
            ++counts_.evicted;
            remove(victim);
        }
        idx = insert(k, h, now_us);
        t.fresh = true;
    } else {
        flows_[idx].seen_since_queued = true;  // its entry's line, written below anyway
    }
    Flow& f = flows_[idx];
    t.flow = &f;
    t.index = idx;
    const bool was_closed = f.state == FlowState::closed;
    f.last_seen_us = now_us;
    if (p.proto == kProtoTcp) {
        update_tcp(f, p, t.from_a);
    } else if (!f.client_known) {
        f.client_known = true;
        f.client_is_a = t.from_a;  // the first datagram's sender is the client
    }
    if (!was_closed && f.state == FlowState::closed) ++counts_.closed;
    return t;
}

}  // namespace pktsieve
