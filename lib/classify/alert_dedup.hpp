// One alert per flow and rule, for any number of rules: a flow remembers its first few alerted
// rules inline (FlowMatch), and the rest here, in a fixed-size table per worker keyed by
// (flow serial, rule). A flow serial is never reused, so entries of flows that ended are simply
// stale: a full probe window replaces the entry of the oldest flow, and only when that flow
// is still alive can the replaced rule alert once more (counted: `replaced`).
// Thread-safety: one owner (the worker's Pipeline); no allocation after construction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "memory/zeroed_array.hpp"

namespace pktsieve {

class AlertDedup {
  public:
    explicit AlertDedup(size_t capacity = 65536);
    // True when (serial, rule) alerted before; otherwise records it and returns false.
    bool seen(uint64_t serial, uint32_t rule);
    uint64_t replaced() const { return replaced_; }
    size_t memory_bytes() const { return slots_.memory_bytes(); }

  private:
    static constexpr size_t kProbe = 16;
    struct Entry {
        uint64_t serial = 0;  // 0: free (serials start at 1)
        uint32_t rule = 0;
    };
    ZeroedArray<Entry> slots_;  // zeroed pages: free entries, resident once used
    size_t mask_;
    uint64_t replaced_ = 0;
};

}  // namespace pktsieve
