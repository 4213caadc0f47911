// The name a DNS query asks for, as rules read it (Suricata's dns.query buffer): the first
// question's labels joined by '.', no trailing dot, bytes as sent. Queries only (QR = 0).
// Thread-safety: pure function; `out` belongs to the caller (its capacity is reused).
#pragma once

#include <string>
#include <string_view>

namespace pktsieve {

// False when `msg` (a UDP payload) is not a DNS query with a well-formed first question.
bool dns_query_name(std::string_view msg, std::string& out);

}  // namespace pktsieve
