// Fixed-size byte slots handed out by index (a per-worker pool: stream windows, first segments,
// HTTP head buffers). A slot freed last is taken first (its lines are likely still cached);
// then slots never used, in order, so the zeroed pages behind them become resident only as the
// pool's high-water mark rises. Everything is reserved at construction: take() and give() never
// allocate.
// Thread-safety: as a plain object, one owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "memory/zeroed_array.hpp"

namespace pktsieve {

class SlotPool {
  public:
    static constexpr uint32_t kNone = UINT32_MAX;

    SlotPool() = default;
    SlotPool(uint32_t slots, size_t slot_bytes)
        : mem_(size_t{slots} * slot_bytes), slot_bytes_(slot_bytes), slots_(slots) {
        free_.reserve(slots);
    }

    // A slot's index, or kNone when every one is in use.
    uint32_t take() {
        if (!free_.empty()) {
            const uint32_t s = free_.back();
            free_.pop_back();
            return s;
        }
        return fresh_ < slots_ ? fresh_++ : kNone;
    }
    void give(uint32_t s) { free_.push_back(s); }
    char* at(uint32_t s) { return mem_.data() + s * slot_bytes_; }
    const char* at(uint32_t s) const { return mem_.data() + s * slot_bytes_; }
    // Reserved, not necessarily resident.
    size_t memory_bytes() const {
        return mem_.memory_bytes() + free_.capacity() * sizeof(uint32_t);
    }

  private:
    ZeroedArray<char> mem_;
    size_t slot_bytes_ = 0;
    uint32_t slots_ = 0;
    uint32_t fresh_ = 0;          // slots at and above it were never handed out
    std::vector<uint32_t> free_;  // given back, taken last first
};

}  // namespace pktsieve
