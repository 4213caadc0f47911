// Each supported keyword pinned with payloads that must and must not match, through the whole
// pipeline (stream mode with a handshake, unless a case says otherwise).
#include <catch2/catch.hpp>

#include <map>

#include "classify/pipeline.hpp"
#include "frames.hpp"
#include "rules/parser.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {

struct Outcome {
    std::map<uint32_t, RuleCount> by_sid;
    Counters counters;
    uint64_t alerts(uint32_t sid) const {
        auto it = by_sid.find(sid);
        return it == by_sid.end() ? 0 : it->second.alerts;
    }
    uint64_t hits(uint32_t sid) const {
        auto it = by_sid.find(sid);
        return it == by_sid.end() ? 0 : it->second.hits;
    }
};

Outcome run(const std::string& rules, const std::vector<Bytes>& frames,
            TcpMatching tcp = TcpMatching::stream) {
    auto load = parse_rules(rules, "k.rules", Vars());
    if (!load.failed.empty()) FAIL(load.failed[0].str());
    REQUIRE(load.skipped.empty());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1, tcp);
    WorkerStats stats(rs->rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    {
        Pipeline p(*rs, 0, stats, *alerts, FlowTableConfig{1024});
        uint64_t ts = 1;
        for (const auto& f : frames) p.process(f.data(), static_cast<uint32_t>(f.size()), ts++);
        p.finish();
    }
    Outcome o;
    for (size_t i = 0; i < rs->rules().size(); ++i) o.by_sid[rs->rules()[i].sid] = stats.rules[i];
    o.counters = stats.counters;
    return o;
}

// A connection from client port `cport` that sends each of `parts` as one segment.
std::vector<Bytes> session(uint16_t port, const std::vector<std::string>& parts,
                           uint16_t cport = 40000) {
    Conversation c(cport, port);
    for (const auto& p : parts) c.client(p);
    return c.frames;
}

uint64_t fires(const std::string& rule, const std::string& payload, uint16_t port = 80) {
    return run(rule, session(port, {payload})).alerts(1);
}

const std::string kHdr = "alert tcp any any -> any any ";
const std::string kHttp = "alert http any any -> any any ";

}  // namespace

TEST_CASE("negated content: the rest holds and the content is absent", "[keywords]") {
    const auto r = kHdr + "(content:\"CONNECT \"; content:!\":443\"; distance:0; sid:1;)";
    CHECK(fires(r, "CONNECT a:80 HTTP/1.1\r\n\r\n") == 1);
    CHECK(fires(r, "CONNECT a:443 HTTP/1.1\r\n\r\n") == 0);
    CHECK(fires(r, "GET / HTTP/1.1\r\n\r\n") == 0);
    const auto w = kHdr + "(content:\"ab\"; content:!\"cd\"; within:4; sid:1;)";
    CHECK(fires(w, "abxxxcd") == 1);  // outside the window
    CHECK(fires(w, "abxcd") == 0);
}

TEST_CASE("negative distance looks back from the previous match", "[keywords]") {
    // ET 2000560's idea: after the line end, look back at the port before " HTTP/1.".
    const auto r = kHdr +
                   "(content:\"CONNECT \"; nocase; content:\"|0d 0a|\"; within:1024; distance:0; "
                   "content:\"HTTP/1.\"; nocase; within:8; distance:-10; content:!\"|3a|443\"; "
                   "within:5; distance:-12; sid:1;)";
    CHECK(fires(r, "CONNECT host:8443 HTTP/1.1\r\n\r\n") == 1);
    CHECK(fires(r, "CONNECT host:443 HTTP/1.1\r\n\r\n") == 0);
    CHECK(fires(r, "CONNECT host:443 HTTX/1.1\r\n\r\n") == 0);
    const auto d = kHdr + "(content:\"cd\"; content:\"ab\"; distance:-4; within:2; sid:1;)";
    CHECK(fires(d, "abcd") == 1);
    CHECK(fires(d, "ab.cd") == 0);
}

TEST_CASE("a rule verified per packet also sees a request head gathered from pieces",
          "[keywords][http]") {
    const auto r =
        kHdr + "(content:\"CONNECT \"; content:!\":443\"; distance:0; within:64; sid:1;)";
    // Only a reader of the connection's bytes ahead of each segment can tell.
    CHECK(run(r, session(8080, {"CONNECT exa", "mple.com:8", "443 HTTP/1.1\r\n\r\n"})).alerts(1) ==
          1);
    CHECK(run(r, session(8080, {"CONNECT exa", "mple.com:4", "43 HTTP/1.1\r\n\r\n"})).alerts(1) ==
          0);
    const auto o = run(r, session(8080, {"CONNECT a:80 HTTP/1.1\r\n\r\n"}));
    CHECK(o.alerts(1) == 1);  // whole in one segment: matched per packet, once
    CHECK(o.hits(1) == 1);
}

TEST_CASE("endswith, startswith, offset and depth", "[keywords]") {
    CHECK(fires(kHdr + "(content:\"abc\"; endswith; sid:1;)", "xxabc") == 1);
    CHECK(fires(kHdr + "(content:\"abc\"; endswith; sid:1;)", "abcx") == 0);
    CHECK(fires(kHdr + "(content:\"abc\"; startswith; sid:1;)", "abcx") == 1);
    CHECK(fires(kHdr + "(content:\"abc\"; startswith; sid:1;)", "xabc") == 0);
    CHECK(fires(kHdr + "(content:\"b\"; offset:1; depth:1; content:!\"z\"; sid:1;)", "ab") == 1);
    CHECK(fires(kHdr + "(content:\"b\"; offset:1; depth:1; content:!\"z\"; sid:1;)", "aab") == 0);
}

TEST_CASE("dsize compares the payload size", "[keywords]") {
    CHECK(fires(kHdr + "(content:\"a\"; dsize:<5; sid:1;)", "abcd") == 1);
    CHECK(fires(kHdr + "(content:\"a\"; dsize:<5; sid:1;)", "abcde") == 0);
    CHECK(fires(kHdr + "(content:\"a\"; dsize:3<>6; sid:1;)", "abcd") == 1);
    CHECK(fires(kHdr + "(content:\"a\"; dsize:3<>6; sid:1;)", "abc") == 0);
    CHECK(fires(kHdr + "(content:\"a\"; dsize:>2; sid:1;)", "abc") == 1);
    CHECK(fires(kHdr + "(content:\"a\"; dsize:>2; sid:1;)", "ab") == 0);
    CHECK(fires(kHdr + "(content:\"a\"; dsize:2; sid:1;)", "ab") == 1);
    CHECK(fires(kHdr + "(content:\"a\"; dsize:!2; sid:1;)", "ab") == 0);
}

TEST_CASE("isdataat: absolute, relative, negated", "[keywords]") {
    const auto rel = kHdr + "(content:\"ab\"; isdataat:2,relative; sid:1;)";
    CHECK(fires(rel, "abxy") == 1);
    CHECK(fires(rel, "abx") == 0);
    const auto neg = kHdr + "(content:\"ab\"; isdataat:!1,relative; sid:1;)";
    CHECK(fires(neg, "xab") == 1);
    CHECK(fires(neg, "xabc") == 0);
    CHECK(fires(kHdr + "(content:\"a\"; isdataat:4; sid:1;)", "abcde") == 1);
    CHECK(fires(kHdr + "(content:\"a\"; isdataat:4; sid:1;)", "abcd") == 0);
}

TEST_CASE("pcre flags: R relative, U on the decoded URI, B and i accepted", "[keywords]") {
    const auto r = kHdr + "(content:\"GET \"; pcre:\"/^\\/x/R\"; sid:1;)";
    CHECK(fires(r, "GET /x") == 1);
    CHECK(fires(r, "GET a/x") == 0);
    const auto u = kHdr + "(pcre:\"/\\/etc\\/passwd/Ui\"; sid:1;)";
    CHECK(fires(u, "GET /../ETC/p%61sswd HTTP/1.1\r\nHost: a\r\n\r\n") == 1);
    CHECK(fires(u, "GET / HTTP/1.1\r\nX: /etc/passwd\r\n\r\n") == 0);
    CHECK(fires(kHdr + "(pcre:\"/ab+c/B\"; sid:1;)", "xabbbc") == 1);
    CHECK(fires(kHdr + "(pcre:\"/ab+c/B\"; content:!\"x\"; sid:1;)", "xabbbc") == 0);
    CHECK(fires(kHdr + "(content:\"a\"; pcre:!\"/z/R\"; sid:1;)", "az") == 0);
    CHECK(fires(kHdr + "(content:\"a\"; pcre:!\"/z/R\"; sid:1;)", "za") == 1);
}

TEST_CASE("a content is retried further on when what follows it fails", "[keywords]") {
    const auto r = kHdr + "(content:\"ab\"; content:\"cd\"; within:2; content:!\"zz\"; sid:1;)";
    CHECK(fires(r, "ab..abcd") == 1);
    CHECK(fires(r, "ab..ab.cd") == 0);
}

TEST_CASE("HTTP sticky buffers and legacy modifiers", "[keywords][http]") {
    const std::string req =
        "POST /a%2Fb?q=1 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\nUser-Agent: Mirai/1.0\r\n"
        "Proxy-Connection: keep-alive\r\nContent-Length: 4\r\n\r\nbody";
    const std::map<std::string, std::pair<std::string, std::string>> cases{
        // option: content that matches, content that must not
        {"http.method", {"POST", "GET"}},
        {"http.uri", {"/a/b?q=1", "%2F"}},
        {"http.uri.raw", {"/a%2Fb", "/a/b"}},
        {"http.request_line", {"POST /a%2Fb?q=1 HTTP/1.1", "Host"}},
        {"http.host", {"www.example.com", "8080"}},
        {"http.user_agent", {"Mirai", "Host"}},
        {"http.header", {"Proxy-Connection: keep-alive|0d 0a|", "POST"}},
        {"http.header_names", {"|0d 0a|Proxy-Connection|0d 0a|", "keep-alive"}},
    };
    for (const auto& [buf, pair] : cases) {
        INFO(buf);
        CHECK(fires(kHttp + "(" + buf + "; content:\"" + pair.first + "\"; sid:1;)", req) == 1);
        CHECK(fires(kHttp + "(" + buf + "; content:\"" + pair.second + "\"; sid:1;)", req) == 0);
    }
    const std::map<std::string, std::string> legacy{
        {"http_method", "POST"},       {"http_uri", "/a/b"},     {"http_raw_uri", "%2F"},
        {"http_header", "keep-alive"}, {"http_host", "example"}, {"http_user_agent", "Mirai"}};
    for (const auto& [mod, content] : legacy) {
        INFO(mod);
        CHECK(fires(kHdr + "(content:\"" + content + "\"; " + mod + "; sid:1;)", req) == 1);
        CHECK(fires(kHdr + "(content:\"body\"; " + mod + "; sid:1;)", req) == 0);
    }
}

TEST_CASE("alert http: only flows whose client speaks HTTP", "[keywords][http]") {
    const auto r = kHttp + "(content:\"|3a|25 HTTP/\"; sid:1;)";
    CHECK(fires(r, "CONNECT mail.example:25 HTTP/1.0\r\n\r\n") == 1);
    CHECK(fires(r, "\x01\x02 mail.example:25 HTTP/1.0\r\n\r\n") == 0);
    // The same in block mode, per packet.
    const auto block = run(r, session(80, {"CONNECT m:25 HTTP/1.0\r\n\r\n"}), TcpMatching::block);
    CHECK(block.alerts(1) == 1);
}

TEST_CASE("an HTTP head typed one byte per segment is matched once, then keep-alive", "[http]") {
    const std::string req = "GET /_plugin/head/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n";
    std::vector<std::string> parts;
    for (char c : req) parts.emplace_back(1, c);
    parts.push_back("GET /second/../etc/passwd HTTP/1.1\r\n\r\n");
    const auto o =
        run(kHttp + "(http.uri; content:\"/etc/passwd\"; endswith; sid:1;)", session(9200, parts));
    CHECK(o.alerts(1) == 1);  // one alert per flow
    CHECK(o.hits(1) == 2);    // both requests matched
    CHECK(o.counters.http_requests == 2);
}

TEST_CASE("flowbits set, isset, isnotset, unset, toggle, noalert", "[keywords][flowbits]") {
    const std::string rules =
        kHdr + "(content:\"USER\"; flowbits:set,login; flowbits:noalert; sid:1;)\n" + kHdr +
        "(content:\"PASS\"; flowbits:isset,login; sid:2;)\n" + kHdr +
        "(content:\"PASS\"; flowbits:isnotset,login; sid:3;)\n" + kHdr +
        "(content:\"QUIT\"; flowbits:unset,login; sid:4;)\n" + kHdr +
        "(content:\"FLIP\"; flowbits:toggle,login; flowbits:noalert; sid:5;)\n";
    auto with_user = run(rules, session(21, {"USER a\r\n", "PASS b\r\n"}));
    CHECK(with_user.alerts(1) == 0);
    CHECK(with_user.hits(1) == 1);
    CHECK(with_user.alerts(2) == 1);
    CHECK(with_user.alerts(3) == 0);
    auto without = run(rules, session(21, {"PASS b\r\n"}));
    CHECK(without.alerts(2) == 0);
    CHECK(without.alerts(3) == 1);
    auto unset = run(rules, session(21, {"USER a\r\n", "QUIT\r\n", "PASS b\r\n"}));
    CHECK(unset.alerts(2) == 0);
    CHECK(unset.alerts(3) == 1);
    auto toggled = run(rules, session(21, {"FLIP\r\n", "PASS b\r\n"}));
    CHECK(toggled.alerts(2) == 1);
    auto same_packet = run(rules, session(21, {"PASS b USER a\r\n"}));  // setters go first
    CHECK(same_packet.alerts(2) == 1);
}

// A flow's flowbits are kept apart from its match state and cleared only when a rule first sets
// one: a new connection that takes the place of one that set a bit must start with none.
TEST_CASE("flowbits start unset on a flow that reuses a closed flow's place",
          "[keywords][flowbits]") {
    const std::string rules = kHdr +
                              "(content:\"USER\"; flowbits:set,login; flowbits:noalert; sid:1;)\n" +
                              kHdr + "(content:\"PASS\"; flowbits:isset,login; sid:2;)\n" + kHdr +
                              "(content:\"PASS\"; flowbits:isnotset,login; sid:3;)\n";
    Conversation first(40000, 21);
    first.client("USER a\r\n");
    first.close();
    Conversation again(40000, 21);  // the same 5-tuple: the closed flow's index, reset
    again.client("PASS b\r\n");
    std::vector<Bytes> frames = first.frames;
    frames.insert(frames.end(), again.frames.begin(), again.frames.end());
    const auto o = run(rules, frames);
    CHECK(o.hits(1) == 1);
    CHECK(o.alerts(2) == 0);
    CHECK(o.alerts(3) == 1);
    // The same connection does see its bit (the bits are kept, not only cleared).
    CHECK(run(rules, session(21, {"USER a\r\n", "PASS b\r\n"})).alerts(2) == 1);
}

TEST_CASE("threshold and detection_filter count matches per tracked address", "[keywords]") {
    auto flows = [](int n) {
        std::vector<Bytes> out;
        for (int i = 0; i < n; ++i) {
            auto s = session(23, {"login: root\r\n"}, static_cast<uint16_t>(40000 + i));
            out.insert(out.end(), s.begin(), s.end());
        }
        return out;
    };
    const std::string c = "content:\"root\"; ";
    auto limit =
        run(kHdr + "(" + c + "threshold:type limit, track by_src, count 2, seconds 60; sid:1;)",
            flows(5));
    CHECK(limit.alerts(1) == 2);
    CHECK(limit.counters.alerts_suppressed == 3);
    auto every =
        run(kHdr + "(" + c + "threshold:type threshold, track by_src, count 2, seconds 60; sid:1;)",
            flows(5));
    CHECK(every.alerts(1) == 2);  // the 2nd and the 4th
    auto both =
        run(kHdr + "(" + c + "threshold:type both, track by_dst, count 2, seconds 60; sid:1;)",
            flows(5));
    CHECK(both.alerts(1) == 1);
    auto filter = run(
        kHdr + "(" + c + "detection_filter:track by_src, count 3, seconds 60; sid:1;)", flows(5));
    CHECK(filter.alerts(1) == 2);  // the 4th and the 5th
    CHECK(filter.hits(1) == 5);
}

TEST_CASE("flags: exact, plus, any, not, ignored", "[keywords]") {
    FrameSpec syn;
    syn.dport = 23;
    syn.tcp_flags = kSyn;
    FrameSpec synack = syn;
    synack.tcp_flags = kSyn | kAck;
    synack.sport = 23;
    synack.dport = 41000;
    FrameSpec ece = syn;
    ece.tcp_flags = kSyn | 0x40;
    ece.sport = 40001;
    auto count = [&](const std::string& f) {
        return run(kHdr + "(flags:" + f + "; sid:1;)", {frame(syn), frame(synack), frame(ece)})
            .alerts(1);
    };
    CHECK(count("S") == 1);
    CHECK(count("S,E") == 2);
    CHECK(count("S+") == 3);
    CHECK(count("*SA") == 3);
    CHECK(count("!A") == 2);
    CHECK(count("SA") == 1);
}

TEST_CASE("fast_pattern, rawbytes, raw_data are accepted and change nothing", "[keywords]") {
    const auto r = kHdr +
                   "(content:\"GET\"; rawbytes; content:\"passwd\"; fast_pattern; "
                   "distance:0; raw_data; sid:1;)";
    CHECK(fires(r, "GET /etc/passwd") == 1);
    CHECK(fires(r, "passwd GET") == 0);
}

TEST_CASE("the threshold table is bounded: a full probe window replaces its oldest entry",
          "[keywords][threshold]") {
    RateTracker t(8);  // one probe window
    const RateLimit limit{RateLimit::Type::limit, false, 1, 60};
    IpAddr a{};
    for (uint8_t i = 0; i < 8; ++i) {
        a[15] = i;
        CHECK(t.pass(1, limit, a, 1000 + i));  // first event of each address passes
    }
    CHECK(t.replaced() == 0);
    a[15] = 0;
    CHECK_FALSE(t.pass(1, limit, a, 2000));  // still tracked: limited
    a[15] = 100;
    CHECK(t.pass(1, limit, a, 3000));  // a ninth address takes the oldest slot (address 0)
    CHECK(t.replaced() == 1);
    a[15] = 0;
    CHECK(t.pass(1, limit, a, 4000));  // address 0 was forgotten: counted afresh
    // An expired window is reused without counting a replacement.
    a[15] = 200;
    CHECK(t.pass(1, limit, a, 1000 + 61'000'000));
    CHECK(t.memory_bytes() > 0);
}

TEST_CASE("keep-alive after a chunked body: the next request is still matched", "[http]") {
    const auto r = kHttp + "(http.uri; content:\"/etc/passwd\"; sid:1;)";
    const std::string chunked =
        "POST /_bulk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "10\r\nGET /etc/passwd \r\n0\r\n\r\n";  // a body that looks like a request: skipped
    const auto o = run(r, session(9200, {chunked, "GET /x/../etc/passwd HTTP/1.1\r\n\r\n"}));
    CHECK(o.counters.http_requests == 2);
    CHECK(o.hits(1) == 1);
    // The same body cut anywhere.
    const std::string all = chunked + "GET /etc/passwd HTTP/1.1\r\n\r\n";
    std::vector<std::string> parts;
    for (size_t at = 0; at < all.size(); at += 5) parts.push_back(all.substr(at, 5));
    const auto cut = run(r, session(9200, parts));
    CHECK(cut.counters.http_requests == 2);
    CHECK(cut.hits(1) == 1);
}

TEST_CASE("clearing the threshold table forgets every entry at once (a reload)",
          "[keywords][threshold]") {
    RateTracker t(8);
    const RateLimit limit{RateLimit::Type::limit, false, 1, 60};
    IpAddr a{};
    for (uint8_t i = 0; i < 8; ++i) {
        a[15] = i;
        CHECK(t.pass(1, limit, a, 1000));
        CHECK_FALSE(t.pass(1, limit, a, 1001));  // limited within the window
    }
    t.clear();
    for (uint8_t i = 0; i < 8; ++i) {
        a[15] = i;
        CHECK(t.pass(1, limit, a, 1002));  // counted afresh after the clear
    }
    CHECK(t.replaced() == 0);  // the old entries were free, not replaced
    CHECK_FALSE(t.pass(1, limit, a, 1003));
}

TEST_CASE("one alert per flow and rule holds for any number of rules", "[keywords][dedup]") {
    // 20 rules (past the 8 a flow remembers inline), each matched in three segments of one flow:
    // whole (streamed) rules and verified ones alike alert once each.
    std::string rules, payload;
    for (int i = 1; i <= 20; ++i) {
        const std::string kw = "kw" + std::to_string(100 + i);
        rules += kHdr + "(content:\"" + kw + "\"; " + (i % 2 ? "" : "content:!\"zz\"; ") +
                 "sid:" + std::to_string(i) + ";)\n";
        payload += kw + " ";
    }
    const Outcome o = run(rules, session(80, {payload, payload, payload}));
    for (uint32_t sid = 1; sid <= 20; ++sid) {
        CHECK(o.alerts(sid) == 1);
        CHECK(o.hits(sid) >= 3);
    }
    CHECK(o.counters.alerts == 20);
    CHECK(o.counters.dedup_replaced == 0);
    // A second flow alerts afresh.
    auto two = session(80, {payload});
    const auto other = session(80, {payload}, 40001);
    two.insert(two.end(), other.begin(), other.end());
    CHECK(run(rules, two).counters.alerts == 40);
}

TEST_CASE("the de-duplication table is bounded: the oldest flow's entry is replaced",
          "[keywords][dedup]") {
    AlertDedup d(16);  // one probe window
    for (uint32_t r = 0; r < 16; ++r) CHECK_FALSE(d.seen(1, r));
    for (uint32_t r = 0; r < 16; ++r) CHECK(d.seen(1, r));
    CHECK(d.replaced() == 0);
    CHECK_FALSE(d.seen(2, 0));  // a newer flow takes a slot of flow 1
    CHECK(d.replaced() == 1);
    CHECK(d.seen(2, 0));
    CHECK(d.memory_bytes() > 0);
}

TEST_CASE("a verified rule split across segments of a non-HTTP flow", "[keywords][stream]") {
    // A negation makes it verified; its prefilter is cut in two.
    const auto r = kHdr + "(content:\"USER root\"; content:!\"anonymous\"; sid:1;)";
    CHECK(run(r, session(21, {"USER ro", "ot\r\n"})).alerts(1) == 1);
    CHECK(run(r, session(21, {"USER ro", "ot anonymous\r\n"})).alerts(1) == 0);
    // A negative distance reaches back into the segment before.
    const auto d = kHdr + "(content:\"PASS \"; content:\"USER \"; distance:-40; within:30; sid:1;)";
    CHECK(run(d, session(21, {"USER bob\r\n", "PASS x\r\n"})).alerts(1) == 1);
    CHECK(run(d, session(21, {"NOOP\r\n", "PASS x\r\n"})).alerts(1) == 0);
    // The window is the direction's first 2048 bytes: past it, segments are verified alone.
    // (Lower case: "USER ro" would start an HTTP-like head, gathered on its own.)
    const auto lower = kHdr + "(content:\"user root\"; content:!\"anonymous\"; sid:1;)";
    CHECK(run(lower, session(21, {"user ro", "ot\r\n"})).alerts(1) == 1);
    const auto past = run(lower, session(21, {std::string(2100, 'x'), "user ro", "ot\r\n"}));
    CHECK(past.alerts(1) == 0);
    CHECK(past.counters.stream_window_exceeded == 1);
    CHECK(run(lower, session(21, {std::string(2100, 'x'), "user root\r\n"})).alerts(1) == 1);
}

TEST_CASE("^ means the stream's start whether a rule is verified or compiled whole",
          "[keywords][stream]") {
    const std::string banner = "User Access Verification\r\n";
    for (const auto& rule :
         {kHdr + "(content:\"Access\"; pcre:\"/^User Access/\"; content:!\"zz\"; sid:1;)",
          kHdr + "(content:\"Access\"; pcre:\"/^User Access/\"; sid:1;)"}) {
        INFO(rule);
        CHECK(run(rule, session(23, {banner})).alerts(1) == 1);
        // In its own segment after Telnet negotiation: not the stream's start (Suricata agrees).
        CHECK(run(rule, session(23, {"\xff\xfb\x01", banner})).alerts(1) == 0);
    }
}

TEST_CASE("flowbits follow the order segments arrive in", "[keywords][flowbits][stream]") {
    // ET 2023017/2023018's shape: a bot's "shell" sets a bit that "/bin/busybox" checks.
    const auto rules = kHdr + "(content:\"shell\"; flowbits:set,sh; flowbits:noalert; sid:1;)\n" +
                       kHdr + "(content:\"/bin/busybox\"; flowbits:isset,sh; sid:2;)\n";
    CHECK(run(rules, session(23, {"shell\r\n", "/bin/busybox ECCHI\r\n"})).alerts(2) == 1);
    // Set by a later segment than the one that checks it: no alert (docs/rules.md says why).
    CHECK(run(rules, session(23, {"/bin/busybox ECCHI\r\n", "shell\r\n"})).alerts(2) == 0);
    CHECK(run(rules, session(23, {"shell; /bin/busybox ECCHI\r\n"})).alerts(2) == 1);
}
