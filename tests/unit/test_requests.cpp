// Every request of a connection is matched as a request: `^` and depth count from its start,
// for keep-alive and pipelined requests, requests split across segments, and captures that
// begin in the middle of a connection.
#include <catch2/catch.hpp>

#include "shipped_run.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {

const std::string kBenign = "GET / HTTP/1.1\r\nHost: es\r\n\r\n";
const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
const std::string kTraversal =
    "GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\nHost: es\r\n\r\n";

}  // namespace

TEST_CASE("the 2nd and 3rd request of a keep-alive connection are matched", "[requests]") {
    auto rs = shipped();
    const uint32_t trav = sid_index(*rs, 9000001);
    for (int nth : {2, 3}) {
        INFO("traversal as request " << nth);
        Run run(*rs);
        Conversation c(40001, 9200);
        for (int i = 1; i < nth; ++i) {
            c.client(kBenign);
            c.server(kOk);
        }
        c.client(kTraversal);
        c.server(kOk);
        c.close();
        run.feed(c.frames);
        run.pipe.finish();
        CHECK(run.stats.rules[trav].alerts == 1);
        CHECK(run.stats.counters.alerts == 1);
        CHECK(run.stats.counters.http_anchored_scans == static_cast<uint64_t>(nth - 1));
    }
}

TEST_CASE("pipelined requests in one segment, and a request split after a first one",
          "[requests]") {
    auto rs = shipped();
    const uint32_t trav = sid_index(*rs, 9000001);
    SECTION("pipelined: benign, benign, traversal in one segment") {
        Run run(*rs);
        Conversation c(40002, 9200);
        c.client(kBenign + kBenign + kTraversal);
        c.close();
        run.feed(c.frames);
        run.pipe.finish();
        CHECK(run.stats.rules[trav].alerts == 1);
    }
    SECTION("a body before it: POST with Content-Length, then the traversal") {
        Run run(*rs);
        Conversation c(40003, 9200);
        c.client("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nGET /");
        c.client(kTraversal);
        c.close();
        run.feed(c.frames);
        run.pipe.finish();
        CHECK(run.stats.rules[trav].alerts == 1);
    }
    SECTION("split across segments at every byte, after a benign request") {
        for (size_t cut = 1; cut < 30; ++cut) {
            INFO("cut at " << cut);
            Run run(*rs);
            Conversation c(40004, 9200);
            c.client(kBenign);
            c.client(kTraversal.substr(0, cut));
            c.client(kTraversal.substr(cut));
            c.close();
            run.feed(c.frames);
            run.pipe.finish();
            CHECK(run.stats.rules[trav].alerts == 1);
        }
    }
    SECTION("the absolute-URI proxy probe as a later request on a proxy port") {
        Run run(*rs);
        Conversation c(40005, 8080);
        c.client("GET / HTTP/1.1\r\nHost: p\r\n\r\n");
        c.client("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
        c.close();
        run.feed(c.frames);
        run.pipe.finish();
        CHECK(run.stats.rules[sid_index(*rs, 9000021)].alerts == 1);
    }
}

TEST_CASE("a request not at a request start is not one; benign keep-alive stays quiet",
          "[requests]") {
    auto rs = shipped();
    SECTION("benign requests one after another") {
        Run run(*rs);
        Conversation c(40006, 9200);
        for (int i = 0; i < 5; ++i) {
            c.client(kBenign);
            c.server(kOk);
        }
        c.close();
        run.feed(c.frames);
        run.pipe.finish();
        CHECK(run.stats.counters.alerts == 0);
        CHECK(run.stats.counters.http_anchored_scans == 4);
    }
    SECTION("the traversal text inside a body is not a request") {
        Run run(*rs);
        Conversation c(40007, 9200);
        const std::string body = "GET /_plugin/head/../../x";
        c.client("POST /notes HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
                 "\r\n\r\n" + body);
        c.close();
        run.feed(c.frames);
        run.pipe.finish();
        CHECK(run.stats.counters.alerts == 0);
    }
}

TEST_CASE("empty lines and control bytes before a request line hide nothing", "[requests]") {
    // Servers skip them (RFC 9112 2.2: at least one empty line; Netty, which Elasticsearch
    // runs on, any control byte or space), so an attack behind them works; found by the
    // stream fuzzer (tests/fuzz/targets/stream.cpp).
    auto rs = shipped();
    const uint32_t trav = sid_index(*rs, 9000001);
    for (const std::string& filler : {std::string("\r\n"), std::string("\r\n\r\n\r\n"),
                                      std::string("\x05\x11 \t"), std::string(3000, '\n')}) {
        INFO("filler of " << filler.size() << " bytes");
        for (bool between : {false, true}) {
            INFO((between ? "between requests" : "at the stream's start"));
            Run run(*rs);
            Conversation c(40010, 9200);
            c.client((between ? kBenign : "") + filler + kTraversal);
            c.close();
            run.feed(c.frames);
            run.pipe.finish();
            CHECK(run.stats.rules[trav].alerts == 1);
        }
    }
}

TEST_CASE("a capture that begins inside a body finds the next request", "[requests]") {
    auto rs = shipped();
    const uint32_t trav = sid_index(*rs, 9000001);
    Run run(*rs);
    // No handshake: the flow is picked up mid-connection, in a body.
    Conversation c(40008, 9200);
    c.frames.clear();
    c.client("ody of some earlier request}");
    c.client(kTraversal);
    c.close();
    run.feed(c.frames);
    run.pipe.finish();
    CAPTURE(run.stats.counters.http_requests, run.stats.counters.http_anchored_scans,
            run.stats.counters.scanned_packets, run.stats.rules[trav].hits);
    CHECK(run.stats.rules[trav].alerts == 1);
}
