// Port expressions of a rule header: any, n, a:b, a:, :b, [lists], !negation, $VARS.
// Thread-safety: immutable after parse; contains() is const.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/vars.hpp"

namespace pktsieve {

// Normalised: sorted, disjoint, inclusive ranges. Empty means the expression matches nothing,
// which the parser rejects.
class PortSet {
  public:
    static PortSet any() { return PortSet({{0, 65535}}); }
    PortSet() = default;
    explicit PortSet(std::vector<std::pair<uint16_t, uint16_t>> ranges)
        : ranges_(std::move(ranges)) {}
    bool contains(uint16_t port) const;
    bool is_any() const {
        return ranges_.size() == 1 && ranges_[0] == std::pair<uint16_t, uint16_t>{0, 65535};
    }
    const std::vector<std::pair<uint16_t, uint16_t>>& ranges() const { return ranges_; }

  private:
    std::vector<std::pair<uint16_t, uint16_t>> ranges_;
};

// Throws SyntaxError with the offending text.
PortSet parse_ports(std::string_view text, const Vars& vars);

}  // namespace pktsieve
