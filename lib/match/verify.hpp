// Exact matching of a rule's contents, pcres and isdataats against the buffers of one packet
// or HTTP request, with Suricata's semantics: each buffer's patterns in rule order, relative
// ones placed from the end of the previous match in the same buffer, and backtracking to a
// later occurrence of a content when what follows it fails. Runs after a Hyperscan prefilter
// picked the rule as a candidate.
// Thread-safety: pure except `scratch`, which must be the calling worker's.
#pragma once

#include <hs/hs.h>

#include <array>
#include <string_view>

#include "rules/rule.hpp"

namespace pktsieve {

struct Buffers {
    std::array<std::string_view, kBufferCount> view{};
    std::array<bool, kBufferCount> present{};
    void set(Buffer b, std::string_view v) {
        view[static_cast<size_t>(b)] = v;
        present[static_cast<size_t>(b)] = true;
    }
};

// The most steps (content or pcre placements) one rule may take; past it the rule does not
// match and `exhausted` is set (Suricata's inspection recursion limit plays the same part).
inline constexpr unsigned kVerifyBudget = 3000;
// The most patterns one rule may have in one buffer (the loader fails a rule with more).
inline constexpr size_t kMaxPatternsPerBuffer = 64;

struct VerifyResult {
    bool matched = false;
    bool exhausted = false;
};

// pcre_dbs[i]: a block-mode database of pattern i alone when it is a pcre (any other may be
// null). A buffer the rule reads that is not present fails the rule.
VerifyResult verify_rule(const Rule& r, const hs_database_t* const* pcre_dbs, const Buffers& b,
                         hs_scratch_t* scratch);

// Position search used by the verifier: first start >= lo of `needle` ending at or before hi.
size_t find_bytes(std::string_view hay, size_t lo, size_t hi, std::string_view needle, bool nocase);

}  // namespace pktsieve
