#include "observe/intel.hpp"

#include <algorithm>
#include <cstring>

namespace pktsieve {

namespace {

// `prefix` in lower case; ASCII letters of `s` compared without case.
bool iequals_prefix(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] | 0x20) : s[i];
        if (c != prefix[i]) return false;
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX -> byte into `out` (at most out.size() bytes); returns the length. No allocation.
template <size_t N>
size_t decode_percent(std::string_view in, std::array<char, N>& out) {
    size_t n = 0;
    for (size_t i = 0; i < in.size() && n < N; ++i) {
        int hi, lo;
        if (in[i] == '%' && i + 2 < in.size() && (hi = hex_value(in[i + 1])) >= 0 &&
            (lo = hex_value(in[i + 2])) >= 0) {
            out[n++] = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = in[i];
        }
    }
    return n;
}

// A ".." path segment: between separators ('/' or '\'), or at the path's start or end.
bool climbs(std::string_view path) {
    for (size_t at = path.find(".."); at != std::string_view::npos; at = path.find("..", at + 1)) {
        const bool starts = at == 0 || path[at - 1] == '/' || path[at - 1] == '\\';
        const bool ends = at + 2 == path.size() || path[at + 2] == '/' || path[at + 2] == '\\';
        if (starts && ends) return true;
    }
    return false;
}

}  // namespace

IntelText IntelText::of(std::string_view a) {
    IntelText t;
    t.truncated = a.size() > kMaxBytes;
    t.len = static_cast<uint16_t>(std::min(a.size(), kMaxBytes));
    std::memcpy(t.bytes.data(), a.data(), t.len);
    return t;
}

IntelText IntelText::pair(std::string_view a, std::string_view b) {
    IntelText t = of(a);
    t.split = t.len;
    const size_t room = kMaxBytes - t.len;
    t.truncated = t.truncated || b.size() > room;
    const size_t n = std::min(b.size(), room);
    std::memcpy(t.bytes.data() + t.len, b.data(), n);
    t.len = static_cast<uint16_t>(t.len + n);
    return t;
}

uint64_t IntelText::hash() const {
    uint64_t h = 0xcbf29ce484222325ull ^ split;  // FNV-1a, then a finaliser for the low bits
    for (char c : text()) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

std::string_view intel_kind_name(IntelKind k) {
    switch (k) {
        case IntelKind::telnet_credentials:
            return "telnet_credentials";
        case IntelKind::proxy_targets:
            return "proxy_targets";
        case IntelKind::traversal_targets:
            return "traversal_targets";
        case IntelKind::rce_commands:
            return "rce_commands";
    }
    return "unknown";
}

bool telnet_login(std::string_view lines, IntelText& out) {
    std::string_view fields[2];
    unsigned n = 0;
    for (size_t at = 0; n < 2;) {
        const size_t end = lines.find("\r\n", at);
        if (end == std::string_view::npos) return false;
        const std::string_view line = lines.substr(at, end - at);
        at = end + 2;
        if (n == 0 && line.empty()) continue;  // a bare Enter to wake the prompt
        fields[n++] = line;
    }
    out = IntelText::pair(fields[0], fields[1]);
    return true;
}

bool proxy_target(std::string_view method, std::string_view uri_raw, IntelText& out) {
    if (method == "CONNECT") {
        if (uri_raw.empty()) return false;
        out = IntelText::of(uri_raw);
        return true;
    }
    std::string_view rest;
    std::string_view port;
    if (iequals_prefix(uri_raw, "http://")) {
        rest = uri_raw.substr(7);
        port = "80";
    } else if (iequals_prefix(uri_raw, "https://")) {
        rest = uri_raw.substr(8);
        port = "443";
    } else {
        return false;
    }
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);  // user:password@host
    if (authority.empty()) return false;
    const size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string_view::npos && authority.back() != ']';
    out = IntelText::of(authority);
    if (!has_port) {  // host:default port, in place
        const std::string_view suffix = port == "80" ? ":80" : ":443";
        const size_t n = std::min(suffix.size(), IntelText::kMaxBytes - out.len);
        std::memcpy(out.bytes.data() + out.len, suffix.data(), n);
        out.len = static_cast<uint16_t>(out.len + n);
        out.truncated = out.truncated || n < suffix.size();
    }
    return true;
}

bool traversal_target(std::string_view uri_raw, IntelText& out) {
    const std::string_view path = uri_raw.substr(0, uri_raw.find('?'));
    // Most requests have neither ".." nor an escape: nothing to decode.
    if (path.find('%') == std::string_view::npos && path.find("..") == std::string_view::npos)
        return false;
    std::array<char, 2048> once, twice;  // a longer path is read as far as this
    std::string_view decoded(once.data(), decode_percent(path, once));
    if (!climbs(decoded)) {
        decoded = {twice.data(), decode_percent(decoded, twice)};  // %252e: encoded twice
        if (!climbs(decoded)) return false;
    }
    // The file asked for: dot segments resolved, '\\' taken as '/' (Windows targets).
    std::array<std::string_view, 128> parts;
    size_t depth = 0;
    for (size_t at = 0; at <= decoded.size();) {
        size_t end = at;
        while (end < decoded.size() && decoded[end] != '/' && decoded[end] != '\\') ++end;
        const std::string_view seg = decoded.substr(at, end - at);
        if (seg == "..") {
            if (depth) --depth;
        } else if (!seg.empty() && seg != "." && depth < parts.size()) {
            parts[depth++] = seg;
        }
        at = end + 1;
    }
    std::array<char, IntelText::kMaxBytes + 1> file;
    size_t n = 0;
    for (size_t i = 0; i < depth && n < file.size(); ++i) {
        file[n++] = '/';
        const size_t take = std::min(parts[i].size(), file.size() - n);
        std::memcpy(file.data() + n, parts[i].data(), take);
        n += take;
    }
    if (n == 0) file[n++] = '/';
    out = IntelText::of({file.data(), n});  // more than kMaxBytes: marked truncated
    return true;
}

bool exec_command(std::string_view text, IntelText& out) {
    const size_t at = text.find("exec(");
    if (at == std::string_view::npos) return false;
    size_t i = at + 5;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size()) return false;
    // The quote as it appears: ", ', or JSON-escaped \" inside a JSON string.
    std::string_view close;
    if (text.substr(i, 2) == "\\\"") {
        close = "\\\"";
    } else if (text[i] == '"') {
        close = "\"";
    } else if (text[i] == '\'') {
        close = "'";
    } else {
        return false;
    }
    i += close.size();
    std::string cmd;
    for (; i < text.size(); ++i) {
        if (text.substr(i, close.size()) == close) {
            out = IntelText::of(cmd);
            return true;
        }
        if (text[i] == '\\' && i + 1 < text.size()) {
            // JSON escapes (one level; inside \"...\" a second level: \\\\ -> \).
            const char e = text[i + 1];
            if (close == "\\\"" && text.substr(i, 4) == "\\\\\\\\") {
                cmd.push_back('\\');
                i += 3;
                continue;
            }
            if (e == 'n' || e == 't' || e == 'r') {
                cmd.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : '\r');
                ++i;
                continue;
            }
            if (e == '\\' || e == '"' || e == '\'' || e == '/') {
                cmd.push_back(e);
                ++i;
                continue;
            }
        }
        cmd.push_back(text[i]);
        if (cmd.size() > IntelText::kMaxBytes) break;  // long enough: keep what fits
    }
    if (cmd.empty()) return false;
    out = IntelText::of(cmd);
    out.truncated = true;
    return true;
}

}  // namespace pktsieve
