#include "dns/query.hpp"

#include <cstdint>

namespace pktsieve {

bool dns_query_name(std::string_view msg, std::string& out) {
    out.clear();
    constexpr size_t kHeader = 12, kMaxName = 255;
    if (msg.size() < kHeader) return false;
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(msg[i]); };
    if (byte(2) & 0x80) return false;                 // a response
    if (((byte(2) >> 3) & 0x0f) > 2) return false;    // opcodes beyond QUERY/IQUERY/STATUS
    if ((byte(4) << 8 | byte(5)) == 0) return false;  // no question
    size_t at = kHeader;
    for (;;) {
        if (at >= msg.size()) return false;
        const uint8_t len = byte(at++);
        if (len == 0) break;
        if (len & 0xc0) return false;  // a compression pointer cannot start the first name
        if (at + len > msg.size() || out.size() + len + 1 > kMaxName) return false;
        if (!out.empty()) out.push_back('.');
        out.append(msg.substr(at, len));
        at += len;
    }
    return at + 4 <= msg.size();  // QTYPE and QCLASS follow the name
}

}  // namespace pktsieve
