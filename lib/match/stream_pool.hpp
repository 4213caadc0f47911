// Preallocated Hyperscan stream states, so opening a stream on the packet path never calls
// malloc. The blocks are reserved at construction and become resident as they are first used.
// Hyperscan's stream allocator is process-wide; it allocates from the StreamPool the calling thread
// installed (each worker installs its own), else from malloc, and every block records its origin,
// so it always goes back where it came from.
//
// Thread-safety: a StreamPool is used by the one thread that installed it; its streams must be
// closed on that thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <hs/hs.h>

#include "memory/zeroed_array.hpp"

namespace pktsieve {

class StreamPool {
  public:
    // `count` blocks of `block_size` bytes (the largest hs_stream_size of the rule set).
    StreamPool(size_t block_size, size_t count);
    ~StreamPool();
    StreamPool(const StreamPool&) = delete;
    StreamPool& operator=(const StreamPool&) = delete;

    // Makes `pool` serve hs_open_stream on the calling thread (nullptr: malloc); returns the
    // pool installed before.
    static StreamPool* install(StreamPool* pool);
    static StreamPool* current();
    // Returns a stream's memory to where it came from without Hyperscan: for a stream whose
    // database may already be freed (it reports nothing, as hs_close_stream without callback).
    static void discard(hs_stream_t* stream);

    size_t block_size() const { return block_; }  // including a 16-byte origin header
    size_t in_use() const { return fresh_ - free_.size(); }
    size_t memory_bytes() const {
        return storage_.memory_bytes() + free_.capacity() * sizeof(void*);
    }
    uint64_t failures() const { return failures_; }

    void* alloc(size_t n);
    void release(void* p);
    // Whether `p` is one of this pool's blocks (by address alone).
    bool owns(const void* p) const {
        const auto a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(base_);
        return a >= b && a < b + block_ * count_;
    }

  private:
    size_t block_;
    size_t count_;
    ZeroedArray<unsigned char> storage_;
    unsigned char* base_;      // the first block (16-byte aligned)
    size_t fresh_ = 0;         // blocks handed out at least once: [0, fresh_)
    std::vector<void*> free_;  // of those, the ones back in the pool
    uint64_t failures_ = 0;
};

}  // namespace pktsieve
