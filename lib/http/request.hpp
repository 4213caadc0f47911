// A bounded HTTP/1.x request-head parser: the request line and header lines, enough for the
// HTTP buffers rules read (http.method, http.uri, ...). No bodies, no responses.
// Thread-safety: pure functions; an HttpRequest belongs to its caller (it reuses its strings'
// capacity, so a worker that keeps one allocates only while heads grow past earlier ones).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pktsieve {

struct HttpRequest {
    std::string_view method, uri_raw, protocol, request_line, user_agent;
    std::string uri;           // normalised: percent-decoded, dot segments removed (see below)
    std::string host;          // Host header, lower-cased, without port
    std::string header;        // "Name: value\r\n" per header line, in order
    std::string header_names;  // "\r\nName1\r\nName2\r\n\r\n"
    uint64_t content_length = 0;
    bool chunked = false;   // Transfer-Encoding: chunked (it overrides Content-Length)
    bool complete = false;  // the blank line that ends the head was seen
};

enum class HttpStart : uint8_t { request, not_http, need_more };

// How many bytes at the start of `in` a server skips before a request line: empty lines
// (RFC 9112 2.2 says at least one) and, as Netty (Elasticsearch's HTTP layer) does, any other
// control byte or space. A follower skips them too, or "\r\nGET /attack" would go unseen.
inline size_t request_filler(std::string_view in) {
    size_t i = 0;
    while (i < in.size() && (static_cast<unsigned char>(in[i]) <= 0x20 || in[i] == 0x7f)) ++i;
    return i;
}

// Whether a client's first bytes begin an HTTP request: a method token (letters, '-', '_'),
// then a space.
HttpStart http_start(std::string_view first);

// Index just past the blank line ending a head ("\r\n\r\n" or "\n\n") found at or after
// `from` (callers pass where the last search stopped, minus 3); npos when not there yet.
size_t head_end(std::string_view data, size_t from = 0);

// Parses `head` (views point into it). False when it does not begin with a request line.
bool parse_request(std::string_view head, HttpRequest& out);

// %XX -> byte; malformed escapes stay as they are.
void percent_decode(std::string_view in, std::string& out);
// http.uri as Suricata (libhtp) normalises it: the path percent-decoded, then its "." and ".."
// segments resolved (RFC 3986 5.2.4); the query percent-decoded.
void normalize_uri(std::string_view raw, std::string& out);

}  // namespace pktsieve
