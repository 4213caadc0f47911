#include <catch2/catch.hpp>

#include "classify/pipeline.hpp"
#include "frames.hpp"
#include "match/load.hpp"
#include "rules/parser.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {

std::unique_ptr<Ruleset> compile_text(const std::string& text) {
    auto load = parse_rules(text, "t.rules", Vars());
    if (!load.failed.empty()) FAIL(load.failed[0].str());
    std::vector<RuleError> failed;
    auto rs = Ruleset::compile(std::move(load.rules), 1, TcpMatching::stream, failed);
    if (!failed.empty()) FAIL(failed[0].str());
    return rs;
}

// Runs frames through a fresh pipeline; returns per-rule alert counts.
struct Run {
    WorkerStats stats;
    std::unique_ptr<BurstAlerts> alerts = std::make_unique<BurstAlerts>();
    explicit Run(const Ruleset& rs, const std::vector<Bytes>& frames) : stats(rs.rules().size()) {
        Pipeline p(rs, 0, stats, *alerts);
        for (const auto& f : frames) p.process(f.data(), static_cast<uint32_t>(f.size()), 1);
    }
    uint64_t alerts_of(size_t rule) const { return stats.rules[rule].alerts; }
};

Bytes tcp_to(uint16_t dport, const std::string& payload, uint16_t sport = 40000) {
    FrameSpec f;
    f.dport = dport;
    f.sport = sport;
    f.payload = payload;
    return frame(f);
}

uint64_t alerts_for(const Ruleset& rs, uint16_t dport, const std::string& payload) {
    return Run(rs, {tcp_to(dport, payload)}).stats.counters.alerts;
}

}  // namespace

TEST_CASE("content offset and depth bound where a match may lie", "[match]") {
    auto rs = compile_text(
        "alert tcp any any -> any 80 (content:\"abc\"; depth:5; sid:1;)\n"
        "alert tcp any any -> any 81 (content:\"abc\"; offset:2; sid:2;)\n"
        "alert tcp any any -> any 82 (content:\"abc\"; offset:2; depth:4; sid:3;)\n");
    CHECK(alerts_for(*rs, 80, "xxabc") == 1);
    CHECK(alerts_for(*rs, 80, "xxxabc") == 0);
    CHECK(alerts_for(*rs, 81, "xabc") == 0);
    CHECK(alerts_for(*rs, 81, "xxabc") == 1);
    CHECK(alerts_for(*rs, 81, "xxxxxxxxabc") == 1);
    CHECK(alerts_for(*rs, 82, "xxxabc") == 1);
    CHECK(alerts_for(*rs, 82, "xxxxabc") == 0);
    CHECK(alerts_for(*rs, 82, "xabcxx") == 0);
    CHECK(Run(*rs, {tcp_to(83, "abc")}).stats.counters.scanned_packets == 0);  // no group, no scan
}

TEST_CASE("nocase, hex bytes, and case-sensitive content", "[match]") {
    auto rs = compile_text(
        "alert tcp any any -> any 80 (content:\"GET\"; sid:1;)\n"
        "alert tcp any any -> any 81 (content:\"get|0d 0a|\"; nocase; sid:2;)\n");
    CHECK(alerts_for(*rs, 80, "get /") == 0);
    CHECK(alerts_for(*rs, 80, "GET /") == 1);
    CHECK(alerts_for(*rs, 81, "xGeT\r\n") == 1);
    CHECK(alerts_for(*rs, 81, "xGeT\n") == 0);
}

TEST_CASE("several contents and pcres of a rule are ANDed", "[match]") {
    auto rs = compile_text(
        "alert tcp any any -> any 80 (content:\"alpha\"; content:\"beta\"; pcre:\"/gam+a/\"; "
        "sid:1;)\n");
    CHECK(alerts_for(*rs, 80, "alpha beta gammma") == 1);
    CHECK(alerts_for(*rs, 80, "gamma beta alpha") == 1);  // contents are unordered in this subset
    CHECK(alerts_for(*rs, 80, "alpha beta") == 0);
    CHECK(alerts_for(*rs, 80, "alpha gamma") == 0);
    CHECK(alerts_for(*rs, 80, "alpha beta gamma alpha beta gamma") == 1);  // once per packet
}

TEST_CASE("pcre flags i s m x", "[match]") {
    auto rs = compile_text(
        "alert tcp any any -> any 80 (pcre:\"/^abc/i\"; sid:1;)\n"
        "alert tcp any any -> any 81 (pcre:\"/a.b/s\"; sid:2;)\n"
        "alert tcp any any -> any 82 (pcre:\"/^line2$/m\"; sid:3;)\n"
        "alert tcp any any -> any 83 (pcre:\"/a b c # spaced/x\"; sid:4;)\n");
    CHECK(alerts_for(*rs, 80, "ABCd") == 1);
    CHECK(alerts_for(*rs, 80, "xABC") == 0);
    CHECK(alerts_for(*rs, 81, "a\nb") == 1);
    CHECK(alerts_for(*rs, 82, "line1\nline2\nline3") == 1);
    CHECK(alerts_for(*rs, 83, "xxabcxx") == 1);
    CHECK(alerts_for(*rs, 83, "a b c") == 0);
}

TEST_CASE("a packet scans only its port group; headers are verified", "[match]") {
    auto rs = compile_text(
        "alert tcp any any -> any [9200,9201] (content:\"x\"; sid:1;)\n"
        "alert tcp 10.0.0.0/8 any -> any 9300 (content:\"x\"; sid:2;)\n"
        "alert udp any any -> any 9200 (content:\"x\"; sid:3;)\n"
        "alert tcp any 23 <> any any (content:\"login\"; sid:4;)\n"
        "alert ip any any -> any any (content:\"everywhere\"; sid:5;)\n");
    CHECK(rs->group_count() >= 3);
    CHECK(Run(*rs, {tcp_to(9200, "x")}).alerts_of(0) == 1);
    CHECK(Run(*rs, {tcp_to(9201, "x")}).alerts_of(0) == 1);
    CHECK(Run(*rs, {tcp_to(9202, "x")}).stats.counters.alerts == 0);
    CHECK(Run(*rs, {tcp_to(9300, "x")}).alerts_of(1) == 0);  // source 203.0.113.10 not in 10/8
    FrameSpec u;
    u.proto = 17;
    u.payload = "x";
    CHECK(Run(*rs, {frame(u)}).alerts_of(2) == 1);
    CHECK(Run(*rs, {frame(u)}).alerts_of(0) == 0);
    CHECK(Run(*rs, {tcp_to(50000, "login: ", 23)}).alerts_of(3) == 1);
    CHECK(Run(*rs, {tcp_to(23, "login: ", 50000)}).alerts_of(3) == 1);
    CHECK(Run(*rs, {tcp_to(23, "login: ", 50001)}).alerts_of(3) == 1);
    CHECK(Run(*rs, {tcp_to(1234, "is everywhere")}).alerts_of(4) == 1);
    u.payload = "everywhere";
    CHECK(Run(*rs, {frame(u)}).alerts_of(4) == 1);
}

TEST_CASE("flow direction without flow state", "[match]") {
    auto rs = compile_text(
        "alert tcp any any -> any any (content:\"req\"; flow:to_server; sid:1;)\n"
        "alert tcp any any -> any any (content:\"resp\"; flow:to_client; sid:2;)\n"
        "alert tcp any any -> any 37564 (content:\"x\"; flow:to_server; sid:3;)\n");
    CHECK(Run(*rs, {tcp_to(80, "req", 40000)}).alerts_of(0) == 1);
    CHECK(Run(*rs, {tcp_to(40000, "req", 80)}).alerts_of(0) == 0);
    CHECK(Run(*rs, {tcp_to(40000, "resp", 80)}).alerts_of(1) == 1);
    // 37564 is named as a server port by rule 3, so a client on a lower ephemeral port is still
    // seen as the client.
    CHECK(Run(*rs, {tcp_to(37564, "x", 33000)}).alerts_of(2) == 1);
    FrameSpec syn;
    syn.dport = 5000;
    syn.sport = 4000;
    syn.tcp_flags = 0x02;
    syn.payload = "req";
    CHECK(Run(*rs, {frame(syn)}).alerts_of(0) == 1);
    syn.tcp_flags = 0x12;
    CHECK(Run(*rs, {frame(syn)}).alerts_of(0) == 0);
}

TEST_CASE("later fragments and payload-less packets are not scanned", "[match]") {
    auto rs = compile_text("alert ip any any -> any any (content:\"x\"; sid:1;)\n");
    FrameSpec f;
    f.payload = "xxxx";
    f.frag = 0x0001;
    Run later(*rs, {frame(f)});
    CHECK(later.stats.counters.scanned_packets == 0);
    CHECK(later.stats.counters.later_fragments == 1);
    f.frag = 0;
    f.payload = "";
    CHECK(Run(*rs, {frame(f)}).stats.counters.scanned_packets == 0);
}

TEST_CASE("alerts beyond the burst buffer are counted, not lost from the counters", "[match]") {
    auto rs = compile_text("alert tcp any any -> any 80 (content:\"x\"; sid:1;)\n");
    std::vector<Bytes> frames;  // one flow each: a flow alerts once per rule
    for (uint16_t i = 0; i < kAlertBufferSize + 5; ++i)
        frames.push_back(tcp_to(80, "x", static_cast<uint16_t>(10000 + i)));
    Run r(*rs, frames);
    CHECK(r.alerts_of(0) == kAlertBufferSize + 5);
    CHECK(r.alerts->size == kAlertBufferSize);
    CHECK(r.stats.counters.alerts_unlogged == 5);
    CHECK(r.stats.ports.entries().size() == 1);
    CHECK(r.stats.ports.entries()[0] == PortCount{80, 0, kAlertBufferSize + 5});
}

TEST_CASE("a pattern Hyperscan rejects costs only its rule, reported as file:line", "[match]") {
    auto load = parse_rules(
        "alert tcp any any -> any 80 (content:\"ok\"; sid:1;)\n"
        "alert tcp any any -> any 80 (pcre:\"/(a)\\1/\"; sid:2;)\n"
        "alert tcp any any -> any 80 (content:\"fine\"; sid:3;)\n",
        "bad.rules", Vars());
    REQUIRE(load.failed.empty());
    std::vector<RuleError> failed;
    auto rs = Ruleset::compile(std::move(load.rules), 1, TcpMatching::stream, failed);
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].file == "bad.rules");
    CHECK(failed[0].line == 2);
    CHECK_THAT(failed[0].reason, Catch::StartsWith("pattern rejected by Hyperscan: "));
    REQUIRE(rs->rules().size() == 2);
    CHECK(rs->rules()[0].sid == 1);
    CHECK(rs->rules()[1].sid == 3);
    CHECK(alerts_for(*rs, 80, "this is fine") == 1);
}

TEST_CASE("a whole rule Hyperscan refuses as a combination is verified instead", "[match]") {
    // A multiline pcre ending in `$` is an "unordered match" inside a logical combination; ET
    // sid 2016304 is one. The rule must load, and match exactly, through its prefilter.
    auto rs = compile_text(
        "alert tcp any any -> any 1900 (content:\"Portable SDK\"; "
        "pcre:\"/^Server\\x3a[^\\r\\n]*Portable SDK(\\/?\\s*$|\\/1\\.[0-5])/m\"; sid:1;)\n");
    REQUIRE(rs->rules().size() == 1);
    CHECK(rs->rules()[0].verify);
    CHECK(alerts_for(*rs, 1900, "HTTP/1.1 200 OK\r\nServer: x Portable SDK/1.3\r\n") == 1);
    CHECK(alerts_for(*rs, 1900, "HTTP/1.1 200 OK\r\nServer: x Portable SDK/1.8\r\n") == 0);
}

TEST_CASE("duplicate sids across files: the later copies fail, the first loads", "[match]") {
    const std::string dir = PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules";
    const auto load = load_ruleset({dir, dir}, Vars());
    REQUIRE(load.ruleset);
    CHECK(load.errors.empty());
    CHECK(load.ruleset->rules().size() == 6);
    REQUIRE(load.failed.size() == 6);
    CHECK_THAT(load.failed[0].str(), Catch::Contains("duplicate sid 9000001"));
}

TEST_CASE("shipped signatures: attacks match, look-alikes do not", "[match][signatures]") {
    auto load = load_ruleset({PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules"}, Vars());
    REQUIRE(load.ruleset);
    const Ruleset& rs = *load.ruleset;
    auto sids = [&](uint16_t port, const std::string& payload) {
        Run r(rs, {tcp_to(port, payload)});
        std::vector<uint32_t> out;
        for (size_t i = 0; i < rs.rules().size(); ++i)
            if (r.alerts_of(i)) out.push_back(rs.rules()[i].sid);
        return out;
    };
    using V = std::vector<uint32_t>;
    const V trav{9000001}, groovy{9000010}, mvel{9000011}, conn{9000020}, absu{9000021},
        telnet{9000030}, none{};
    CHECK(sids(9200, "GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\n\r\n") == trav);
    CHECK(sids(9201, "GET /_plugin/head/%2E%2E%2F%2e%2e%2fetc/passwd HTTP/1.1\r\n") == trav);
    CHECK(sids(9200, "HEAD /_plugin/x/..%5c..%5cwin.ini HTTP/1.0\r\n") == trav);
    CHECK(sids(9200, "GET /_plugin/head/index.html HTTP/1.1\r\n\r\n") == none);
    CHECK(sids(9200, "GET /_cluster/health HTTP/1.1\r\n\r\n") == none);
    CHECK(sids(9200, "POST /i HTTP/1.1\r\n\r\nGET /_plugin/head/../../etc/passwd") == none);
    CHECK(sids(9300, "GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\n\r\n") == none);
    CHECK(sids(9200,
               "POST /_search HTTP/1.1\r\n\r\n{\"script_fields\":{\"a\":{\"script\":"
               "\"java.lang.Math.class.forName(\\\"java.lang.Runtime\\\").getRuntime()"
               ".exec(\\\"id\\\")\"}}}") == groovy);
    CHECK(sids(9200,
               "POST /_search HTTP/1.1\r\n\r\n{\"script_fields\":{\"a\":{\"script\":"
               "\"import java.io.*;Runtime.getRuntime().exec(\\\"id\\\")\"}}}") == mvel);
    CHECK(sids(9200,
               "POST /_search HTTP/1.1\r\n\r\n{\"script_fields\":{\"a\":{\"script\":"
               "\"doc['x'].value\"}}}") == none);
    for (uint16_t port : {8080, 8090, 8888, 8118, 8123, 37564, 3128}) {
        INFO("port " << port);
        CHECK(sids(port, "CONNECT www.example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n") == conn);
        CHECK(sids(port, "GET http://www.example.com/ HTTP/1.1\r\n\r\n") == absu);
        CHECK(sids(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") == none);
        CHECK(sids(port, "POST / HTTP/1.1\r\n\r\nCONNECT a:1 HTTP/1.1\r\n") == none);
    }
    CHECK(sids(80, "CONNECT www.example.com:443 HTTP/1.1\r\n\r\n") == none);
    CHECK(sids(8080, "CONNECT [2001:db8::1]:443 HTTP/1.0\r\n\r\n") == conn);
    CHECK(sids(23, "\xff\xfb\x18root\r\n\xff\xfc\x01xc3511\r\n") == telnet);
    CHECK(sids(2323, "root\r\nvizxv\r\n") == telnet);
    CHECK(sids(23, std::string("admin\r\0admin\r\0", 14)) == telnet);
    CHECK(sids(23, "root\n888888\n") == telnet);
    CHECK(sids(23, "\xff\xfb\x18\xff\xfb\x1f") == none);
    CHECK(sids(2323, "root\r\n") == none);
    CHECK(sids(40000, "Welcome\r\nlogin: ") == none);
}

TEST_CASE("distance and within place a content after the one before it", "[match][relative]") {
    auto rs = compile_text(
        "alert tcp any any -> any 80 (content:\"ab\"; content:\"cd\"; distance:2; sid:1;)\n"
        "alert tcp any any -> any 81 (content:\"ab\"; content:\"cd\"; within:4; sid:2;)\n"
        "alert tcp any any -> any 82 (content:\"ab\"; content:\"cd\"; distance:1; within:3; "
        "sid:3;)\n"
        "alert tcp any any -> any 83 (content:\"GET\"; depth:3; content:\"X\"; nocase; distance:0; "
        "content:\"yz\"; distance:0; within:2; sid:4;)\n"
        "alert tcp any any -> any 84 (content:\"ab\"; startswith; content:\"c\"; distance:0; "
        "sid:5;)\n");
    CHECK(alerts_for(*rs, 80, "ab..cd") == 1);
    CHECK(alerts_for(*rs, 80, "ab.cd") == 0);
    CHECK(alerts_for(*rs, 80, "cd..ab") == 0);         // order matters
    CHECK(alerts_for(*rs, 80, "ab.cd ab...cd") == 1);  // a later pair satisfies it
    CHECK(alerts_for(*rs, 81, "abxxcd") == 1);         // cd ends 4 bytes after ab
    CHECK(alerts_for(*rs, 81, "abxxxcd") == 0);
    CHECK(alerts_for(*rs, 82, "ab.cd") == 1);
    CHECK(alerts_for(*rs, 82, "abcd") == 0);     // distance 1
    CHECK(alerts_for(*rs, 82, "ab..cd") == 1);   // ends 1 + 3 bytes after "ab": within counts
    CHECK(alerts_for(*rs, 82, "ab...cd") == 0);  // from the distance, as Suricata does
    CHECK(alerts_for(*rs, 83, "GET x yz") == 0);
    CHECK(alerts_for(*rs, 83, "GET xyz") == 1);
    CHECK(alerts_for(*rs, 83, "GET Xyz") == 1);
    CHECK(alerts_for(*rs, 83, "xGET xyz") == 0);  // depth 3 on the first
    CHECK(alerts_for(*rs, 84, "abc") == 1);
    CHECK(alerts_for(*rs, 84, "xabc") == 0);
}

TEST_CASE("a rule of more than 32 parts is verified; more than 64 in a buffer fails", "[match]") {
    std::string many;
    for (int i = 0; i < 40; ++i) many += "content:\"p" + std::to_string(100 + i) + "\"; ";
    auto rs = compile_text("alert tcp any any -> any 80 (" + many + "sid:1;)\n");
    REQUIRE(rs->rules().size() == 1);
    CHECK(rs->rules()[0].verify);  // a stream's part mask has 32 bits
    std::string payload;
    for (int i = 0; i < 40; ++i) payload += "p" + std::to_string(100 + i) + " ";
    CHECK(alerts_for(*rs, 80, payload) == 1);
    CHECK(alerts_for(*rs, 80, payload.substr(0, payload.size() - 6)) == 0);  // p139 missing
    std::string too_many;
    for (int i = 0; i < 65; ++i) too_many += "content:\"q" + std::to_string(100 + i) + "\"; ";
    auto load =
        parse_rules("alert tcp any any -> any 80 (" + too_many + "sid:2;)\n", "t.rules", Vars());
    std::vector<RuleError> failed;
    auto none = Ruleset::compile(std::move(load.rules), 1, TcpMatching::stream, failed);
    REQUIRE(failed.size() == 1);
    CHECK_THAT(failed[0].reason, Catch::StartsWith("more than 64"));
    CHECK(none->rules().empty());
}

TEST_CASE("port groups that want the same database share one, compiled once", "[match]") {
    // Ports 80 and 81 are two groups (81 also has a rule without content, verified per
    // packet), whose packet databases hold the same rule: one database serves both.
    auto rs = compile_text(
        "alert tcp any any -> any [80,81] (msg:\"a\"; content:\"abc\"; flow:stateless; sid:1;)\n"
        "alert tcp any any -> any 81 (msg:\"b\"; dsize:>1000; flow:stateless; sid:2;)\n"
        "alert tcp any any -> any 82 (msg:\"c\"; content:\"xyz\"; flow:stateless; sid:3;)\n");
    REQUIRE(rs->group_for(kProtoTcp, 80) != rs->group_for(kProtoTcp, 81));
    const hs_database_t* db80 = rs->database_for(kProtoTcp, 80);
    REQUIRE(db80 != nullptr);
    CHECK(rs->database_for(kProtoTcp, 81) == db80);
    CHECK(rs->database_for(kProtoTcp, 82) != db80);
    // Each group still finds its own rules through the shared database.
    CHECK(alerts_for(*rs, 80, "xxabcxx") == 1);
    CHECK(alerts_for(*rs, 81, "xxabcxx") == 1);
    CHECK(alerts_for(*rs, 82, "xxabcxx") == 0);
    CHECK(alerts_for(*rs, 82, "xxxyzxx") == 1);
    size_t bytes = 0;
    hs_database_size(db80, &bytes);
    size_t other = 0;
    hs_database_size(rs->database_for(kProtoTcp, 82), &other);
    CHECK(rs->database_bytes() >= bytes + other);  // each counted once, not once per group
    CHECK(rs->database_bytes() < 2 * bytes + other);
}

TEST_CASE("a set compiled before the worker count is known gets each worker's scratch later",
          "[match]") {
    // What a start does: the set compiles while the EAL starts, the lcore layout comes after.
    auto load =
        load_ruleset({PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules"}, Vars(), LoadOptions(0));
    REQUIRE(load.ruleset);
    Ruleset& rs = *load.ruleset;
    CHECK(rs.workers() == 0);
    CHECK(rs.scratch(0) == nullptr);
    rs.add_scratch(3);
    REQUIRE(rs.workers() == 3);
    CHECK(rs.scratch(0) != nullptr);
    CHECK(rs.scratch(0) != rs.scratch(1));  // a worker's own, never shared
    CHECK(rs.scratch(1) != rs.scratch(2));
    hs_scratch_t* const third = rs.scratch(2);
    rs.add_scratch(2);  // fewer than there are: nothing changes
    CHECK(rs.workers() == 3);
    CHECK(rs.scratch(2) == third);
    // The last worker matches with its added scratch.
    WorkerStats stats(rs.rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    Pipeline p(rs, 2, stats, *alerts);
    const Bytes f = tcp_to(9200, "GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\n\r\n");
    p.process(f.data(), static_cast<uint32_t>(f.size()), 1);
    CHECK(stats.counters.alerts == 1);
}
