#include "match/expressions.hpp"

namespace pktsieve {

namespace {

std::string cased(const std::string& bytes, bool nocase) {
    return nocase ? "(?i:" + literal_regex(bytes) + ")" : literal_regex(bytes);
}

// content A; content B; distance:d; within:w  ->  A [\x00-\xff]{d,d+w-len(B)} B, with
// A's offset/depth as a leading bounded skip from the start (Hyperscan's min/max offset would
// bound the end of the whole chain instead).
// Any `lo` to `hi` bytes (hi < 0: no upper bound). Hyperscan rejects an empty repeat {0,0}.
std::string skip(int lo, int hi) {
    if (hi == 0) return "";
    std::string re = "[\\x00-\\xff]{" + std::to_string(lo);
    if (hi != lo) re += "," + (hi < 0 ? std::string() : std::to_string(hi));
    return re + "}";
}

std::string chain_regex(const Pattern& p) {
    std::string re;
    if (p.offset > 0 || p.depth >= 0)
        re = "^" + skip(p.offset,
                        p.depth < 0 ? -1 : p.offset + p.depth - static_cast<int>(p.text.size()));
    re += cased(p.text, p.nocase);
    for (const auto& c : p.chain)
        re += skip(c.distance,
                   c.within < 0 ? -1 : c.distance + c.within - static_cast<int>(c.text.size())) +
              cased(c.text, c.nocase);
    return re;
}

HsExpression pattern_expression(const Pattern& p) {
    HsExpression e;
    if (p.kind == Pattern::Kind::content && !p.chain.empty()) {
        e.regex = chain_regex(p);
    } else if (p.kind == Pattern::Kind::content) {
        e.regex = literal_regex(p.text);
        e.flags = p.nocase ? HS_FLAG_CASELESS : 0;
        const auto len = static_cast<unsigned long long>(p.text.size());
        if (p.offset > 0) {
            e.ext.flags |= HS_EXT_FLAG_MIN_OFFSET;
            e.ext.min_offset = p.offset + len;
        }
        if (p.depth >= 0) {
            e.ext.flags |= HS_EXT_FLAG_MAX_OFFSET;
            e.ext.max_offset = static_cast<unsigned long long>(p.offset + p.depth);
        }
    } else {
        e.regex = p.text;
        e.flags = (p.nocase ? HS_FLAG_CASELESS : 0) | (p.dotall ? HS_FLAG_DOTALL : 0) |
                  (p.multiline ? HS_FLAG_MULTILINE : 0);
    }
    return e;
}

}  // namespace

std::string literal_regex(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 4);
    for (unsigned char c : bytes) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

void append_expressions(const Rule& r, uint32_t index, unsigned first_sub_id, ExprMode mode,
                        std::vector<HsExpression>& out) {
    if (r.hs.size() == 1) {
        HsExpression e = pattern_expression(r.hs[0]);
        e.flags |= mode == ExprMode::block ? HS_FLAG_SINGLEMATCH : 0;
        e.id = index;
        e.rule = index;
        out.push_back(std::move(e));
        return;
    }
    std::string logic;
    unsigned id = first_sub_id;
    for (const auto& p : r.hs) {
        HsExpression e = pattern_expression(p);
        // Block: quiet parts of a combination. Stream: reported parts, ANDed by the caller.
        e.flags |= mode == ExprMode::block ? HS_FLAG_QUIET : 0;
        e.id = id++;
        e.rule = index;
        logic += (logic.empty() ? "" : " & ") + std::to_string(e.id);
        out.push_back(std::move(e));
    }
    if (mode == ExprMode::stream) return;
    HsExpression comb;
    comb.regex = logic;
    comb.flags = HS_FLAG_COMBINATION | HS_FLAG_SINGLEMATCH;
    comb.id = index;
    comb.rule = index;
    out.push_back(std::move(comb));
}

std::optional<std::string> check_pattern(const Pattern& p, bool* matches_at_eod) {
    const HsExpression e = pattern_expression(p);
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_ext_info(e.regex.c_str(), e.flags, &e.ext, &info, &err) == HS_SUCCESS) {
        if (matches_at_eod) *matches_at_eod = info->matches_at_eod != 0;
        free(info);  // allocated by Hyperscan's misc allocator, which defaults to malloc
        return std::nullopt;
    }
    std::string msg = err ? err->message : "unknown Hyperscan error";
    hs_free_compile_error(err);
    return msg;
}

CompiledDb compile_expressions(const std::vector<HsExpression>& exprs, unsigned mode) {
    std::vector<const char*> text;
    std::vector<unsigned> flags, ids;
    std::vector<const hs_expr_ext_t*> ext;
    for (const auto& e : exprs) {
        text.push_back(e.regex.c_str());
        flags.push_back(e.flags);
        ids.push_back(e.id);
        ext.push_back(&e.ext);
    }
    CompiledDb out;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_ext_multi(text.data(), flags.data(), ids.data(), ext.data(),
                             static_cast<unsigned>(exprs.size()), mode, nullptr, &out.db,
                             &err) != HS_SUCCESS) {
        out.db = nullptr;
        out.error = std::string("Hyperscan: ") + (err ? err->message : "compile failed");
        out.expression = err ? err->expression : -1;
        hs_free_compile_error(err);
    }
    return out;
}

}  // namespace pktsieve
