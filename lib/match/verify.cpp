#include "match/verify.hpp"

#include "text/ascii.hpp"

#include <algorithm>
#include <cstring>

namespace pktsieve {

namespace {

constexpr size_t kMaxItems = kMaxPatternsPerBuffer;
constexpr size_t kMaxEnds = 64;

bool equal_at(std::string_view hay, size_t at, std::string_view needle, bool nocase) {
    if (!nocase) return std::memcmp(hay.data() + at, needle.data(), needle.size()) == 0;
    for (size_t i = 0; i < needle.size(); ++i)
        if (ascii_lower(hay[at + i]) != ascii_lower(needle[i])) return false;
    return true;
}

struct Item {
    const Pattern* p;
    const hs_database_t* db;
};

struct Ends {
    size_t n = 0;
    unsigned long long at[kMaxEnds];
};

int collect_end(unsigned, unsigned long long, unsigned long long to, unsigned, void* ctx) {
    auto* e = static_cast<Ends*>(ctx);
    if (e->n > 0 && e->at[e->n - 1] == to) return 0;
    e->at[e->n++] = to;
    return e->n == kMaxEnds ? 1 : 0;  // enough places to try
}

// One buffer's patterns, matched in order with backtracking.
class Matcher {
  public:
    Matcher(std::string_view buf, const Item* items, size_t n, hs_scratch_t* scratch,
            unsigned& budget, bool& exhausted)
        : buf_(buf),
          items_(items),
          n_(n),
          scratch_(scratch),
          budget_(budget),
          exhausted_(exhausted) {}

    bool at(size_t i, size_t prev_end) {
        if (i == n_) return true;
        switch (items_[i].p->kind) {
            case Pattern::Kind::content:
                return content(i, prev_end);
            case Pattern::Kind::pcre:
                return pcre(i, prev_end);
            case Pattern::Kind::isdataat:
                return isdataat(i, prev_end);
            case Pattern::Kind::bsize:
                return items_[i].p->size.matches(static_cast<uint32_t>(buf_.size())) &&
                       at(i + 1, prev_end);
        }
        return false;
    }

  private:
    // Whether what comes next depends on where this item matched; if not, one place is enough.
    bool next_is_relative(size_t i) const { return i + 1 < n_ && items_[i + 1].p->relative; }
    bool spend() {
        if (budget_ == 0) {
            exhausted_ = true;
            return false;
        }
        --budget_;
        return true;
    }

    bool content(size_t i, size_t prev_end) {
        const Pattern& p = *items_[i].p;
        const long len = static_cast<long>(buf_.size()), tl = static_cast<long>(p.text.size());
        long lo = p.offset, hi = p.depth >= 0 ? p.offset + p.depth : len;
        if (p.relative) {
            lo = static_cast<long>(prev_end) + p.distance;
            hi = p.within >= 0 ? lo + p.within : len;
        }
        lo = std::max(lo, 0L);
        hi = std::min(hi, len);
        if (p.endswith) {
            const bool there = len - tl >= lo && len <= hi &&
                               equal_at(buf_, static_cast<size_t>(len - tl), p.text, p.nocase);
            if (p.negated) return !there && at(i + 1, prev_end);
            return there && spend() && at(i + 1, static_cast<size_t>(len));
        }
        size_t pos = lo <= hi ? find_bytes(buf_, lo, hi, p.text, p.nocase) : std::string_view::npos;
        if (p.negated) return pos == std::string_view::npos && at(i + 1, prev_end);
        for (; pos != std::string_view::npos;
             pos = find_bytes(buf_, pos + 1, hi, p.text, p.nocase)) {
            if (!spend()) return false;
            if (at(i + 1, pos + p.text.size())) return true;
            if (!next_is_relative(i)) return false;
        }
        return false;
    }

    bool pcre(size_t i, size_t prev_end) {
        const Pattern& p = *items_[i].p;
        const size_t lo = p.relative ? prev_end : 0;
        Ends ends;
        if (lo <= buf_.size() && items_[i].db) {
            // Hyperscan reports a match's end; the rest of the buffer is scanned from `lo`,
            // so a relative "^" anchors there, as in Suricata.
            const auto rest = buf_.substr(lo);
            hs_scan(items_[i].db, rest.data(), static_cast<unsigned>(rest.size()), 0, scratch_,
                    collect_end, &ends);
        }
        if (p.negated) return ends.n == 0 && at(i + 1, prev_end);
        for (size_t k = 0; k < ends.n; ++k) {
            if (!spend()) return false;
            if (at(i + 1, lo + ends.at[k])) return true;
            if (!next_is_relative(i)) return false;
        }
        return false;
    }

    bool isdataat(size_t i, size_t prev_end) {
        const Pattern& p = *items_[i].p;
        const size_t pos = static_cast<size_t>(p.position);
        const bool data = p.relative ? prev_end + pos <= buf_.size() : pos < buf_.size();
        return data != p.negated && at(i + 1, prev_end);
    }

    std::string_view buf_;
    const Item* items_;
    size_t n_;
    hs_scratch_t* scratch_;
    unsigned& budget_;
    bool& exhausted_;
};

}  // namespace

size_t find_bytes(std::string_view hay, size_t lo, size_t hi, std::string_view needle,
                  bool nocase) {
    if (needle.empty() || hi > hay.size() || lo + needle.size() > hi) return std::string_view::npos;
    const size_t last = hi - needle.size();
    if (!nocase) {
        const auto found = hay.substr(0, hi).find(needle, lo);
        return found <= last ? found : std::string_view::npos;
    }
    const char first = ascii_lower(needle[0]);
    for (size_t at = lo; at <= last; ++at)
        if (ascii_lower(hay[at]) == first && equal_at(hay, at, needle, true)) return at;
    return std::string_view::npos;
}

VerifyResult verify_rule(const Rule& r, const hs_database_t* const* pcre_dbs, const Buffers& b,
                         hs_scratch_t* scratch) {
    VerifyResult out;
    unsigned budget = kVerifyBudget;
    std::array<bool, kBufferCount> done{};
    for (size_t first = 0; first < r.patterns.size(); ++first) {
        const auto buf = static_cast<size_t>(r.patterns[first].buffer);
        if (done[buf]) continue;
        done[buf] = true;
        if (!b.present[buf]) return out;
        Item items[kMaxItems];
        size_t n = 0;
        for (size_t i = first; i < r.patterns.size() && n < kMaxItems; ++i)
            if (static_cast<size_t>(r.patterns[i].buffer) == buf)
                items[n++] = {&r.patterns[i], pcre_dbs ? pcre_dbs[i] : nullptr};
        Matcher m(b.view[buf], items, n, scratch, budget, out.exhausted);
        if (!m.at(0, 0)) return out;
    }
    out.matched = true;
    return out;
}

}  // namespace pktsieve
