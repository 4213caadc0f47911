// Address expressions of a rule header: any, a.b.c.d[/n], IPv6[/n], [lists], !negation, $VARS.
// Thread-safety: immutable after parse; match() is const.
#pragma once

#include <string_view>
#include <vector>

#include "packet/packet.hpp"
#include "rules/vars.hpp"

namespace pktsieve {

struct Cidr {
    IpAddr addr{};
    uint8_t prefix = 0;  // over the 128-bit (IPv4-mapped) space
    bool contains(const IpAddr& a) const;
};

// A list matches when one of its positive items matches (or it has none) and none of its
// negated items does: Suricata's "[10.0.0.0/8, !10.1.1.1]" is 10/8 except 10.1.1.1.
struct AddrExpr {
    enum class Kind { any, cidr, list } kind = Kind::any;
    bool negated = false;
    Cidr cidr;
    std::vector<AddrExpr> items;

    bool match(const IpAddr& a) const;
    bool is_any() const { return kind == Kind::any && !negated; }
};

// Throws SyntaxError with the offending text.
AddrExpr parse_address(std::string_view text, const Vars& vars);
// Parses "a.b.c.d" or an IPv6 literal; false when it is neither.
bool parse_ip(std::string_view text, IpAddr& out, bool& is_v4);

}  // namespace pktsieve
