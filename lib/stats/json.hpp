// Minimal JSON string escaping shared by every JSON writer (stats, EVE).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace pktsieve {

// Returns `s` as a quoted JSON string; bytes >= 0x80 pass through (rule text is UTF-8), control
// characters become \u00XX.
std::string json_quote(std::string_view s);

}  // namespace pktsieve
