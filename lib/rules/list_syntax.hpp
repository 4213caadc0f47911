// Shared lexing for header fields: trimming and splitting "[a, [b, c], !d]" at top-level commas.
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

namespace pktsieve {

std::string_view trim(std::string_view s);
// "a, b ,c" -> {"a", "b", "c"} (trimmed; empty items kept).
std::vector<std::string_view> split_commas(std::string_view text);
// `text` must start with '[' and end with the matching ']'. Throws SyntaxError otherwise.
std::vector<std::string_view> split_list(std::string_view text);

}  // namespace pktsieve
