#include "http/request.hpp"

#include <charconv>

namespace pktsieve {

namespace {

constexpr size_t kMaxMethod = 24;

bool token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trim_ws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
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
    if (iequals(name, "user-agent")) {
        out.user_agent = value;
    } else if (iequals(name, "host")) {
        // "[v6]:port" keeps its brackets; "name:port" loses the port.
        size_t end = value.size();
        const size_t colon = value.rfind(':');
        if (colon != std::string_view::npos && value.find(']', colon) == std::string_view::npos)
            end = colon;
        out.host.clear();
        for (char c : value.substr(0, end))
            out.host.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c);
    } else if (iequals(name, "transfer-encoding")) {
        for (size_t i = 0; i + 7 <= value.size(); ++i)
            out.chunked = out.chunked || iequals(value.substr(i, 7), "chunked");
    } else if (iequals(name, "content-length")) {
        uint64_t n = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        out.content_length = ec == std::errc{} ? n : 0;
    }
}

}  // namespace

HttpStart http_start(std::string_view first) {
    for (size_t i = 0; i < first.size() && i <= kMaxMethod; ++i) {
        if (first[i] == ' ') return i > 0 ? HttpStart::request : HttpStart::not_http;
        if (!token_char(first[i])) return HttpStart::not_http;
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

// RFC 3986 5.2.4 on a decoded path: "." segments go, ".." also takes the segment before it.
// Quadratic in the worst case, on at most a head's 2 KiB.
void remove_dot_segments(std::string& path) {
    auto starts = [](const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; };
    auto pop_segment = [](std::string& out) {
        const size_t cut = out.rfind('/');
        out.resize(cut == std::string::npos ? 0 : cut);
    };
    std::string in = std::move(path), out;
    while (!in.empty()) {
        if (starts(in, "../")) {
            in.erase(0, 3);
        } else if (starts(in, "./")) {
            in.erase(0, 2);
        } else if (starts(in, "/./") || in == "/.") {
            in.replace(0, in == "/." ? 2 : 3, "/");
        } else if (starts(in, "/../") || in == "/..") {
            in.replace(0, in == "/.." ? 3 : 4, "/");
            pop_segment(out);
        } else if (in == "." || in == "..") {
            in.clear();
        } else {
            const size_t next = in.find('/', in[0] == '/' ? 1 : 0);
            const size_t n = next == std::string::npos ? in.size() : next;
            out.append(in, 0, n);
            in.erase(0, n);
        }
    }
    path = std::move(out);
}

void normalize_uri(std::string_view raw, std::string& out) {
    const size_t q = raw.find('?');
    percent_decode(raw.substr(0, q), out);
    remove_dot_segments(out);
    if (q == std::string_view::npos) return;
    std::string query;
    percent_decode(raw.substr(q), query);
    out += query;
}

void percent_decode(std::string_view in, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() + 0 && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(in[i + 1]) << 4 | hex(in[i + 2])));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
}

}  // namespace pktsieve
