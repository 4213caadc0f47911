#include "rules/address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

#include "rules/error.hpp"
#include "rules/list_syntax.hpp"

namespace pktsieve {

bool Cidr::contains(const IpAddr& a) const {
    const unsigned full = prefix / 8;
    if (std::memcmp(a.data(), addr.data(), full) != 0) return false;
    const unsigned rest = prefix % 8;
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (a[full] & mask) == (addr[full] & mask);
}

bool AddrExpr::match(const IpAddr& a) const {
    bool inner = false;
    switch (kind) {
        case Kind::any:
            inner = true;
            break;
        case Kind::cidr:
            inner = cidr.contains(a);
            break;
        case Kind::list: {
            bool has_pos = false, pos = false, neg = false;
            for (const auto& it : items) {
                if (it.negated) {
                    AddrExpr plain = it;  // rare path: only evaluated after a pattern matched
                    plain.negated = false;
                    neg = neg || plain.match(a);
                } else {
                    has_pos = true;
                    pos = pos || it.match(a);
                }
            }
            inner = (!has_pos || pos) && !neg;
            break;
        }
    }
    return inner != negated;
}

bool parse_ip(std::string_view text, IpAddr& out, bool& is_v4) {
    const std::string s(text);
    uint8_t buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
        out = {};
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, buf, 4);
        is_v4 = true;
        return true;
    }
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
        std::memcpy(out.data(), buf, 16);
        is_v4 = false;
        return true;
    }
    return false;
}

namespace {

Cidr parse_cidr(std::string_view text) {
    const auto slash = text.find('/');
    bool v4 = false;
    Cidr c;
    if (!parse_ip(text.substr(0, slash), c.addr, v4))
        throw SyntaxError("bad address '" + std::string(text) + "'");
    const unsigned max = v4 ? 32 : 128;
    unsigned len = max;
    if (slash != std::string_view::npos) {
        const auto p = text.substr(slash + 1);
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), len);
        if (ec != std::errc{} || ptr != p.data() + p.size() || len > max)
            throw SyntaxError("bad prefix length in '" + std::string(text) + "'");
    }
    c.prefix = static_cast<uint8_t>(v4 ? len + 96 : len);
    return c;
}

AddrExpr parse_expr(std::string_view text, const Vars& vars, int depth) {
    if (depth > 16) throw SyntaxError("address variables nest too deep (a cycle?)");
    text = trim(text);
    AddrExpr e;
    if (!text.empty() && text.front() == '!') {
        e = parse_expr(text.substr(1), vars, depth + 1);
        e.negated = !e.negated;
        return e;
    }
    if (text.empty()) throw SyntaxError("empty address");
    if (text.front() == '$') return parse_expr(vars.get(text.substr(1)), vars, depth + 1);
    if (text == "any") return e;
    if (text.front() == '[') {
        e.kind = AddrExpr::Kind::list;
        for (auto item : split_list(text)) e.items.push_back(parse_expr(item, vars, depth + 1));
        return e;
    }
    e.kind = AddrExpr::Kind::cidr;
    e.cidr = parse_cidr(text);
    return e;
}

}  // namespace

AddrExpr parse_address(std::string_view text, const Vars& vars) {
    return parse_expr(text, vars, 0);
}

}  // namespace pktsieve
