#include "rules/ports.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "rules/error.hpp"
#include "rules/list_syntax.hpp"

namespace pktsieve {

bool PortSet::contains(uint16_t port) const {
    for (const auto& [lo, hi] : ranges_) {
        if (port < lo) return false;
        if (port <= hi) return true;
    }
    return false;
}

namespace {

// Sorted, disjoint, inclusive ranges: work proportional to the list, not to the 65,536 ports.
using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

uint16_t parse_port(std::string_view s, std::string_view whole) {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || v > 65535)
        throw SyntaxError("bad port '" + std::string(whole) + "'");
    return static_cast<uint16_t>(v);
}

Ranges normalise(Ranges r) {
    std::sort(r.begin(), r.end());
    Ranges out;
    for (const auto& [lo, hi] : r) {
        if (!out.empty() && lo <= out.back().second + 1)
            out.back().second = std::max(out.back().second, hi);
        else
            out.emplace_back(lo, hi);
    }
    return out;
}

Ranges complement(const Ranges& r) {
    Ranges out;
    uint32_t next = 0;
    for (const auto& [lo, hi] : r) {
        if (lo > next) out.emplace_back(next, lo - 1);
        next = hi + 1;
    }
    if (next <= 65535) out.emplace_back(next, 65535);
    return out;
}

// a minus b, both normalised.
Ranges subtract(const Ranges& a, const Ranges& b) {
    const Ranges keep = complement(b);
    Ranges out;
    size_t j = 0;
    for (const auto& [lo, hi] : a) {
        while (j < keep.size() && keep[j].second < lo) ++j;
        for (size_t k = j; k < keep.size() && keep[k].first <= hi; ++k)
            out.emplace_back(std::max(lo, keep[k].first), std::min(hi, keep[k].second));
    }
    return out;
}

// Same list semantics as addresses: (any positive, or none) and no negative.
Ranges eval(std::string_view text, const Vars& vars, int depth) {
    if (depth > 16) throw SyntaxError("port variables nest too deep (a cycle?)");
    text = trim(text);
    if (text.empty()) throw SyntaxError("empty port");
    if (text.front() == '!') return complement(eval(text.substr(1), vars, depth + 1));
    if (text.front() == '$') return eval(vars.get(text.substr(1)), vars, depth + 1);
    if (text == "any") return {{0, 65535}};
    if (text.front() == '[') {
        Ranges pos, neg;
        bool has_pos = false;
        for (auto it : split_list(text)) {
            const bool negated = trim(it).front() == '!';
            const Ranges item = eval(negated ? trim(it).substr(1) : it, vars, depth + 1);
            (negated ? neg : pos).insert((negated ? neg : pos).end(), item.begin(), item.end());
            has_pos = has_pos || !negated;
        }
        if (!has_pos) pos = {{0, 65535}};
        return subtract(normalise(std::move(pos)), normalise(std::move(neg)));
    }
    const auto colon = text.find(':');
    uint16_t lo = 0, hi = 0;
    if (colon == std::string_view::npos) {
        lo = hi = parse_port(text, text);
    } else {
        const auto a = text.substr(0, colon), b = text.substr(colon + 1);
        lo = a.empty() ? 0 : parse_port(a, text);
        hi = b.empty() ? 65535 : parse_port(b, text);
        if (lo > hi) throw SyntaxError("empty port range '" + std::string(text) + "'");
    }
    return {{lo, hi}};
}

}  // namespace

PortSet parse_ports(std::string_view text, const Vars& vars) {
    const Ranges r = eval(text, vars, 0);
    if (r.empty()) throw SyntaxError("port expression '" + std::string(text) + "' matches no port");
    std::vector<std::pair<uint16_t, uint16_t>> ranges;
    for (const auto& [lo, hi] : r)
        ranges.emplace_back(static_cast<uint16_t>(lo), static_cast<uint16_t>(hi));
    return PortSet(std::move(ranges));
}

}  // namespace pktsieve
