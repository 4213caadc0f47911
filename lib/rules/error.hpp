// Error type for rule text: carries the `file:line: reason` form users see.
// Thread-safety: value type.
#pragma once

#include <stdexcept>
#include <string>

namespace pktsieve {

// Thrown by the value parsers (addresses, ports, options) with the reason alone;
// the file parser adds file and line.
class SyntaxError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Well-formed text pktsieve does not implement (a keyword, protocol, action or flag): the rule
// is skipped and counted instead of rejecting its file, unless --strict.
class Unsupported : public SyntaxError {
  public:
    using SyntaxError::SyntaxError;
};

struct RuleError {
    std::string file;
    int line = 0;
    std::string reason;
    std::string str() const { return file + ":" + std::to_string(line) + ": " + reason; }
};

}  // namespace pktsieve
