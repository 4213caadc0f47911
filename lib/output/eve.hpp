// Suricata EVE-compatible alert lines (docs/eve.md lists the fields).
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "classify/alert.hpp"
#include "rules/rule.hpp"

namespace pktsieve {

// One JSON object, newline-terminated. `worker_lcore` is the lcore that raised the alert
// (pktsieve's own field, under "pktsieve").
std::string eve_alert(const AlertRecord& a, const Rule& r, unsigned worker_lcore);
// "2015-05-20T12:34:56.123456+0000" (UTC), as Suricata writes timestamps.
std::string eve_timestamp(uint64_t ts_us);
// Dotted quad for IPv4-mapped addresses, RFC 5952 text for IPv6.
std::string ip_string(const IpAddr& a, L3 l3);

}  // namespace pktsieve
