#include "stats/json.hpp"

#include <fmt/format.h>

#include "text/utf8.hpp"

namespace pktsieve {

std::string json_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20)
                    out += fmt::format("\\u{:04x}", c);
                else
                    out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
    return out;
}

}  // namespace pktsieve

namespace pktsieve {

std::string json_quote_untrusted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    append_utf8_escaped(out, s, [](std::string& o, unsigned char c, bool printable) {
        if (c == '"')
            o += "\\\"";
        else if (c == '\\')
            o += "\\\\";
        else if (!printable)
            o += fmt::format("\\u{:04x}", c);  // a byte of no valid character: as U+00XX
        else
            o.push_back(static_cast<char>(c));
    });
    out.push_back('"');
    return out;
}

}  // namespace pktsieve
