// Preallocated Hyperscan stream states, so opening a stream on the packet path never calls
// malloc. Hyperscan's stream allocator is process-wide; it serves the StreamPool the calling
// thread installed (each worker installs its own) and falls back to malloc on other threads.
//
// Thread-safety: a StreamPool is used by the one thread that installed it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pktsieve {

class StreamPool {
  public:
    // `count` blocks of `block_size` bytes (the largest hs_stream_size of the rule set).
    StreamPool(size_t block_size, size_t count);
    ~StreamPool();
    StreamPool(const StreamPool&) = delete;
    StreamPool& operator=(const StreamPool&) = delete;

    // Makes this pool serve hs_open_stream on the calling thread (nullptr: stop).
    static void install(StreamPool* pool);

    size_t block_size() const { return block_; }
    size_t in_use() const { return count_ - free_.size(); }
    size_t memory_bytes() const { return storage_.size() + free_.capacity() * sizeof(void*); }
    uint64_t failures() const { return failures_; }

    void* alloc(size_t n);
    bool owns(const void* p) const;
    void release(void* p);

  private:
    size_t block_;
    size_t count_;
    std::vector<unsigned char> storage_;
    std::vector<void*> free_;
    uint64_t failures_ = 0;
};

}  // namespace pktsieve
