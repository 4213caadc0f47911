// DPDK telemetry writes a reply into a 16 KiB buffer and silently drops whatever does not fit
// (22.11: the JSON writers return the buffer unchanged). Commands that list rows therefore list
// only the rows that fit a budget and say how many there are, so a client never mistakes a
// cut reply for the whole: "listed" of "total", from "first".
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace pktsieve {

// What a reply may use for rows, leaving room for its fixed fields.
constexpr size_t kReplyRowBudget = 12 * 1024;

// Bytes `s` takes as a JSON string value in the reply (quotes and escapes included; DPDK keeps
// at most 127 bytes of a string).
constexpr size_t json_string_bytes(std::string_view s) {
    size_t n = 3;  // quotes and a separator
    size_t kept = 0;
    for (unsigned char c : s) {
        if (++kept > 127) break;
        n += c == '"' || c == '\\' ? 2 : c < 0x20 ? 6 : 1;
    }
    return n;
}

// Bytes of a u64 value in a column: up to 20 digits and a separator.
constexpr size_t kU64Bytes = 21;

// How many rows, each costing row_bytes(i), fit the budget (at least one when there is one).
template <typename Fn>
size_t rows_within(size_t rows, size_t budget, Fn row_bytes) {
    size_t used = 0;
    for (size_t i = 0; i < rows; ++i) {
        used += row_bytes(i);
        if (used > budget) return i == 0 ? 1 : i;
    }
    return rows;
}

}  // namespace pktsieve
