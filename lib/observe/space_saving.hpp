// Space-Saving (Metwally et al. 2005): the heaviest keys of a stream in N counters. Every key
// whose true count exceeds total/N is kept; a kept key's count is an upper bound, count - error
// a lower bound. Updates are O(log N) (a min-heap of counts and an open-addressed index), with
// no allocation after construction. Two summaries merge (Agarwal et al. 2012, "Mergeable
// summaries"): a key missing from one side counts that side's minimum (its upper bound there),
// and the merged summary keeps the N largest, with the same guarantee for the combined stream.
//
// Key: a trivially copyable value with `uint64_t hash() const`, `==` and `<` (ties in top()).
// Thread-safety: a value type; one writer.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

namespace pktsieve {

template <typename Key, uint32_t N>
class SpaceSaving {
    static_assert(N >= 2 && N <= 4096);

  public:
    struct Item {
        Key key;
        uint64_t count;  // upper bound of the key's true count
        uint64_t error;  // count - error is a lower bound
    };

    SpaceSaving() { clear(); }

    void clear() {
        size_ = 0;
        total_ = 0;
        slot_.fill(kFree);
    }
    uint32_t size() const { return size_; }
    uint64_t total() const { return total_; }  // weight of everything added
    // The smallest kept count: what a key not kept may have been seen up to (0 until full).
    uint64_t floor() const { return size_ < N ? 0 : items_[heap_[0]].count; }

    void add(const Key& k, uint64_t w = 1) {
        total_ += w;
        uint32_t s = find(k);
        if (s != kFree) {
            items_[slot_[s]].count += w;
            sift_down(pos_[slot_[s]]);
            return;
        }
        if (size_ < N) {
            const uint32_t e = size_++;
            items_[e] = {k, w, 0};
            heap_[e] = e;
            pos_[e] = e;
            insert(k, e);
            sift_up(e);
            return;
        }
        const uint32_t e = heap_[0];  // the minimum makes room
        erase(items_[e].key);
        const uint64_t floor = items_[e].count;
        items_[e] = {k, floor + w, floor};
        insert(k, e);
        sift_down(0);
    }

    void merge(const SpaceSaving& o) {
        std::vector<Item> all;
        all.reserve(size_ + o.size_);
        const uint64_t mine = floor(), theirs = o.floor();
        for (uint32_t i = 0; i < size_; ++i) {
            Item it = items_[i];
            if (const Item* x = o.lookup(it.key)) {
                it.count += x->count;
                it.error += x->error;
            } else {
                it.count += theirs;
                it.error += theirs;
            }
            all.push_back(it);
        }
        for (uint32_t i = 0; i < o.size_; ++i)
            if (!lookup(o.items_[i].key))
                all.push_back(
                    {o.items_[i].key, o.items_[i].count + mine, o.items_[i].error + mine});
        const uint64_t total = total_ + o.total_;
        sort_heaviest(all);
        if (all.size() > N) all.resize(N);
        clear();
        total_ = total;
        for (const Item& it : all) {
            const uint32_t e = size_++;
            items_[e] = it;
            heap_[e] = e;
            pos_[e] = e;
            insert(it.key, e);
            sift_up(e);
        }
    }

    const Item* lookup(const Key& k) const {
        const uint32_t s = find(k);
        return s == kFree ? nullptr : &items_[slot_[s]];
    }

    // The n heaviest, heaviest first (equal counts by key).
    std::vector<Item> top(size_t n) const {
        std::vector<Item> v(items_.begin(), items_.begin() + size_);
        sort_heaviest(v);
        if (v.size() > n) v.resize(n);
        return v;
    }

  private:
    static constexpr uint32_t kFree = UINT32_MAX;
    static constexpr uint32_t kSlots = std::bit_ceil(2 * N);

    static void sort_heaviest(std::vector<Item>& v) {
        std::sort(v.begin(), v.end(), [](const Item& a, const Item& b) {
            return a.count != b.count ? a.count > b.count : a.key < b.key;
        });
    }
    uint32_t find(const Key& k) const {
        for (uint32_t s = k.hash() & (kSlots - 1);; s = (s + 1) & (kSlots - 1)) {
            if (slot_[s] == kFree) return kFree;
            if (items_[slot_[s]].key == k) return s;
        }
    }
    void insert(const Key& k, uint32_t e) {
        uint32_t s = k.hash() & (kSlots - 1);
        while (slot_[s] != kFree) s = (s + 1) & (kSlots - 1);
        slot_[s] = e;
    }
    // Linear probing's backward-shift deletion: no tombstones, lookups stay short.
    void erase(const Key& k) {
        uint32_t s = find(k);
        for (uint32_t next = (s + 1) & (kSlots - 1); slot_[next] != kFree;
             next = (next + 1) & (kSlots - 1)) {
            const uint32_t home = items_[slot_[next]].key.hash() & (kSlots - 1);
            // Move `next` into the hole when its home is not in (s, next] (cyclically).
            const bool between =
                s <= next ? (home > s && home <= next) : (home > s || home <= next);
            if (!between) {
                slot_[s] = slot_[next];
                s = next;
            }
        }
        slot_[s] = kFree;
    }
    bool less(uint32_t a, uint32_t b) const {
        return items_[heap_[a]].count < items_[heap_[b]].count;
    }
    void swap_at(uint32_t a, uint32_t b) {
        std::swap(heap_[a], heap_[b]);
        pos_[heap_[a]] = a;
        pos_[heap_[b]] = b;
    }
    void sift_up(uint32_t i) {
        while (i > 0 && less(i, (i - 1) / 2)) {
            swap_at(i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
    }
    void sift_down(uint32_t i) {
        for (;;) {
            const uint32_t l = 2 * i + 1, r = l + 1;
            uint32_t m = i;
            if (l < size_ && less(l, m)) m = l;
            if (r < size_ && less(r, m)) m = r;
            if (m == i) return;
            swap_at(i, m);
            i = m;
        }
    }

    std::array<Item, N> items_;
    std::array<uint32_t, N> heap_;  // item indices, a min-heap by count
    std::array<uint32_t, N> pos_;   // item index -> heap position
    std::array<uint32_t, kSlots> slot_;
    uint32_t size_ = 0;
    uint64_t total_ = 0;
};

}  // namespace pktsieve
