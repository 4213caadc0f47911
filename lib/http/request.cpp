#include "http/request.hpp"

#include "text/ascii.hpp"

#include <algorithm>
#include <charconv>

namespace pktsieve {

namespace {

constexpr size_t kMaxMethod = 24;

bool token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

std::string_view trim_ws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Next line of `s` from `pos` without its "\r\n" / "\n"; pos moves past it.
std::string_view next_line(std::string_view s, size_t& pos) {
    const size_t nl = s.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? s.size() : nl;
    std::string_view line = s.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl == std::string_view::npos ? s.size() : nl + 1;
    return line;
}

bool parse_request_line(std::string_view line, HttpRequest& out) {
    const size_t sp1 = line.find(' ');
    if (sp1 == 0 || sp1 == std::string_view::npos || sp1 > kMaxMethod) return false;
    for (size_t i = 0; i < sp1; ++i)
        if (!token_char(line[i])) return false;
    out.request_line = line;
    out.method = line.substr(0, sp1);
    std::string_view rest = line.substr(sp1 + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const size_t sp2 = rest.rfind(' ');
    const bool has_proto =
        sp2 != std::string_view::npos && rest.substr(sp2 + 1).rfind("HTTP/", 0) == 0;
    out.uri_raw = has_proto ? trim_ws(rest.substr(0, sp2)) : rest;
    out.protocol = has_proto ? rest.substr(sp2 + 1) : std::string_view();
    normalize_uri(out.uri_raw, out.uri);
    return true;
}

void add_header(std::string_view name, std::string_view value, HttpRequest& out) {
    out.header.append(name).append(": ").append(value).append("\r\n");
    out.header_names.append(name).append("\r\n");
    if (iequals_ascii(name, "user-agent")) {
        out.user_agent = value;
    } else if (iequals_ascii(name, "host")) {
        // "[v6]:port" keeps its brackets; "name:port" loses the port.
        size_t end = value.size();
        const size_t colon = value.rfind(':');
        if (colon != std::string_view::npos && value.find(']', colon) == std::string_view::npos)
            end = colon;
        out.host.clear();
        for (char c : value.substr(0, end)) out.host.push_back(ascii_lower(c));
    } else if (iequals_ascii(name, "transfer-encoding")) {
        for (size_t i = 0; i + 7 <= value.size(); ++i)
            out.chunked = out.chunked || iequals_ascii(value.substr(i, 7), "chunked");
    } else if (iequals_ascii(name, "content-length")) {
        uint64_t n = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        out.content_length = ec == std::errc{} ? n : 0;
    }
}

// RFC 3986 5.2.4 on a decoded path, in place (the output never outgrows the input, so it is
// written behind the read position): "." segments go, ".." also takes the segment before it.
void remove_dot_segments(std::string& s) {
    const size_t n = s.size();
    size_t r = 0, w = 0;
    auto at = [&](std::string_view p) { return std::string_view(s).substr(r, p.size()) == p; };
    auto pop_segment = [&] {  // the output's last segment and the "/" before it
        while (w > 0 && s[w - 1] != '/') --w;
        if (w > 0) --w;
    };
    while (r < n) {
        const size_t left = n - r;
        if (at("../")) {
            r += 3;
        } else if (at("./")) {
            r += 2;
        } else if (at("/./")) {
            r += 2;  // the input now starts "/"
        } else if (left == 2 && at("/.")) {
            r += 1;
            s[r] = '/';
        } else if (at("/../")) {
            r += 3;
            pop_segment();
        } else if (left == 3 && at("/..")) {
            r += 2;
            s[r] = '/';
            pop_segment();
        } else if ((left == 1 && at(".")) || (left == 2 && at(".."))) {
            r = n;
        } else {
            do {
                s[w++] = s[r++];
            } while (r < n && s[r] != '/');
        }
    }
    s.resize(w);
}

// Appends %XX-decoded `in` to `out` (the runs between escapes appended whole).
void append_decoded(std::string_view in, std::string& out) {
    for (size_t i = 0; i < in.size();) {
        const size_t pct = std::min(in.find('%', i), in.size());
        out.append(in.substr(i, pct - i));
        if (pct == in.size()) return;
        if (pct + 2 < in.size() && hex_value(in[pct + 1]) >= 0 && hex_value(in[pct + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(in[pct + 1]) << 4 | hex_value(in[pct + 2])));
            i = pct + 3;
        } else {
            out.push_back('%');
            i = pct + 1;
        }
    }
}

// Whether remove_dot_segments could change `s`: a dot segment starts the path or follows a "/".
bool has_dot_segment(std::string_view s) {
    return (!s.empty() && s[0] == '.') || s.find("/.") != std::string_view::npos;
}

}  // namespace

// Methods are upper case (RFC 9110's registry, WebDAV's, M-SEARCH): "ody of a body " is no
// request, which matters where a capture begins inside a body (the next request is looked
// for at each segment's start).
HttpStart http_start(std::string_view first) {
    for (size_t i = 0; i < first.size() && i <= kMaxMethod; ++i) {
        const char c = first[i];
        if (c == ' ') return i > 0 ? HttpStart::request : HttpStart::not_http;
        if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_')) return HttpStart::not_http;
    }
    return first.size() > kMaxMethod ? HttpStart::not_http : HttpStart::need_more;
}

size_t head_end(std::string_view data, size_t from) {
    for (size_t i = data.find('\n', from); i != std::string_view::npos;
         i = data.find('\n', i + 1)) {
        if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
        if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
    }
    return std::string_view::npos;
}

bool parse_request(std::string_view head, HttpRequest& out) {
    out.user_agent = {};
    out.host.clear();
    out.header.clear();
    out.header_names.assign("\r\n");
    out.content_length = 0;
    out.chunked = false;
    out.complete = false;
    size_t pos = 0;
    if (!parse_request_line(next_line(head, pos), out)) return false;
    while (pos < head.size()) {
        const size_t line_start = pos;
        const std::string_view line = next_line(head, pos);
        if (line.empty()) {
            out.complete = true;
            break;
        }
        // A header cut off by the head's bound is left out rather than read half.
        if (pos == head.size() && head.back() != '\n' && line_start > 0) break;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;
        add_header(trim_ws(line.substr(0, colon)), trim_ws(line.substr(colon + 1)), out);
    }
    out.header_names.append("\r\n");
    return true;
}

// Reuses `out`'s capacity: no allocation once it has held a head's URI.
void normalize_uri(std::string_view raw, std::string& out) {
    if (raw.find('%') == std::string_view::npos && !has_dot_segment(raw)) {
        out.assign(raw);  // nothing to decode or remove (most URIs): as below, in one copy
        return;
    }
    const size_t q = std::min(raw.find('?'), raw.size());
    out.clear();
    append_decoded(raw.substr(0, q), out);
    if (has_dot_segment(out)) remove_dot_segments(out);
    append_decoded(raw.substr(q), out);
}

void percent_decode(std::string_view in, std::string& out) {
    out.clear();
    append_decoded(in, out);
}

}  // namespace pktsieve
