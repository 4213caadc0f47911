#include "observe/observation.hpp"

#include <algorithm>
#include <cstring>

namespace pktsieve {

Observation::Observation(uint32_t port_sketches, bool reserve)
    : port_sketches_(std::min(port_sketches, kPortKeys)),
      accesses_(kPortKeys),
      sketch_of_(kPortKeys) {
    touched_.reserve(reserve ? kPortKeys : 1024);
    if (reserve) sketches_.reserve(port_sketches_);
    threats_.reserve(kThreats);
}

uint32_t Observation::new_sketch() {
    if (sketches_.size() >= port_sketches_) return kUntracked;
    sketches_.emplace_back();
    return static_cast<uint32_t>(sketches_.size() - 1);
}

ThreatObservation& Observation::threat(std::string_view name) {
    name = name.substr(0, ThreatObservation::kMaxName);
    for (auto& t : threats_)
        if (t.name_view() == name) return t;
    if (threats_.size() == kThreats) return threats_.back();
    ThreatObservation& t = threats_.emplace_back();
    std::memcpy(t.name.data(), name.data(), name.size());
    t.name_len = static_cast<uint8_t>(name.size());
    return t;
}

void Observation::alert(std::string_view threat_name, const IpAddr& attacker) {
    ThreatObservation& t = threat(threat_name);
    ++t.alerts;
    t.sources.add(address_hash(attacker));
    t.top.add({attacker});
}

void Observation::merge(const Observation& o) {
    for (const uint32_t key : o.touched_) {
        if (accesses_[key] == 0) touched_.push_back(key);
        accesses_[key] += o.accesses_[key];
        const PortSketch* theirs = o.sources(key);
        uint32_t s = sketch_of(key);
        if (!theirs) {
            // Sources the other side could not track are unknown here too.
            if (o.sketch_of(key) == kUntracked) set_sketch(key, kUntracked);
            continue;
        }
        if (s == kNoSketch) set_sketch(key, s = new_sketch());
        if (s != kUntracked) sketches_[s].merge(*theirs);
    }
    sensors_.merge(o.sensors_);
    pairs_.merge(o.pairs_);
    for (const auto& t : o.threats_) {
        ThreatObservation& mine = threat(t.name_view());
        mine.alerts += t.alerts;
        mine.sources.merge(t.sources);
        mine.top.merge(t.top);
    }
    for (size_t k = 0; k < kIntelKinds; ++k) intel_[k].merge(o.intel_[k]);
}

void Observation::clear() {
    for (const uint32_t key : touched_) {
        accesses_[key] = 0;
        set_sketch(key, kNoSketch);
    }
    touched_.clear();
    sketches_.clear();
    sensors_.clear();
    last_dst_counted_ = false;
    pairs_.clear();
    threats_.clear();
    for (auto& i : intel_) i.clear();
}

uint64_t Observation::intel_total() const {
    uint64_t n = 0;
    for (const auto& i : intel_) n += i.total();
    return n;
}

size_t Observation::memory_bytes() const {
    return sizeof(*this) + accesses_.memory_bytes() + sketch_of_.memory_bytes() +
           touched_.capacity() * sizeof(uint32_t) + sketches_.capacity() * sizeof(PortSketch) +
           threats_.capacity() * sizeof(ThreatObservation);
}

}  // namespace pktsieve
