// Rule patterns -> how Hyperscan finds the rule. A rule Hyperscan can decide alone (contents
// and pcres on the payload, relative contents at non-negative distances) is compiled whole:
// its relative contents fold into the content before them, one expression per chain. Any
// other rule (negated contents, negative distances, endswith, isdataat, relative pcres, HTTP
// buffers) gets one prefilter pattern - its fast_pattern content, else its longest content,
// else its first pcre that stands alone - and match/verify decides it exactly.
// Thread-safety: pure function.
#pragma once

#include "rules/rule.hpp"

namespace pktsieve {

// Fills r.hs, r.verify and r.prefilter_buffer from r.patterns. `whole_allowed` false: the rule
// gets a prefilter and verification even if Hyperscan could decide it alone (used when Hyperscan
// rejects the whole form, e.g. a pcre part that can only match at end of data).
void lower_rule(Rule& r, bool whole_allowed = true);

// The rule pins a payload match to where the payload begins (a pcre `^`, a content's offset or
// depth). In a TCP stream that is the stream's first byte, which on a keep-alive connection is
// only the first request's: such rules are also matched on each HTTP request (docs/rules.md).
bool anchored_at_start(const Rule& r);

// The most parts (contents/pcres after chains fold) a rule compiled whole may have.
inline constexpr size_t kMaxWholeParts = 32;

}  // namespace pktsieve
