// Rule patterns -> Hyperscan expressions. A rule with one pattern is one expression reporting
// the rule's index; a rule with several is a logical combination ("a & b & c") of quiet
// sub-expressions, so the AND is decided inside Hyperscan and only whole rules are reported.
// Thread-safety: pure functions.
#pragma once

#include <hs/hs.h>

#include <optional>
#include <string>
#include <vector>

#include "rules/rule.hpp"

namespace pktsieve {

struct HsExpression {
    std::string regex;
    unsigned flags = 0;
    unsigned id = 0;
    hs_expr_ext_t ext{};
    uint32_t rule = 0;  // index of the rule it belongs to, for error messages
};

// Block: a rule with several patterns is one logical combination ("a & b") of quiet parts,
// reported once per scan. Stream: Hyperscan reports a combination only at the next write or
// at close, too late to know which segment completed it, so each part is reported on its own
// id and the caller ANDs them per flow direction (Pipeline).
enum class ExprMode { block, stream };

// Appends the expressions of rule `index`; its parts get ids first_sub_id, first_sub_id + 1, ...
// (above every rule index of the database).
void append_expressions(const Rule& r, uint32_t index, unsigned first_sub_id, ExprMode mode,
                        std::vector<HsExpression>& out);

// The regex text of a content: every byte escaped, so any byte sequence is a literal.
std::string literal_regex(const std::string& bytes);

struct CompiledDb {
    hs_database_t* db = nullptr;
    std::string error;
    int expression = -1;  // the expression Hyperscan blamed, -1 when none
};
// One database of `exprs` in `mode` (HS_MODE_BLOCK, HS_MODE_STREAM); the caller frees it.
CompiledDb compile_expressions(const std::vector<HsExpression>& exprs, unsigned mode);

// Hyperscan's verdict on one pattern alone: nullopt when it compiles, else Hyperscan's message.
// `matches_at_eod`, when given and the pattern compiles: whether it can match at the end of
// data (hs_expr_info_t::matches_at_eod).
std::optional<std::string> check_pattern(const Pattern& p, bool* matches_at_eod = nullptr);

}  // namespace pktsieve
