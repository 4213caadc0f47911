#include "rules/ports.hpp"

#include <array>
#include <bitset>
#include <charconv>
#include <memory>
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

using Bits = std::bitset<65536>;

uint16_t parse_port(std::string_view s, std::string_view whole) {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || v > 65535)
        throw SyntaxError("bad port '" + std::string(whole) + "'");
    return static_cast<uint16_t>(v);
}

// Same list semantics as addresses: (any positive, or none) and no negative.
void eval(std::string_view text, const Vars& vars, int depth, Bits& out) {
    if (depth > 16) throw SyntaxError("port variables nest too deep (a cycle?)");
    text = trim(text);
    if (text.empty()) throw SyntaxError("empty port");
    if (text.front() == '!') {
        eval(text.substr(1), vars, depth + 1, out);
        out.flip();
        return;
    }
    if (text.front() == '$') return eval(vars.get(text.substr(1)), vars, depth + 1, out);
    if (text == "any") {
        out.set();
        return;
    }
    if (text.front() == '[') {
        // Heap, not stack: 8 KiB each, and lists nest.
        auto tmp = std::make_unique<std::array<Bits, 3>>();
        auto& [pos, neg, item] = *tmp;
        bool has_pos = false;
        for (auto it : split_list(text)) {
            const bool negated = trim(it).front() == '!';
            item.reset();
            eval(negated ? trim(it).substr(1) : it, vars, depth + 1, item);
            (negated ? neg : pos) |= item;
            has_pos = has_pos || !negated;
        }
        if (!has_pos) pos.set();
        out = pos & ~neg;
        return;
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
    for (unsigned p = lo; p <= hi; ++p) out.set(p);
}

}  // namespace

PortSet parse_ports(std::string_view text, const Vars& vars) {
    auto bits = std::make_unique<Bits>();
    eval(text, vars, 0, *bits);
    std::vector<std::pair<uint16_t, uint16_t>> ranges;
    for (unsigned p = 0; p < 65536; ++p) {
        if (!bits->test(p)) continue;
        unsigned q = p;
        while (q + 1 < 65536 && bits->test(q + 1)) ++q;
        ranges.emplace_back(static_cast<uint16_t>(p), static_cast<uint16_t>(q));
        p = q;
    }
    if (ranges.empty())
        throw SyntaxError("port expression '" + std::string(text) + "' matches no port");
    return PortSet(std::move(ranges));
}

}  // namespace pktsieve
