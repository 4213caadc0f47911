#include "match/stream_pool.hpp"

#include <hs/hs.h>

#include <cstdlib>
#include <mutex>

namespace pktsieve {

namespace {

thread_local StreamPool* t_pool = nullptr;

void* pool_alloc(size_t n) {
    if (t_pool) return t_pool->alloc(n);
    return std::malloc(n);
}

void pool_free(void* p) {
    if (t_pool && t_pool->owns(p))
        t_pool->release(p);
    else
        std::free(p);
}

}  // namespace

StreamPool::StreamPool(size_t block_size, size_t count)
    // 16-byte blocks keep Hyperscan's alignment (it needs 8).
    : block_((block_size + 15) & ~size_t{15}), count_(count), storage_(block_ * count + 16) {
    free_.reserve(count);
    auto* base = reinterpret_cast<unsigned char*>(
        (reinterpret_cast<uintptr_t>(storage_.data()) + 15) & ~uintptr_t{15});
    for (size_t i = count; i-- > 0;) free_.push_back(base + i * block_);
}

StreamPool::~StreamPool() {
    if (t_pool == this) t_pool = nullptr;
}

void StreamPool::install(StreamPool* pool) {
    static std::once_flag once;
    std::call_once(once, [] { hs_set_stream_allocator(pool_alloc, pool_free); });
    t_pool = pool;
}

void* StreamPool::alloc(size_t n) {
    if (n > block_ || free_.empty()) {
        ++failures_;
        return nullptr;  // hs_open_stream then fails with HS_NOMEM; the caller counts it
    }
    void* p = free_.back();
    free_.pop_back();
    return p;
}

bool StreamPool::owns(const void* p) const {
    const auto* c = static_cast<const unsigned char*>(p);
    return c >= storage_.data() && c < storage_.data() + storage_.size();
}

void StreamPool::release(void* p) {
    free_.push_back(p);
}

}  // namespace pktsieve
