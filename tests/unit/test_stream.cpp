// Stream matching through the whole pipeline: attacks split across segments, retransmissions,
// one alert per flow and rule, a SYN flood larger than the flow table.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <set>

#include "match/stream_pool.hpp"
#include "memory/slot_pool.hpp"
#include "resident.hpp"
#include "rules/parser.hpp"
#include "shipped_run.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

TEST_CASE("a Telnet login typed one character per segment, IAC between: one alert", "[stream]") {
    auto rs = shipped();
    Run run(*rs);
    Conversation c(40001, 23);
    c.server("\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27");
    c.client("\xff\xfb\x18");
    c.client("\xff\xfb\x1f");
    c.server("\r\nlogin: ");
    for (char ch : std::string("root\r\n")) c.client(std::string(1, ch));
    c.client("\xff\xfc\x01");  // more negotiation between user name and password
    c.server("Password: ");
    for (char ch : std::string("xc3511\r\n")) c.client(std::string(1, ch));
    c.server("\r\n# ");
    c.client("l");
    c.client("s\r\n");
    c.close();
    run.feed(c.frames);
    run.pipe.finish();
    const uint32_t telnet = sid_index(*rs, 9000030);
    CHECK(run.stats.rules[telnet].alerts == 1);
    CHECK(run.stats.counters.alerts == 1);
    REQUIRE(run.alerts->size == 1);
    CHECK(run.alerts->records[0].sport == 40001);
    CHECK(run.alerts->records[0].dport == 23);
    // Block mode sees no segment with a whole login: the reason stream matching exists.
    auto block = shipped(TcpMatching::block);
    Run b(*block);
    b.feed(c.frames);
    CHECK(b.stats.counters.alerts == 0);
}

TEST_CASE("an ES traversal request line split over three segments anywhere", "[stream]") {
    auto rs = shipped();
    const uint32_t trav = sid_index(*rs, 9000001);
    const std::string req = "GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\nHost: es\r\n\r\n";
    const size_t from = req.find("/_plugin/"), to = req.find("../") + 3;
    Run run(*rs, 8192);
    uint16_t port = 20000;
    size_t flows = 0;
    for (size_t i = from; i <= to; ++i)
        for (size_t j = i + 1; j <= to; ++j) {
            Conversation c(port++, 9200);
            c.client(req.substr(0, i));
            c.client(req.substr(i, j - i));
            c.client(req.substr(j));
            c.server("HTTP/1.1 200 OK\r\n\r\n");
            c.close();
            run.feed(c.frames);
            ++flows;
        }
    run.pipe.finish();
    CHECK(flows > 100);
    CHECK(run.stats.rules[trav].alerts == flows);
    CHECK(run.stats.counters.alerts == flows);
}

TEST_CASE("retransmitted and overlapping segments: no double alert, no double count", "[stream]") {
    auto rs = shipped();
    const uint32_t conn = sid_index(*rs, 9000020);
    Run run(*rs);
    Conversation c(40002, 8080);
    const std::string req = "CONNECT www.example.com:443 HTTP/1.1\r\n\r\n";
    c.client(req.substr(0, 20));
    const uint32_t second = c.cseq;
    c.client(req.substr(20));
    c.frames.push_back(c.frames[c.frames.size() - 2]);  // the first data segment again
    c.frames.push_back(c.frames[c.frames.size() - 2]);  // the second again
    c.frames.push_back(c.seg(true, kPsh | kAck, second - 5, req.substr(15)));  // overlap
    c.close();
    run.feed(c.frames);
    run.pipe.finish();
    CHECK(run.stats.rules[conn].alerts == 1);
    CHECK(run.stats.rules[conn].hits == 1);
    CHECK(run.stats.counters.stream_retransmitted_bytes == req.size() + req.size() - 15);
    CHECK(run.stats.counters.scanned_bytes == req.size());
}

TEST_CASE("a gap restarts the stream; one alert per flow and rule, hits per segment", "[stream]") {
    auto rs = shipped();
    const uint32_t abs = sid_index(*rs, 9000021);
    Run run(*rs);
    Conversation c(40003, 8888);
    c.client("GET http://a.example/ HTTP/1.1\r\n\r\n");
    c.cseq += 100;  // 100 bytes lost
    c.client("GET http://b.example/ HTTP/1.1\r\n\r\n");
    c.close();
    run.feed(c.frames);
    run.pipe.finish();
    run.pipe.sync_counters();
    CHECK(run.stats.counters.stream_restarts == 1);
    CHECK(run.stats.rules[abs].hits == 2);  // the restarted stream matched from its start again
    CHECK(run.stats.rules[abs].alerts == 1);
    CHECK(run.stats.counters.flows_closed == 1);
}

TEST_CASE("a SYN flood larger than the table: memory bounded, evictions counted, detection works",
          "[stream]") {
    auto rs = shipped();
    Run run(*rs, 256);
    run.pipe.sync_counters();
    const uint64_t memory = run.stats.counters.flow_memory_bytes;
    CHECK(memory > 0);
    std::mt19937 rng(42);
    std::vector<Bytes> flood;
    for (int i = 0; i < 5000; ++i) {
        FrameSpec f;
        f.src4[0] = static_cast<uint8_t>(rng());
        f.src4[1] = static_cast<uint8_t>(rng());
        f.src4[2] = static_cast<uint8_t>(rng());
        f.src4[3] = static_cast<uint8_t>(rng());
        f.sport = static_cast<uint16_t>(rng());
        f.dport = 9200;
        f.tcp_flags = kSyn;
        f.seq = rng();
        flood.push_back(frame(f));
    }
    run.feed(flood);
    Conversation attack(41000, 9200);
    attack.client("GET /_plugin/head/../../etc/passwd HTTP/1.1\r\n\r\n");
    run.feed(attack.frames);
    run.pipe.sync_counters();
    const Counters& c = run.stats.counters;
    CHECK(c.flows_active == 256);
    CHECK(c.flows_evicted == 5000 + 1 - 256);
    CHECK(c.flow_memory_bytes == memory);
    CHECK(run.stats.rules[sid_index(*rs, 9000001)].alerts == 1);
}

TEST_CASE("connection attempts without data leave the flows' match state untouched", "[stream]") {
    auto rs = shipped();
    Run run(*rs, 131072);  // match state reserved: 131072 x 256 bytes = 32 MiB
    std::vector<Bytes> scan;
    for (uint32_t i = 0; i < 120000; ++i) {  // a scan: SYN, and the RST the sensor answers
        FrameSpec f;
        f.src4[1] = static_cast<uint8_t>(i >> 16);
        f.src4[2] = static_cast<uint8_t>(i >> 8);
        f.src4[3] = static_cast<uint8_t>(i);
        f.sport = 40000;
        f.dport = 9200;
        f.tcp_flags = kSyn;
        scan.push_back(frame(f));
        std::swap(f.src4, f.dst4);
        std::swap(f.sport, f.dport);
        f.tcp_flags = kRst | kAck;
        scan.push_back(frame(f));
    }
    const size_t before = resident_bytes();
    run.feed(scan);
    // The flow entries (64 bytes each) and marks become resident; a flow's 256 bytes of match
    // state do not (they would add 30 MiB).
    CHECK(resident_bytes() - before < (size_t{16} << 20));
    run.pipe.sync_counters();
    CHECK(run.stats.counters.flows_created == 120000);
    CHECK(run.stats.counters.flows_closed == 120000);
}

TEST_CASE("a FIN before any data still ends its side", "[stream]") {
    auto load = parse_rules("alert tcp any any -> any 80 (content:\"abc\"; sid:1;)\n", "t", Vars());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1);
    Run run(*rs);
    Conversation c(40013, 80);
    c.frames.push_back(c.seg(true, kFin | kAck, c.cseq, ""));         // the client is done
    c.frames.push_back(c.seg(true, kPsh | kAck, c.cseq + 1, "abc"));  // bytes past its FIN
    c.server("abc");  // the server side goes on (its group: the client's port, no rule)
    run.feed(c.frames);
    CHECK(run.stats.counters.alerts == 0);
    Conversation d(40014, 80);  // the same bytes before a FIN are matched
    d.client("abc");
    d.close();
    run.feed(d.frames);
    CHECK(run.stats.counters.alerts == 1);
}

TEST_CASE("end of data reports what only the end decides", "[stream]") {
    auto load =
        parse_rules("alert tcp any any -> any 80 (pcre:\"/secret$/\"; sid:1;)\n", "t", Vars());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1);
    Run run(*rs);
    Conversation c(40004, 80);
    c.client("the secret");
    run.feed(c.frames);
    CHECK(run.stats.counters.alerts == 0);  // more data may follow
    c.close();
    run.feed({c.frames.back(), c.frames[c.frames.size() - 2]});
    CHECK(run.stats.counters.alerts == 1);  // the client's FIN ended its stream
}

TEST_CASE("a stream is scanned at its close only if its database can match there", "[stream]") {
    auto load = parse_rules(
        "alert tcp any any -> any 80 (content:\"abc\"; sid:1;)\n"
        "alert tcp any any -> any 81 (pcre:\"/secret\\b/\"; sid:2;)\n"
        "alert tcp any any -> any 82 (flow:to_client; pcre:\"/tail$/\"; sid:3;)\n"
        "alert tcp any any -> any 82 (flow:to_server; content:\"head\"; sid:4;)\n",
        "t", Vars());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1);
    auto eod = [&](uint16_t port) { return rs->group_for(kProtoTcp, port)->stream_at_eod; };
    CHECK(eod(80) == std::array<bool, 2>{false, false});  // a literal ends where it is seen
    CHECK(eod(81) == std::array<bool, 2>{true, true});    // the end of data is a word boundary
    CHECK(eod(82) == std::array<bool, 2>{false, true});   // `$` only in responses to 82
    Run run(*rs);
    const StreamPool* pool = StreamPool::current();
    REQUIRE(pool != nullptr);
    Conversation a(40010, 80), b(40011, 81), c(40012, 82);
    a.client("xxabcxx");
    b.client("the secret");
    c.client("head");
    for (auto* conv : {&a, &b, &c}) run.feed(conv->frames);
    // Only b's first segment opened a stream: a's and c's databases cannot match at the end of
    // data, so their first segments were scanned in block mode and kept.
    CHECK(pool->in_use() == 1);
    CHECK(run.stats.counters.alerts == 2);  // abc, head; the rest waits for the end of data
    for (auto* conv : {&a, &b, &c}) {
        conv->frames.clear();
        conv->close();
        run.feed(conv->frames);
    }
    CHECK(pool->in_use() == 0);             // every stream released, read or not
    CHECK(run.stats.rules[1].alerts == 1);  // "secret" at the end of b's data
    CHECK(run.stats.counters.alerts == 3);
}

TEST_CASE("flow:established and flow direction use the tracked flow", "[stream]") {
    auto load = parse_rules(
        "alert tcp any any -> any 80 (content:\"early\"; flow:established,to_server; sid:1;)\n"
        "alert tcp any any -> any any (content:\"reply\"; flow:to_client; sid:2;)\n",
        "t", Vars());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1);
    Run run(*rs);
    Conversation c(40005, 80);
    // Data on the SYN (before the handshake completes) is not established.
    c.frames.insert(c.frames.begin() + 1, c.seg(true, kSyn, c.cseq - 1, "early"));
    c.frames.erase(c.frames.begin());
    c.cseq += 5;  // the SYN's data took these
    c.client("early");
    c.server("reply");
    run.feed(c.frames);
    CHECK(run.stats.rules[0].alerts == 1);
    CHECK(run.stats.rules[0].hits == 1);
    CHECK(run.stats.rules[1].alerts == 1);
}

TEST_CASE("streams go back to their own pool, whatever pipelines come and go", "[stream]") {
    auto rs = shipped();
    auto a = std::make_unique<Run>(*rs);
    Conversation c1(40010, 9200);
    c1.client("GET / HTTP/1.1\r\n");  // opens a stream in a's pool
    a->feed(c1.frames);
    {
        Run b(*rs);  // installs its own pool, then restores a's
        Conversation c2(40011, 9200);
        c2.client("GET / HTTP/1.1\r\n");
        b.feed(c2.frames);
    }
    auto d = std::make_unique<Run>(*rs);
    a.reset();                                // a closes its stream while d's pool is installed
    CHECK(StreamPool::current() != nullptr);  // and leaves d's pool in place
    Conversation c3(40012, 9200);
    c3.client("GET /_plugin/x/../ HTTP/1.1\r\n");
    d->feed(c3.frames);
    CHECK(d->stats.counters.alerts == 1);
}

// A rule set as a reload makes it: its rules' counter slots assigned by `slots` (a sid keeps
// its slot across sets).
std::unique_ptr<Ruleset> compile_reloadable(const std::string& text, SlotRegistry& slots) {
    auto load = parse_rules(text, "r.rules", Vars());
    REQUIRE(load.failed.empty());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1);
    slots.assign(*rs);
    return rs;
}

TEST_CASE("a flow spanning a reload keeps being scanned; its partial match is dropped",
          "[stream][reload]") {
    SlotRegistry slots;
    auto a =
        compile_reloadable("alert tcp any any -> any 80 (content:\"abcdef\"; sid:1;)\n", slots);
    auto b = compile_reloadable(
        "alert tcp any any -> any 80 (content:\"xyz\"; sid:2;)\n"
        "alert tcp any any -> any 80 (content:\"abcdef\"; sid:1;)\n",
        slots);
    CHECK(b->slot(1) == a->slot(0));  // sid 1 keeps its counter across the reload
    Run r(*a);
    Conversation split(40000, 80), whole(40001, 80);
    split.client("abc");
    whole.client("abcdef");
    r.feed(split.frames);
    r.feed(whole.frames);
    CHECK(r.stats.rules[0].alerts == 1);
    r.pipe.switch_rules(*b);
    split.frames.clear();
    whole.frames.clear();
    split.client("def");     // completes "abcdef" only across the reload: not matched
    split.client("xyz");     // the flow is scanned with the new set
    whole.client("abcdef");  // a new alert: per-flow de-duplication starts afresh
    r.feed(split.frames);
    r.feed(whole.frames);
    CHECK(r.stats.rules[b->slot(1)].alerts == 2);
    CHECK(r.stats.rules[b->slot(0)].alerts == 1);
    CHECK(r.stats.counters.reload_switches == 1);
}

TEST_CASE("a flow's flowbits start afresh under a reloaded set", "[stream][reload][flowbits]") {
    const std::string text =
        "alert tcp any any -> any 21 (content:\"USER\"; flowbits:set,login; flowbits:noalert; "
        "sid:1;)\n"
        "alert tcp any any -> any 21 (content:\"PASS\"; flowbits:isset,login; sid:2;)\n"
        "alert tcp any any -> any 21 (content:\"PASS\"; flowbits:isnotset,login; sid:3;)\n";
    SlotRegistry slots;
    auto a = compile_reloadable(text, slots);
    auto b = compile_reloadable(text, slots);
    Run r(*a);
    Conversation kept(40000, 21), reloaded(40001, 21);
    kept.client("USER a\r\n");
    reloaded.client("USER b\r\n");
    r.feed(kept.frames);
    r.feed(reloaded.frames);
    kept.frames.clear();
    reloaded.frames.clear();
    kept.client("PASS a\r\n");  // before the reload: its bit is set
    r.feed(kept.frames);
    CHECK(r.stats.rules[a->slot(1)].alerts == 1);
    r.pipe.switch_rules(*b);
    reloaded.client("PASS b\r\n");  // after it: the bit set under the old set is gone
    r.feed(reloaded.frames);
    CHECK(r.stats.rules[b->slot(1)].alerts == 1);  // still only the first flow's
    CHECK(r.stats.rules[b->slot(2)].alerts == 1);
}

TEST_CASE("a stream pool hands out every block once before reusing, resident as used", "[stream]") {
    const size_t before = resident_bytes();
    StreamPool pool(240, 300000);  // 256-byte blocks: ~77 MB reserved
    CHECK(resident_bytes() - before < (size_t{8} << 20));
    std::vector<void*> got;
    for (int i = 0; i < 1000; ++i) got.push_back(pool.alloc(100));
    CHECK(pool.in_use() == 1000);
    CHECK(std::set<void*>(got.begin(), got.end()).size() == 1000);
    for (void* p : got) CHECK(reinterpret_cast<uintptr_t>(p) % 16 == 0);
    pool.release(got[5]);
    CHECK(pool.in_use() == 999);
    CHECK(pool.alloc(100) == got[5]);   // released blocks first
    CHECK(pool.alloc(241) == nullptr);  // larger than a block
    CHECK(pool.failures() == 1);
    CHECK(resident_bytes() - before < (size_t{8} << 20));
    StreamPool small(64, 3);
    CHECK(small.alloc(8) != nullptr);
    CHECK(small.alloc(8) != nullptr);
    CHECK(small.alloc(8) != nullptr);
    CHECK(small.alloc(8) == nullptr);  // exhausted
    CHECK(small.in_use() == 3);
}

TEST_CASE("a burst processed in stages counts and alerts as packet by packet", "[stream]") {
    auto rs = shipped();
    // Interleaved conversations, more than the table holds (evictions), attacks split over
    // segments, ports reused by new SYNs, and frames that do not parse.
    std::vector<Bytes> frames;
    std::mt19937 rng(11);
    std::vector<Conversation> open;
    const std::vector<std::pair<uint16_t, std::string>> talk = {
        {9200, "GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\n\r\n"},
        {8080, "CONNECT www.example.com:443 HTTP/1.1\r\n\r\n"},
        {23, "root\r\nxc3511\r\n"},
        {80, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"}};
    for (int i = 0; i < 3000; ++i) {
        const auto& [port, text] = talk[rng() % talk.size()];
        Conversation c(static_cast<uint16_t>(20000 + rng() % 700), port);
        const size_t cut = rng() % text.size();
        c.client(text.substr(0, cut));
        c.client(text.substr(cut));
        open.push_back(std::move(c));
        if (open.size() == 8 || i == 2999) {  // interleave 8 conversations' frames
            for (size_t k = 0;; ++k) {
                bool any = false;
                for (auto& o : open)
                    if (k < o.frames.size()) {
                        frames.push_back(o.frames[k]);
                        any = true;
                    }
                if (!any) break;
            }
            open.clear();
        }
        if (rng() % 50 == 0) frames.push_back(Bytes(rng() % 30, 0x45));  // malformed
    }
    // One pipeline at a time: a thread's streams come from the pool it installed last.
    struct Result {
        Counters counters;
        std::vector<uint64_t> alerts;
    };
    auto result = [&](Run& run) {
        run.pipe.sync_counters();
        Result out{run.stats.counters, {}};
        for (const auto& r : run.stats.rules) out.alerts.push_back(r.alerts);
        return out;
    };
    Result a, b;
    {
        Run whole(*rs, 256);
        whole.feed(frames);
        a = result(whole);
    }
    {
        Run staged(*rs, 256);
        for (size_t at = 0; at < frames.size();) {
            const size_t n = std::min<size_t>(1 + rng() % 64, frames.size() - at);
            std::vector<Pipeline::Staged> st(n);
            for (size_t i = 0; i < n; ++i)
                staged.pipe.stage(frames[at + i].data(),
                                  static_cast<uint32_t>(frames[at + i].size()), st[i]);
            const std::vector<uint64_t> times(n, 1);
            staged.pipe.process_burst(st.data(), times.data(), static_cast<uint32_t>(n));
            at += n;
        }
        b = result(staged);
    }
    CHECK(a.counters.rx_packets == frames.size());
    CHECK(b.counters.rx_packets == a.counters.rx_packets);
    CHECK(b.counters.malformed == a.counters.malformed);
    CHECK(a.counters.malformed > 0);
    CHECK(b.counters.flows_created == a.counters.flows_created);
    CHECK(b.counters.flows_evicted == a.counters.flows_evicted);
    CHECK(a.counters.flows_evicted > 0);
    CHECK(b.counters.scanned_packets == a.counters.scanned_packets);
    CHECK(a.counters.alerts > 100);
    CHECK(b.counters.alerts == a.counters.alerts);
    for (size_t r = 0; r < rs->rules().size(); ++r) {
        INFO("rule " << rs->rules()[r].sid);
        CHECK(b.alerts[r] == a.alerts[r]);
    }
}

TEST_CASE("a first segment is scanned without a stream; a second opens it, spanning matches kept",
          "[stream]") {
    auto load = parse_rules(
        "alert tcp any any -> any 80 (content:\"abcdef\"; sid:1;)\n"
        "alert tcp any any -> any 80 (content:\"xxa\"; sid:2;)\n"
        "alert tcp any any -> any 80 (content:\"one\"; content:\"two\"; distance:0; sid:3;)\n"
        "alert tcp any any -> any 81 (pcre:\"/abcdef$/\"; sid:4;)\n",
        "t", Vars());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1);
    CHECK(rs->group_for(kProtoTcp, 80)->stream_first[0] != nullptr);
    CHECK(rs->group_for(kProtoTcp, 81)->stream_first[0] == nullptr);  // `$`: needs the stream
    Run run(*rs);
    const StreamPool* pool = StreamPool::current();
    REQUIRE(pool != nullptr);

    Conversation a(40020, 80);
    a.client("one xxabc");
    run.feed(a.frames);
    CHECK(pool->in_use() == 0);
    CHECK(run.stats.rules[1].hits == 1);  // found in the first segment, without a stream
    a.frames.clear();
    a.client("def two");
    run.feed(a.frames);
    CHECK(pool->in_use() == 1);  // the second segment opened it, the first replayed to it
    CHECK(run.stats.rules[0].alerts == 1);  // "abc" + "def" across the two
    CHECK(run.stats.rules[2].alerts == 1);  // a part in each
    CHECK(run.stats.rules[1].hits == 1);    // the replay reports nothing again
    CHECK(run.stats.counters.scanned_bytes == 16);
    a.frames.clear();
    a.close();
    run.feed(a.frames);
    CHECK(pool->in_use() == 0);

    // The same split where a stream is needed from the start (`$`), and a first segment too
    // long to keep: both streamed as before, with the same alerts.
    Conversation b(40021, 81), c(40022, 80);
    b.client("xxabc");
    c.client(std::string(kFirstBytes + 1, 'x') + "abc");
    run.feed(b.frames);
    run.feed(c.frames);
    CHECK(pool->in_use() == 2);
    b.frames.clear();
    c.frames.clear();
    b.client("def");
    c.client("def");
    b.close();
    c.close();
    run.feed(b.frames);
    run.feed(c.frames);
    CHECK(pool->in_use() == 0);
    CHECK(run.stats.rules[3].alerts == 1);  // at b's end of data
    CHECK(run.stats.rules[0].alerts == 2);
}

TEST_CASE("a slot pool hands out every slot once, the last given back first", "[stream]") {
    SlotPool pool(3, 16);
    CHECK(pool.take() == 0);
    CHECK(pool.take() == 1);
    CHECK(pool.take() == 2);
    CHECK(pool.take() == SlotPool::kNone);  // all in use
    std::memcpy(pool.at(1), "fifteen bytes..", 16);
    CHECK(std::string(pool.at(1)) == "fifteen bytes..");
    CHECK(pool.at(2) == pool.at(1) + 16);
    pool.give(0);
    pool.give(2);
    CHECK(pool.take() == 2);
    CHECK(pool.take() == 0);
    CHECK(pool.take() == SlotPool::kNone);
    CHECK(pool.memory_bytes() == 3 * 16 + 3 * sizeof(uint32_t));
}
