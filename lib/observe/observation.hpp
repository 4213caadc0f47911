// What a sensor observes, apart from alerts: accesses per destination port (TCP connection
// attempts, i.e. SYN without ACK, and UDP datagrams, per protocol and port, all 65,536 ports),
// the distinct sources per port and the distinct sensor addresses accessed (HyperLogLog), the
// heaviest (port, source) pairs, per threat the alerts, distinct and top sources, and the
// attacker intel the parsers read (intel.hpp). One Observation holds one stretch of time: a
// worker fills one and hands it over; the aggregator merges them per interval and in total.
//
// Bounded: a worker's Observation is allocated once (observation_bytes()); per-port source
// sketches are handed out to the first `port_sketches` ports of a stretch, later ports count
// their accesses exactly but their sources as untracked.
// Thread-safety: one writer; handed between threads whole (through a ring), never shared.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "memory/zeroed_array.hpp"
#include "observe/hyperloglog.hpp"
#include "observe/intel.hpp"
#include "observe/space_saving.hpp"
#include "packet/packet.hpp"

namespace pktsieve {

// (protocol, port) as one index: TCP ports 0..65535, UDP ports 65536..131071.
inline constexpr uint32_t kPortKeys = 2 * 65536;
inline uint32_t port_key(uint8_t proto, uint16_t port) {
    return (proto == kProtoUdp ? 65536u : 0u) + port;
}
inline uint8_t port_key_proto(uint32_t key) {
    return key >= 65536 ? kProtoUdp : kProtoTcp;
}
inline uint16_t port_key_port(uint32_t key) {
    return static_cast<uint16_t>(key & 0xffff);
}

struct SourceKey {
    IpAddr addr{};
    uint64_t hash() const { return address_hash(addr); }
    bool operator==(const SourceKey&) const = default;
    bool operator<(const SourceKey& o) const { return addr < o.addr; }
};

struct PortSourceKey {
    IpAddr addr{};
    uint32_t port = 0;  // port_key
    uint64_t h = 0;     // of both, computed once (of(): the address's hash is at hand)
    static PortSourceKey of(const IpAddr& a, uint32_t port, uint64_t address_h) {
        return {a, port, address_h ^ (uint64_t{port} * 0x9e3779b97f4a7c15ull)};
    }
    uint64_t hash() const { return h; }
    bool operator==(const PortSourceKey&) const = default;
    bool operator<(const PortSourceKey& o) const {
        return port != o.port ? port < o.port : addr < o.addr;
    }
};

struct ThreatObservation {
    static constexpr size_t kMaxName = 64;
    std::array<char, kMaxName> name{};
    uint8_t name_len = 0;
    uint64_t alerts = 0;
    WideSketch sources;                // distinct attackers
    SpaceSaving<SourceKey, 8, 4> top;  // by alerts
    std::string_view name_view() const { return {name.data(), name_len}; }
};

class Observation {
  public:
    static constexpr uint32_t kWorkerPortSketches = 8192;
    static constexpr uint32_t kThreats = 32;  // names past these count as the last
    // (port, source) pairs: 128 sets of 4 counters; intel: 16 sets of 4 (space_saving.hpp).
    using Pairs = SpaceSaving<PortSourceKey, 128, 4>;
    using Intel = SpaceSaving<IntelText, 16, 4>;

    // `port_sketches`: how many ports get a source sketch; `reserve`: allocate them now (a
    // worker: nothing allocates later) or as they are handed out (the aggregator's totals).
    explicit Observation(uint32_t port_sketches = kWorkerPortSketches, bool reserve = true);

    // A connection attempt or datagram from `src` to `dst`:`port`.
    void access(uint8_t proto, uint16_t port, const IpAddr& src, const IpAddr& dst) {
        const uint32_t key = port_key(proto, port);
        if (accesses_[key]++ == 0) touched_.push_back(key);
        uint32_t s = sketch_of(key);
        if (s == kNoSketch) set_sketch(key, s = new_sketch());
        const uint64_t src_hash = address_hash(src);
        if (s != kUntracked) sketches_[s].add(src_hash);
        // A sensor has few addresses: each change is hashed and counted once (adding the same
        // one to a HyperLogLog again changes nothing).
        if (dst != last_dst_ || !last_dst_counted_) {
            last_dst_ = dst;
            sensors_.add(address_hash(dst));
            last_dst_counted_ = true;
        }
        pairs_.add(PortSourceKey::of(src, key, src_hash));
    }
    void alert(std::string_view threat, const IpAddr& attacker);
    void intel(IntelKind k, const IntelText& t) { intel_[static_cast<size_t>(k)].add(t); }

    void merge(const Observation& o);
    void clear();
    bool empty() const { return touched_.empty() && threats_.empty() && intel_total() == 0; }

    uint64_t accesses(uint32_t key) const { return accesses_[key]; }
    // Ports with accesses, in first-seen order.
    const std::vector<uint32_t>& ports() const { return touched_; }
    // Null when the port had no sketch to spare.
    const PortSketch* sources(uint32_t key) const {
        const uint32_t s = sketch_of(key);
        return s < kUntracked ? &sketches_[s] : nullptr;
    }
    const WideSketch& sensor_addresses() const { return sensors_; }
    const std::vector<ThreatObservation>& threats() const { return threats_; }
    const Pairs& pairs() const { return pairs_; }
    const Intel& intel(IntelKind k) const { return intel_[static_cast<size_t>(k)]; }
    // Bytes this object holds (for the memory figure).
    size_t memory_bytes() const;

  private:
    static constexpr uint32_t kNoSketch = UINT32_MAX, kUntracked = UINT32_MAX - 1;
    // sketch_of_ holds a port's sketch + 1 (wrapping), so its zero pages mean kNoSketch.
    uint32_t sketch_of(uint32_t key) const { return sketch_of_[key] - 1u; }
    void set_sketch(uint32_t key, uint32_t s) { sketch_of_[key] = s + 1u; }
    uint32_t new_sketch();
    ThreatObservation& threat(std::string_view name);
    uint64_t intel_total() const;

    uint32_t port_sketches_;
    // Per port key, in zeroed mappings: an Observation is built per worker piece and
    // aggregator interval, and filling 1.5 MiB each (every page faulted in at start) cost
    // a --pcap run on a one-packet file ~10 % of its start-up.
    ZeroedArray<uint64_t> accesses_;
    ZeroedArray<uint32_t> sketch_of_;  // see sketch_of()
    std::vector<uint32_t> touched_;
    std::vector<PortSketch> sketches_;
    WideSketch sensors_;
    IpAddr last_dst_{};
    bool last_dst_counted_ = false;  // in sensors_ (clear() empties it)
    Pairs pairs_;
    std::vector<ThreatObservation> threats_;  // reserved: kThreats
    std::array<Intel, kIntelKinds> intel_;
};

}  // namespace pktsieve
