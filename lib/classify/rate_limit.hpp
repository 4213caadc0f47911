// threshold and detection_filter state: how often each rule fired per source or destination
// address within its time window. A fixed-size table per worker (no allocation after
// construction); when a probe window is full of live entries, the one whose window began
// earliest is replaced and counted. Counts are per worker: flows of one address that RSS puts
// on different workers are counted apart (docs/rules.md).
// Thread-safety: one owner (the worker's Pipeline).
#pragma once

#include <cstdint>

#include "memory/zeroed_array.hpp"

#include "packet/packet.hpp"
#include "rules/rule.hpp"

namespace pktsieve {

class RateTracker {
  public:
    explicit RateTracker(size_t capacity = 16384);
    // Whether this event of `rule` passes `rl` (Suricata's semantics per type), counted against
    // `addr` at packet time `now_us`.
    bool pass(uint32_t rule, const RateLimit& rl, const IpAddr& addr, uint64_t now_us);
    // Forgets everything (a reloaded rule set renumbers its rules). O(1): entries of an earlier
    // epoch count as free, so a reload does not stall the worker clearing the table.
    void clear() { ++epoch_; }
    uint64_t replaced() const { return replaced_; }
    size_t memory_bytes() const { return slots_.memory_bytes(); }

  private:
    static constexpr size_t kProbe = 8;
    struct Entry {
        IpAddr addr{};
        uint32_t rule = 0;
        uint8_t type = 0;    // RateLimit::Type; 0 (none) marks a free slot
        uint32_t epoch = 0;  // of clear() calls when written; another epoch's entry is free
        uint32_t count = 0;
        uint64_t start_us = 0;
        uint64_t expires_us = 0;
    };
    Entry& find(uint32_t rule, uint8_t type, const IpAddr& addr, uint64_t now_us, uint64_t window);

    ZeroedArray<Entry> slots_;  // zeroed pages: free entries, resident once used
    size_t mask_;
    uint32_t epoch_ = 0;
    uint64_t replaced_ = 0;
};

}  // namespace pktsieve
