#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "metrics/exposition.hpp"
#include "metrics/listen.hpp"
#include "metrics/prometheus.hpp"
#include "observe/observation.hpp"
#include "stats/progress.hpp"

using namespace pktsieve;

namespace {

// What Prometheus's text parser requires of a page (exposition format 0.0.4): every sample
// belongs to the family whose HELP and TYPE precede it, families are not split, names and label
// names are valid, no series appears twice. Returns the samples by series.
std::map<std::string, std::string> check_exposition(const std::string& text) {
    static const std::regex name("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static const std::regex sample(
        R"x(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+))x");
    std::map<std::string, std::string> series;
    std::set<std::string> done;
    std::string family, type;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        INFO(line);
        if (line.rfind("# HELP ", 0) == 0) {
            const std::string n = line.substr(7, line.find(' ', 7) - 7);
            REQUIRE(std::regex_match(n, name));
            REQUIRE(done.insert(n).second);  // a family once
            family = n;
            type.clear();
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            REQUIRE(line.substr(7, family.size() + 1) == family + " ");
            type = line.substr(8 + family.size());
            REQUIRE((type == "counter" || type == "gauge"));
            continue;
        }
        std::smatch m;
        REQUIRE(std::regex_match(line, m, sample));
        REQUIRE(m[1].str() == family);
        REQUIRE_FALSE(type.empty());
        if (type == "counter") REQUIRE(family.ends_with("_total"));
        REQUIRE(series.emplace(m[1].str() + "{" + m[3].str() + "}", m[4].str()).second);
        std::stod(m[4].str());
    }
    return series;
}

StatsView sample_view() {
    StatsView v;
    v.threats = {"es-rce", "telnet-login"};
    for (uint32_t i = 0; i < 80; ++i) {
        RuleStat r;
        r.sid = 1000 + i;
        r.slot = i;
        r.msg = i == 0 ? "ET \"quoted\" \\ back\nslash caf\xc3\xa9 bad\xff"
                       : "rule " + std::to_string(i);
        r.threat = i % 2 ? "es-rce" : "";
        r.hits = i;  // rule 0: no hit, not exported
        r.alerts = i / 2;
        v.rules.push_back(r);
    }
    v.rules[5].gid = 3;
    WorkerSnapshot w;
    w.lcore = 2;
    w.counters.rx_packets = 1000;
    w.counters.reload_max_pause_us = 1500;
    w.counters.malformed_by[0] = 4;
    w.rules.resize(80);
    for (uint16_t port = 1; port <= 40; ++port) w.ports.push_back({port, port % 2u, port});
    v.add(w);
    v.workers[0].counters.reload_max_pause_us = 1500;
    v.devices.push_back({0, "net_pcap0", 1000, 64000, 7, 0, 2});
    v.ruleset.generation = 3;
    v.ruleset.reloads = 2;
    v.ruleset.last_reload_failed = true;
    auto totals = std::make_shared<ObservationSummary>();
    for (uint16_t port = 100; port < 130; ++port)
        totals->ports.push_back({port_key(6, port), 130u - port, -1, "", {}});
    totals->threats.push_back({"es-rce", 9, 3, "", {}});
    v.observations.totals = totals;
    v.observations.watched = {{port_key(6, 23), 0}, {port_key(17, 53), 5}};
    return v;
}

}  // namespace

TEST_CASE("label values and help are escaped; bad bytes become text", "[metrics]") {
    CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
    CHECK(escape_label_value("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(escape_label_value("x\xff\x01y") == "x\\\\xff\\\\x01y");
    CHECK(escape_help("a\\b\nc") == "a\\\\b\\nc");
}

TEST_CASE("the metrics page is valid exposition text with bounded series", "[metrics]") {
    MetricsLimits limits;
    limits.rules = 10;
    limits.rule_min_hits = 5;
    limits.ports = 3;
    limits.watch = parse_watch_ports("23,53/udp,7");
    const std::string text =
        render_prometheus(sample_view(), limits, {"0.1.0", "22.11.11", "5.4.0"});
    const auto series = check_exposition(text);
    CHECK(
        series.at("pktsieve_build_info{version=\"0.1.0\",dpdk=\"22.11.11\",hyperscan=\"5.4.0\"}") ==
        "1");
    // Per-worker counters from the counter table; microseconds as seconds.
    CHECK(series.at("pktsieve_packets_received_total{worker=\"2\"}") == "1000");
    CHECK(series.at("pktsieve_reload_max_pause_seconds{worker=\"2\"}") == "0.0015");
    CHECK(series.count("pktsieve_worker_alerts_total{worker=\"2\"}") == 1);
    CHECK(series.count("pktsieve_flows_active{worker=\"2\"}") == 1);
    CHECK(series.at("pktsieve_malformed_packets_total{reason=\"truncated_l2\"}") == "4");
    // Alerts per threat, every threat the set names.
    CHECK(series.count("pktsieve_alerts_total{threat=\"telnet-login\"}") == 1);
    CHECK(series.count("pktsieve_alerts_total{threat=\"unclassified\"}") == 1);
    // Rules: the 10 with most hits, none under 5 hits.
    size_t rules = 0;
    for (const auto& [k, n] : series)
        if (k.rfind("pktsieve_rule_hits_total{", 0) == 0) {
            ++rules;
            CHECK(std::stoull(n) >= 70);
        }
    CHECK(rules == 10);
    CHECK(series.count("pktsieve_rule_hits_total{sid=\"1079\",msg=\"rule 79\",threat=\"es-rce\"}"));
    // Ports: the 3 heaviest and the watched ones, by (port, threat) for alerts.
    std::set<std::string> alert_ports, access_ports;
    const std::regex port_label("port=\"(\\d+)\"");
    for (const auto& [k, n] : series) {
        std::smatch m;
        if (!std::regex_search(k, m, port_label)) continue;
        if (k.rfind("pktsieve_port_alerts_total", 0) == 0) alert_ports.insert(m[1]);
        if (k.rfind("pktsieve_port_accesses_total", 0) == 0) access_ports.insert(m[1]);
    }
    CHECK(alert_ports == std::set<std::string>{"7", "23", "38", "39", "40"});  // 53: no alert
    CHECK(series.at("pktsieve_port_alerts_total{port=\"39\",threat=\"es-rce\"}") == "39");
    CHECK(series.at("pktsieve_port_alerts_total{port=\"40\",threat=\"unclassified\"}") == "40");
    CHECK(access_ports == std::set<std::string>{"100", "101", "102", "23", "53", "7"});
    CHECK(series.at("pktsieve_port_accesses_total{proto=\"udp\",port=\"53\"}") == "5");
    CHECK(series.at("pktsieve_port_accesses_total{proto=\"tcp\",port=\"23\"}") == "0");
    CHECK(series.at("pktsieve_port_accesses_total{proto=\"tcp\",port=\"100\"}") == "30");
    CHECK(series.at("pktsieve_threat_sources{threat=\"es-rce\"}") == "3");
    // Rule set and devices.
    CHECK(series.at("pktsieve_ruleset_generation{}") == "3");
    CHECK(series.at("pktsieve_ruleset_last_reload_failed{}") == "1");
    CHECK(series.at("pktsieve_ruleset_rules{state=\"loaded\"}") == "80");
    CHECK(series.at("pktsieve_device_missed_packets_total{port=\"0\",device=\"net_pcap0\"}") ==
          "7");
    // Hostile text in a label stays on its line.
    const auto first = text.find("sid=\"1000\"");
    CHECK(first == std::string::npos);  // no hit: not exported
}

TEST_CASE("a rule's hostile msg stays one escaped label", "[metrics]") {
    auto v = sample_view();
    v.rules[0].hits = 1000;
    MetricsLimits all;
    all.rules = 100;
    const std::string text = render_prometheus(v, all, {});
    const auto series = check_exposition(text);
    CHECK(series.count(
        "pktsieve_rule_hits_total{sid=\"1000\",msg=\"ET \\\"quoted\\\" \\\\ back\\nslash "
        "caf\xc3\xa9 bad\\\\xff\",threat=\"unclassified\"}"));
    CHECK(
        series.count("pktsieve_rule_hits_total{sid=\"3:1005\",msg=\"rule 5\",threat=\"es-rce\"}"));
}

TEST_CASE("watched ports and listen addresses are parsed or refused", "[metrics]") {
    CHECK(parse_watch_ports("").empty());
    CHECK(parse_watch_ports("23,23/tcp,53/udp") ==
          std::vector<uint32_t>{port_key(6, 23), port_key(17, 53)});
    CHECK_THROWS_AS(parse_watch_ports("23,,24"), std::invalid_argument);
    CHECK_THROWS_AS(parse_watch_ports("-1"), std::invalid_argument);
    const auto a = parse_listen_address("9469");
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 9469);
    CHECK(a.url() == "http://127.0.0.1:9469/metrics");
    const auto b = parse_listen_address("[::]:9100");
    CHECK(b.host == "::");
    CHECK(b.url() == "http://[::]:9100/metrics");
    CHECK(parse_listen_address("0.0.0.0:80").host == "0.0.0.0");
    CHECK_THROWS_AS(parse_listen_address("0"), std::invalid_argument);
    CHECK_THROWS_AS(parse_listen_address(":80"), std::invalid_argument);
    CHECK_THROWS_AS(parse_listen_address("host:"), std::invalid_argument);
}

TEST_CASE("the pcap status line: once a second, percent, rate, alerts, time left", "[metrics]") {
    ProgressLine p(1'000'000);
    CHECK_FALSE(p.update(10.0, 0, 0));  // the first sample starts the clock
    CHECK_FALSE(p.update(10.5, 100'000, 0));
    const auto line = p.update(11.0, 250'000, 12);
    REQUIRE(line);
    CHECK(*line ==
          "pktsieve: 250,000 of 1,000,000 packets (25.0 %), 250.0 kpps, 12 alerts, "
          "ETA 0:00:03");
    const auto fast = p.update(12.0, 2'750'000, 12);  // beyond the count: a file that grew
    REQUIRE(fast);
    CHECK(*fast == "pktsieve: 2,750,000 of 1,000,000 packets (100.0 %), 2.50 Mpps, 12 alerts");
    CHECK(thousands(0) == "0");
    CHECK(thousands(1234567) == "1,234,567");
}
