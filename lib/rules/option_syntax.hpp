// What the option handlers share: the state of one rule being parsed and the value lexers.
// Internal to lib/rules. Thread-safety: pure functions; a ParseState belongs to one parse.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "rules/classification.hpp"
#include "rules/error.hpp"
#include "rules/rule.hpp"

namespace pktsieve {

struct ParseState {
    Rule& rule;
    const Classifications& classes;
    Buffer sticky = Buffer::payload;  // the buffer set by the last sticky-buffer keyword
    bool priority_set = false;
};

using OptionHandler = std::function<void(ParseState&, std::string_view key, std::string_view)>;
using OptionTable = std::map<std::string_view, OptionHandler>;

// Handlers of contents, pcres and everything that modifies or places them.
const OptionTable& payload_options();
// Handlers of what a match needs besides the payload (flowbits, thresholds, flags, dsize).
const OptionTable& condition_options();

std::string unquote(std::string_view v, std::string_view key);
long parse_int(std::string_view v, std::string_view key, long lo, long hi);
// N | !N | <N | >N | N<>M: dsize and bsize.
SizeTest parse_size(std::string_view v, std::string_view key);

}  // namespace pktsieve
