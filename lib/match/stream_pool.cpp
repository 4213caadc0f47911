#include "match/stream_pool.hpp"

#include <hs/hs.h>

#include <cstdlib>
#include <mutex>

namespace pktsieve {

namespace {

// Every block Hyperscan gets starts 16 bytes after a header naming where it came from, so a
// stream is returned to its own pool whichever pool the freeing thread has installed.
struct Header {
    StreamPool* pool;  // nullptr: malloc
    uint64_t pad;
};
static_assert(sizeof(Header) == 16, "keeps the 16-byte alignment of what follows");

thread_local StreamPool* t_pool = nullptr;

void* pool_alloc(size_t n) {
    if (t_pool) return t_pool->alloc(n);
    auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + n));
    if (!h) return nullptr;
    h->pool = nullptr;
    return h + 1;
}

void pool_free(void* p) {
    if (!p) return;
    if (t_pool && t_pool->owns(p)) {  // without reading the block's header, likely out of cache
        t_pool->release(p);
        return;
    }
    Header* h = static_cast<Header*>(p) - 1;
    if (h->pool)
        h->pool->release(p);
    else
        std::free(h);
}

}  // namespace

StreamPool::StreamPool(size_t block_size, size_t count)
    : block_(sizeof(Header) + ((block_size + 15) & ~size_t{15})),
      count_(count),
      storage_(block_ * count + 16),
      base_(reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(storage_.data()) + 15) &
                                             ~uintptr_t{15})) {
    free_.reserve(count);  // reserved, untouched until streams are released
}

StreamPool::~StreamPool() {
    if (t_pool == this) t_pool = nullptr;
}

void StreamPool::discard(hs_stream_t* stream) {
    pool_free(stream);
}

StreamPool* StreamPool::install(StreamPool* pool) {
    static std::once_flag once;
    std::call_once(once, [] { hs_set_stream_allocator(pool_alloc, pool_free); });
    StreamPool* previous = t_pool;
    t_pool = pool;
    return previous;
}

StreamPool* StreamPool::current() {
    return t_pool;
}

void* StreamPool::alloc(size_t n) {
    if (n > block_ - sizeof(Header) || (free_.empty() && fresh_ == count_)) {
        ++failures_;
        return nullptr;  // hs_open_stream then fails with HS_NOMEM; the caller counts it
    }
    if (free_.empty()) {  // a block never used: its header is written now
        auto* h = reinterpret_cast<Header*>(base_ + fresh_++ * block_);
        h->pool = this;
        return h + 1;
    }
    void* p = free_.back();
    free_.pop_back();
    return p;
}

void StreamPool::release(void* p) {
    free_.push_back(p);
}

}  // namespace pktsieve
