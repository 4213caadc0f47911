// Rule option body "msg:...; content:...; sid:1;" -> fields of a Rule.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "rules/classification.hpp"
#include "rules/rule.hpp"

namespace pktsieve {

// Applies every option in `body` to `r`, classtypes looked up in `classes`. Throws SyntaxError
// naming the keyword at fault (Unsupported for a Suricata keyword pktsieve lacks).
void apply_options(std::string_view body, Rule& r, const Classifications& classes);

// Decodes a content string (without quotes): |hex| blocks and \" \; \\ \: escapes.
std::string decode_content(std::string_view quoted_inner);

}  // namespace pktsieve
