#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <set>

#include "stats/json.hpp"
#include "stats/render.hpp"

using namespace pktsieve;

TEST_CASE("counter table covers every field once; += adds counters and gauges, keeps peaks",
          "[stats]") {
    std::set<std::pair<std::string_view, std::string_view>> names;
    for (size_t i = 0; i < kCounterInfo.size(); ++i) {
        const auto& c = kCounterInfo[i];
        CHECK(names.emplace(c.group, c.key).second);
        for (size_t j = 0; j < i; ++j) CHECK(kCounterInfo[j].field != c.field);
        CHECK_FALSE(c.help.empty());
    }
    Counters a, b;
    uint64_t v = 1;
    for (const auto& c : kCounterInfo) b.*c.field = v++;
    for (auto& m : b.malformed_by) m = v++;
    a += b;
    a += b;
    v = 1;
    for (const auto& c : kCounterInfo) {
        CHECK(a.*c.field == (c.kind == CounterKind::peak ? v : 2 * v));
        ++v;
    }
    for (auto m : a.malformed_by) CHECK(m == 2 * v++);
    Counters high;
    high.reload_max_pause_us = 1000;
    a += high;
    CHECK(a.reload_max_pause_us == 1000);
}

TEST_CASE("json_quote escapes what JSON requires", "[stats]") {
    CHECK(json_quote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
    CHECK(json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
}

TEST_CASE("the view sums workers and derives threats from rules", "[stats]") {
    StatsView v;
    v.threats = {"es-rce", "telnet-login"};
    v.rules = {{1, 10, 1, "a", "es-rce", 0, 0, 0}, {1, 11, 1, "b", "", 1, 0, 0}};
    WorkerSnapshot s1, s2;
    s1.lcore = 1;
    s1.counters.rx_packets = 5;
    s1.rules = {{3, 3}, {1, 1}};
    s1.ports = {{9200, 0, 3}, {80, 1, 1}};
    s2.lcore = 2;
    s2.counters.rx_packets = 7;
    s2.rules = {{2, 2}, {0, 0}};
    s2.ports = {{9200, 0, 2}, {9200, 7, 4}};  // slot 7: a rule reloaded away
    v.add(s1);
    v.add(s2);
    CHECK(v.total.rx_packets == 12);
    CHECK(v.rules[0].alerts == 5);
    CHECK(v.port_alerts.at(9200) == 9);
    CHECK(v.port_threat_alerts.at({9200, "es-rce"}) == 5);
    CHECK(v.port_threat_alerts.at({80, "unclassified"}) == 1);
    CHECK(v.port_threat_alerts.size() == 2);
    const auto t = v.threat_alerts();
    CHECK(t.at("es-rce") == 5);
    CHECK(t.at("telnet-login") == 0);
    CHECK(t.at("unclassified") == 1);
    const std::string json = render_json(v);
    CHECK_THAT(json, Catch::Contains("\"packets\": {\"received\": 12"));
    CHECK_THAT(json, Catch::Contains("\"threats\": {\"es-rce\": {\"alerts\": 5}"));
    CHECK_THAT(json,
               Catch::Contains("\"10\": {\"gid\": 1, \"sid\": 10, \"rev\": 1, \"msg\": \"a\""));
    CHECK_THAT(json, Catch::Contains("\"9200\": {\"alerts\": 9, \"threats\": {\"es-rce\": 5}}"));
    CHECK_THAT(json, Catch::Contains("{\"lcore\": 2, \"packets\": {\"received\": 7"));
    const std::string table = render_table(v);
    CHECK_THAT(table, Catch::Contains("es-rce"));
    CHECK_THAT(table, Catch::Contains("telnet-login"));
}

TEST_CASE("docs/stats.md documents every counter and malformed reason", "[stats][docs]") {
    std::ifstream in(PKTSIEVE_SOURCE_DIR "/docs/stats.md");
    REQUIRE(in);
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& c : kCounterInfo) {
        INFO(c.group << "." << c.key);
        CHECK(doc.find("| " + std::string(c.group) + " |") != std::string::npos);
        CHECK(doc.find(std::string(c.key)) != std::string::npos);
    }
    for (const auto& r : kMalformedInfo) {
        INFO(r.name);
        CHECK(doc.find("| " + std::string(r.name) + " |") != std::string::npos);
    }
}

#include "stats/rates.hpp"

TEST_CASE("rates over 1, 10 and 60 s windows", "[stats][rates]") {
    RateWindows w;
    Counters c;
    CHECK(w.rates()[0].packets == 0);
    // 100 packets and 1000 bytes per second for 120 s, then 1000 packets/s for 10 s.
    for (int t = 0; t <= 130; ++t) {
        w.add(t, c);
        const uint64_t pps = t < 120 ? 100 : 1000;
        c.rx_packets += pps;
        c.rx_bytes += 10 * pps;
        c.alerts += 1;
    }
    const auto r = w.rates();
    CHECK(r[0].window_s == 1.0);
    CHECK(r[0].packets == Approx(1000));
    CHECK(r[0].bits == Approx(80000));
    CHECK(r[1].packets == Approx(1000));
    CHECK(r[1].span_s == Approx(10));
    CHECK(r[2].packets == Approx((50 * 100 + 10 * 1000) / 60.0));
    CHECK(r[2].alerts == Approx(1));
    CHECK(r[2].span_s == Approx(60));
}

TEST_CASE("rates right after start cover the time there is", "[stats][rates]") {
    RateWindows w;
    Counters c;
    w.add(0, c);
    c.rx_packets = 50;
    w.add(0.5, c);
    const auto r = w.rates();
    CHECK(r[2].span_s == Approx(0.5));
    CHECK(r[2].packets == Approx(100));
}
