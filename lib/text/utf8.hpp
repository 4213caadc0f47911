// UTF-8 validation for text that leaves the daemon in formats that require it (JSON, the
// Prometheus exposition format) while its bytes come from attackers.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pktsieve {

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 when the byte there does not begin
// one (overlong forms, surrogates and code points past U+10FFFF included).
inline size_t utf8_sequence_length(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

// Appends `s` to `out` for a format that requires UTF-8: valid multi-byte sequences as they are,
// every other byte through escape(out, byte, printable), where `printable` is false for control
// bytes, DEL and bytes that begin no valid character (their escape is the format's to choose).
template <typename Escape>
void append_utf8_escaped(std::string& out, std::string_view s, Escape&& escape) {
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_sequence_length(s, i);
        if (n > 1) {
            out.append(s.substr(i, n));
            i += n;
            continue;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        escape(out, c, n == 1 && c >= 0x20 && c != 0x7f);
        ++i;
    }
}

}  // namespace pktsieve
