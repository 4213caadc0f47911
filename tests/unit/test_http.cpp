// The HTTP request-head parser and the verifier's search, alone.
#include <catch2/catch.hpp>

#include "http/chunked.hpp"
#include "http/request.hpp"
#include "match/verify.hpp"

using namespace pktsieve;

TEST_CASE("a request head parses into the buffers rules read", "[http]") {
    HttpRequest r;
    const std::string head =
        "GET /a%20b/%zz?x=%41 HTTP/1.0\r\nHost: [2001:db8::1]:80\r\nUSER-AGENT:  curl/8 \r\n"
        "Content-Length: 12\r\nbroken line\r\n\r\n";
    REQUIRE(parse_request(head, r));
    CHECK(r.method == "GET");
    CHECK(r.uri_raw == "/a%20b/%zz?x=%41");
    CHECK(r.uri == "/a b/%zz?x=A");  // "%zz" is not an escape: kept
    CHECK(r.protocol == "HTTP/1.0");
    CHECK(r.request_line == "GET /a%20b/%zz?x=%41 HTTP/1.0");
    CHECK(r.host == "[2001:db8::1]");
    CHECK(r.user_agent == "curl/8");
    CHECK(r.content_length == 12);
    CHECK(r.header == "Host: [2001:db8::1]:80\r\nUSER-AGENT: curl/8\r\nContent-Length: 12\r\n");
    CHECK(r.header_names == "\r\nHost\r\nUSER-AGENT\r\nContent-Length\r\n\r\n");
    CHECK(r.complete);
    CHECK_FALSE(parse_request("\x16\x03\x01 hello\r\n\r\n", r));
    REQUIRE(parse_request("GET /\r\nHost: A.B:1\r\nX-Cut: hal", r));  // HTTP/0.9, cut short
    CHECK(r.protocol.empty());
    CHECK(r.host == "a.b");
    CHECK(r.header == "Host: A.B:1\r\n");
    CHECK_FALSE(r.complete);
}

TEST_CASE("http.uri is normalised as Suricata's libhtp does", "[http]") {
    std::string u;
    const std::pair<const char*, const char*> cases[] = {
        {"/a/b/../c/./d", "/a/c/d"},
        {"/_plugin/head/../../../../etc/passwd", "/etc/passwd"},
        {"/a/%2e%2e/b", "/b"},
        {"/a/%2E%2e%2Fb", "/b"},  // decoded first, so an encoded slash separates too
        {"/a/b/..", "/a/"},
        {"/a/.", "/a/"},
        {"/../x", "/x"},
        {"a/../b", "/b"},
        {"/a/..b/c", "/a/..b/c"},
        {"/s?x=/../y&z=%41", "/s?x=/../y&z=A"},  // the query: decoded only
        {"/%", "/%"},                            // escapes cut short stay as they are
        {"/%4", "/%4"},
        {"/%zz%41", "/%zzA"},
        {"/%%41", "/%A"},
        {"/index.html", "/index.html"},  // a dot inside a segment
        {"./a", "a"},                    // RFC 3986 5.2.4 A: a leading "./" or "../" goes
        {"%2e%2e/a", "a"},
        {"", ""},
        {"/plain/path?x=y", "/plain/path?x=y"},  // nothing to decode or remove: copied
        {"/s?q=a/./b", "/s?q=a/./b"},            // a dot segment in the query only: kept
        {".", ""},
    };
    for (const auto& [raw, want] : cases) {
        INFO(raw);
        normalize_uri(raw, u);
        CHECK(u == want);
    }
}

TEST_CASE("where a head ends, and how a client's first bytes start", "[http]") {
    CHECK(head_end("GET / HTTP/1.1\r\n\r\nbody") == 18);
    CHECK(head_end("GET / HTTP/1.1\n\nbody") == 16);
    CHECK(head_end("GET / HTTP/1.1\r\nHost: x\r\n") == std::string_view::npos);
    CHECK(http_start("GE") == HttpStart::need_more);
    CHECK(http_start("GET /") == HttpStart::request);
    CHECK(http_start("M-SEARCH * HTTP/1.1") == HttpStart::request);
    CHECK(http_start("\xff\xfb\x18") == HttpStart::not_http);
    CHECK(http_start(" GET") == HttpStart::not_http);
    CHECK(http_start("ody of a body ") == HttpStart::not_http);  // a capture begun in a body
    CHECK(http_start("get / HTTP/1.1") == HttpStart::not_http);
    CHECK(http_start(std::string(30, 'A')) == HttpStart::not_http);
}

TEST_CASE("the verifier's search honours its window and case", "[verify]") {
    CHECK(find_bytes("xxabcab", 0, 7, "ab", false) == 2);
    CHECK(find_bytes("xxabcab", 3, 7, "ab", false) == 5);
    CHECK(find_bytes("xxabcab", 3, 6, "ab", false) == std::string_view::npos);
    CHECK(find_bytes("xxABcab", 0, 7, "ab", true) == 2);
    CHECK(find_bytes("xxABcab", 0, 7, "ab", false) == 5);
    CHECK(find_bytes("ab", 0, 2, "abc", false) == std::string_view::npos);
    CHECK(find_bytes("ab", 2, 1, "a", false) == std::string_view::npos);
}

TEST_CASE("a chunked body is skipped up to its end, in any pieces", "[http][chunked]") {
    const std::string body =
        "5;name=x\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: 1\r\n\r\nGET /next";
    for (size_t piece : {1, 2, 7, 100}) {
        INFO(piece);
        ChunkedBody c;
        std::string rest;
        ChunkedBody::Result r = ChunkedBody::Result::more;
        for (size_t at = 0; at < body.size(); at += piece) {
            std::string_view in(body.data() + at, std::min(piece, body.size() - at));
            if (r == ChunkedBody::Result::done) {
                rest += in;
                continue;
            }
            r = c.feed(in);
            rest += in;  // what follows the body, once done
        }
        CHECK(r == ChunkedBody::Result::done);
        CHECK(rest == "GET /next");
    }
    ChunkedBody no_trailer;
    std::string_view in = "0\r\n\r\nX";
    CHECK(no_trailer.feed(in) == ChunkedBody::Result::done);
    CHECK(in == "X");
    for (const char* bad : {"zz\r\n", "\r\n", "5\r\nhelloXY", "12345678901234\r\n"}) {
        INFO(bad);
        ChunkedBody c;
        std::string_view b = bad;
        CHECK(c.feed(b) == ChunkedBody::Result::malformed);
    }
}

TEST_CASE("only an empty line ends a chunked body's trailers, in any pieces", "[http][chunked]") {
    // (trailers, bytes after the body). "X\n" is a one-byte trailer line, not the end: ending
    // there would take "Y: 2..." for the next request (a desync the fuzzer found).
    const std::vector<std::pair<std::string, std::string>> shapes{
        {"\r\n", "NEXT"},
        {"\n", "NEXT"},
        {"X\nY: 2\r\n\r\n", "NEXT"},
        {"X\r\nY: 2\n\n", "NEXT"},
        {"\rX\r\n\r\n", "NEXT"},
        {"A: 1\r\nB: 2\r\n\r\n", "GET / HTTP/1.1\r\n\r\n"},
        {"\r\r\n\r\n", "NEXT"},  // "\r\r" is a line with a byte in it
    };
    for (const auto& [trailers, after] : shapes) {
        const std::string body = "3\r\nabc\r\n0\r\n" + trailers + after;
        for (size_t piece : {1, 2, 3, 100}) {
            INFO(trailers << " in pieces of " << piece);
            ChunkedBody c;
            std::string rest;
            ChunkedBody::Result r = ChunkedBody::Result::more;
            for (size_t at = 0; at < body.size(); at += piece) {
                std::string_view in(body.data() + at, std::min(piece, body.size() - at));
                if (r != ChunkedBody::Result::done) r = c.feed(in);
                rest += in;
            }
            CHECK(r == ChunkedBody::Result::done);
            CHECK(rest == after);
        }
    }
}
