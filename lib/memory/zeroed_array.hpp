// A fixed-size array whose memory costs nothing until used: large ones are mapped anonymous
// memory, which the kernel hands out zeroed a page at a time on first touch, so a table sized
// for 262,144 flows costs start-up nothing and resident memory only for the flows seen (a
// std::vector of the same size writes every element at construction: ~0.1 s and every page
// resident per worker). Elements start as all-zero bytes; an owner whose T has other defaults
// sets an element before its first use.
//
// Arrays of 2 MiB or more ask for transparent huge pages (MADV_HUGEPAGE; the kernel's default
// "madvise" mode gives them only to mappings that ask). A worker's tables are read at random
// (a flow's slot, entry and match state per packet): with 4 KiB pages nearly each of those
// reads also missed the TLB. The flow mix replay ran 2.6 % faster with them, 64-byte frames
// 3.2 % (bench/README.md). The cost: memory becomes resident 2 MiB at a time, so a table
// holds up to 2 MiB more than its flows use; where THP is "never", nothing changes.
// Thread-safety: as a plain array.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace pktsieve {

template <typename T>
class ZeroedArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "elements are raw memory: created by zeroed pages, never destroyed");
    // Below this, calloc (its small blocks are not worth a mapping of their own).
    static constexpr size_t kMapBytes = size_t{1} << 16;
    static constexpr size_t kHugeBytes = size_t{2} << 20;  // one x86-64 huge page

  public:
    ZeroedArray() = default;
    explicit ZeroedArray(size_t n) : n_(n) {
        if (n == 0) return;
        const size_t bytes = n * sizeof(T);
        void* p;
        if (bytes >= kMapBytes) {
            p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) throw std::bad_alloc();
            // Advice only: an error (THP not built in) leaves ordinary pages.
            if (bytes >= kHugeBytes) (void)madvise(p, bytes, MADV_HUGEPAGE);
        } else if (!(p = std::calloc(n, sizeof(T)))) {
            throw std::bad_alloc();
        }
        p_ = static_cast<T*>(p);
    }
    ~ZeroedArray() { release(); }
    ZeroedArray(ZeroedArray&& o) noexcept
        : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
    ZeroedArray& operator=(ZeroedArray&& o) noexcept {
        if (this != &o) {
            release();
            p_ = std::exchange(o.p_, nullptr);
            n_ = std::exchange(o.n_, 0);
        }
        return *this;
    }
    ZeroedArray(const ZeroedArray&) = delete;
    ZeroedArray& operator=(const ZeroedArray&) = delete;

    T& operator[](size_t i) { return p_[i]; }
    const T& operator[](size_t i) const { return p_[i]; }
    T* data() { return p_; }
    const T* data() const { return p_; }
    T* begin() { return p_; }
    T* end() { return p_ + n_; }
    size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    // Reserved, not necessarily resident.
    size_t memory_bytes() const { return n_ * sizeof(T); }

  private:
    void release() {
        if (!p_) return;
        if (n_ * sizeof(T) >= kMapBytes)
            munmap(p_, n_ * sizeof(T));
        else
            std::free(p_);
        p_ = nullptr;
        n_ = 0;
    }
    T* p_ = nullptr;
    size_t n_ = 0;
};

}  // namespace pktsieve
