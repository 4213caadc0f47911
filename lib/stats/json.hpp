// Minimal JSON string escaping shared by every JSON writer (stats, EVE).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace pktsieve {

// Returns `s` as a quoted JSON string; bytes >= 0x80 pass through (rule text is UTF-8), control
// characters become \u00XX.
std::string json_quote(std::string_view s);
// For bytes an attacker chose (credentials, URIs): valid UTF-8 passes, every control byte,
// DEL and byte of no valid UTF-8 sequence becomes \u00XX, so any input gives valid JSON.
std::string json_quote_untrusted(std::string_view s);

}  // namespace pktsieve
