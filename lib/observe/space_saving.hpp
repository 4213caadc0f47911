// Space-Saving (Metwally et al. 2005), partitioned: the heaviest keys of a stream in Sets x Ways
// counters. A key's hash picks its set; each set is a Space-Saving summary of Ways counters over
// the keys hashed to it: a key is kept when its true count exceeds its set's total / Ways (with
// Sets = 1: total / Ways, the classic guarantee); a kept key's count is an upper bound and
// count - error a lower bound. An update looks at one set only (a few cache lines, no index,
// no allocation), so a scan that brings a new key with every access costs as much as a repeat.
// Summaries of the same shape merge set by set (Agarwal et al. 2012, "Mergeable summaries"): a
// key missing from one side counts that side's smallest count in the set, and each merged set
// keeps its Ways largest, with the same guarantee for the combined stream.
//
// Key: a trivially copyable value with `uint64_t hash() const`, `==` and `<` (ties in top()).
// Thread-safety: a value type; one writer.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <vector>

namespace pktsieve {

template <typename Key, uint32_t Sets, uint32_t Ways>
class SpaceSaving {
    static_assert(Sets >= 1 && Ways >= 2 && Ways <= 32);

  public:
    static constexpr uint32_t kCounters = Sets * Ways;
    struct Item {
        Key key;
        uint64_t count;  // upper bound of the key's true count
        uint64_t error;  // count - error is a lower bound
    };

    SpaceSaving() { clear(); }

    void clear() {
        for (auto& s : sets_) s.used = 0;
        total_ = 0;
    }
    uint64_t total() const { return total_; }  // weight of everything added
    uint32_t size() const {
        uint32_t n = 0;
        for (const auto& s : sets_) n += s.used;
        return n;
    }

    void add(const Key& k, uint64_t w = 1) {
        total_ += w;
        const uint64_t h = k.hash();
        Set& s = set_of(h);
        if (const uint32_t i = s.find(h, k); i != kNone) {
            s.count[i] += w;
            return;
        }
        if (s.used < Ways) {
            s.put(s.used++, h, k, w, 0);
            return;
        }
        const uint32_t m = s.smallest();  // a smallest counter of the set makes room
        s.put(m, h, k, s.count[m] + w, s.count[m]);
    }

    void merge(const SpaceSaving& o) {
        std::vector<Item> all;
        for (uint32_t n = 0; n < Sets; ++n) {
            Set& a = sets_[n];
            const Set& b = o.sets_[n];
            const uint64_t mine = a.floor(), theirs = b.floor();
            all.clear();
            for (uint32_t i = 0; i < a.used; ++i) {
                Item it = a.item(i);
                const uint32_t x = b.find(a.hash[i], it.key);
                it.count += x != kNone ? b.count[x] : theirs;
                it.error += x != kNone ? b.error[x] : theirs;
                all.push_back(it);
            }
            for (uint32_t i = 0; i < b.used; ++i)
                if (a.find(b.hash[i], b.key[i]) == kNone)
                    all.push_back({b.key[i], b.count[i] + mine, b.error[i] + mine});
            sort_heaviest(all);
            a.used = static_cast<uint32_t>(std::min<size_t>(all.size(), Ways));
            for (uint32_t i = 0; i < a.used; ++i)
                a.put(i, all[i].key.hash(), all[i].key, all[i].count, all[i].error);
        }
        total_ += o.total_;
    }

    std::optional<Item> lookup(const Key& k) const {
        const uint64_t h = k.hash();
        const Set& s = set_of(h);
        const uint32_t i = s.find(h, k);
        if (i == kNone) return std::nullopt;
        return s.item(i);
    }

    // The n heaviest, heaviest first (equal counts by key).
    std::vector<Item> top(size_t n) const {
        std::vector<Item> v;
        for (const auto& s : sets_)
            for (uint32_t i = 0; i < s.used; ++i) v.push_back(s.item(i));
        sort_heaviest(v);
        if (v.size() > n) v.resize(n);
        return v;
    }

  private:
    static constexpr uint32_t kNone = UINT32_MAX;
    // One set, as arrays (hashes in one run, counts in another): a lookup and the search for
    // the smallest are fixed-length loops without early exits, which the compiler vectorises.
    struct Set {
        // Zeroed: find() and smallest() read every way, the unused ones too (then masked).
        uint32_t used = 0;
        std::array<uint64_t, Ways> hash{};
        std::array<uint64_t, Ways> count{};
        std::array<uint64_t, Ways> error{};
        std::array<Key, Ways> key{};

        uint32_t find(uint64_t h, const Key& k) const {
            uint32_t match = 0;
            for (uint32_t i = 0; i < Ways; ++i) match |= uint32_t{hash[i] == h} << i;
            match &= used == 32 ? ~0u : (1u << used) - 1;
            for (; match; match &= match - 1) {
                const auto i = static_cast<uint32_t>(std::countr_zero(match));
                if (key[i] == k) return i;
            }
            return kNone;
        }
        uint32_t smallest() const {  // of a full set
            uint32_t m = 0;
            for (uint32_t i = 1; i < Ways; ++i) m = count[i] < count[m] ? i : m;
            return m;
        }
        // What a key not kept here may have been seen up to (0 until full).
        uint64_t floor() const { return used < Ways ? 0 : count[smallest()]; }
        void put(uint32_t i, uint64_t h, const Key& k, uint64_t c, uint64_t e) {
            hash[i] = h;
            key[i] = k;
            count[i] = c;
            error[i] = e;
        }
        Item item(uint32_t i) const { return {key[i], count[i], error[i]}; }
    };

    static void sort_heaviest(std::vector<Item>& v) {
        std::sort(v.begin(), v.end(), [](const Item& a, const Item& b) {
            return a.count != b.count ? a.count > b.count : a.key < b.key;
        });
    }
    // The hash's high bits pick the set (the low bits may be the key's own bits).
    Set& set_of(uint64_t h) { return sets_[(h >> 32) % Sets]; }
    const Set& set_of(uint64_t h) const { return sets_[(h >> 32) % Sets]; }

    std::array<Set, Sets> sets_;
    uint64_t total_ = 0;
};

}  // namespace pktsieve
