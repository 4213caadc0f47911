// The rule keywords Suricata 7 knows, as data: a keyword pktsieve does not implement is
// "unsupported" (the rule is skipped and counted), a word no Suricata version knows is an error
// (a typo such as `contnt` must not pass silently as a skip).
// Thread-safety: immutable table.
#pragma once

#include <string_view>

namespace pktsieve {

bool is_suricata_keyword(std::string_view keyword);

}  // namespace pktsieve
