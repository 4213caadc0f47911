#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <random>

#include "output/eve.hpp"
#include "output/eve_alert_writer.hpp"
#include "rules/parser.hpp"

using namespace pktsieve;

TEST_CASE("EVE alert carries Suricata's field names", "[eve]") {
    const Rule r = parse_rule(
        "alert tcp any any -> any 9200 (msg:\"ES \\\"x\\\"\"; content:\"a\"; sid:7; rev:2; "
        "classtype:attempted-admin; metadata:threat es-rce, cve CVE_1, cve CVE_2;)",
        Vars());
    AlertRecord a;
    a.ts_us = 1432080000123456ull;
    a.rule = 0;
    a.sport = 40001;
    a.dport = 9200;
    a.l3 = L3::ipv4;
    a.proto = 6;
    a.src = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 10};
    a.dst = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 20};
    a.vlan_count = 1;
    a.vlan[0] = 100;
    const std::string line = eve_alert(a, r, 3);
    // Compact, as Suricata writes it.
    CHECK(line ==
          "{\"timestamp\":\"2015-05-20T00:00:00.123456+0000\",\"event_type\":\"alert\","
          "\"src_ip\":\"203.0.113.10\",\"src_port\":40001,\"dest_ip\":\"198.51.100.20\","
          "\"dest_port\":9200,\"proto\":\"TCP\",\"vlan\":[100],\"alert\":{\"action\":"
          "\"allowed\",\"gid\":1,\"signature_id\":7,\"rev\":2,\"signature\":"
          "\"ES \\\"x\\\"\",\"category\":\"Attempted Administrator Privilege Gain\","
          "\"severity\":1,\"metadata\":{\"threat\":[\"es-rce\"],\"cve\":[\"CVE_1\","
          "\"CVE_2\"]}},\"pktsieve\":{\"worker_lcore\":3}}\n");
}

TEST_CASE("IPv6 addresses are printed in RFC 5952 form", "[eve]") {
    IpAddr a{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    CHECK(ip_string(a, L3::ipv6) == "2001:db8::1");
}

namespace {

// The line composed field by field, as eve_alert was written before the writer cached parts:
// the reference the writer's lines must equal.
std::string reference_line(const AlertRecord& a, const Rule& r, unsigned lcore) {
    std::string vlan;
    if (a.vlan_count) {
        vlan = fmt::format(",\"vlan\":[{}", a.vlan[0]);
        if (a.vlan_count > 1) vlan += fmt::format(",{}", a.vlan[1]);
        vlan += "]";
    }
    const char* names[] = {"TCP", "UDP", "ICMP", "IPv6-ICMP"};
    const uint8_t numbers[] = {6, 17, 1, 58};
    std::string proto = std::to_string(a.proto);
    for (int i = 0; i < 4; ++i)
        if (a.proto == numbers[i]) proto = names[i];
    return fmt::format(
        "{{\"timestamp\":\"{}\",\"event_type\":\"alert\",\"src_ip\":\"{}\",\"src_port\":{},"
        "\"dest_ip\":\"{}\",\"dest_port\":{},\"proto\":\"{}\"{},{},\"pktsieve\":{{"
        "\"worker_lcore\":{}}}}}\n",
        eve_timestamp(a.ts_us), ip_string(a.src, a.l3), a.sport, ip_string(a.dst, a.l3), a.dport,
        proto, vlan, EveAlertWriter::rule_json(r), lcore);
}

}  // namespace

TEST_CASE("the writer's lines, with its caches, equal lines composed field by field", "[eve]") {
    const std::vector<Rule> rules = {
        parse_rule("alert tcp any any -> any 9200 (msg:\"a\"; content:\"x\"; sid:1;)", Vars()),
        parse_rule("alert udp any any -> any 53 (msg:\"b \\\\ \\\"q\\\"\"; content:\"y\"; "
                   "sid:2; rev:9; priority:2; metadata:k v1, k v2, j w;)",
                   Vars()),
    };
    std::vector<std::string> cache(rules.size());
    EveAlertWriter w;
    fmt::memory_buffer out;
    std::mt19937_64 rng(7);
    std::string expected;
    uint64_t ts = 1432080000000000ull;
    for (int i = 0; i < 5000; ++i) {
        AlertRecord a;
        // Mostly the same second, sometimes later, sometimes earlier (several workers' alerts
        // interleave), now and then a year past 9999.
        const auto step = rng() % 10;
        ts = step < 6 ? ts + rng() % 1000 : step < 8 ? ts + rng() % 5000000 : ts - rng() % 3000000;
        a.ts_us = rng() % 500 == 0 ? 400000000000000000ull + rng() % 1000000 : ts;
        a.rule = static_cast<uint32_t>(rng() % rules.size());
        a.l3 = rng() % 3 ? L3::ipv4 : L3::ipv6;
        for (auto& b : a.src) b = static_cast<uint8_t>(rng());
        for (auto& b : a.dst) b = static_cast<uint8_t>(rng());
        if (rng() % 4 == 0) std::fill(a.src.begin(), a.src.begin() + 8, 0);  // IPv6 "::"
        a.sport = static_cast<uint16_t>(rng());
        a.dport = static_cast<uint16_t>(rng() % 7 ? rng() : 0);
        const uint8_t protos[] = {6, 17, 1, 58, 47, 0, 255};
        a.proto = protos[rng() % 7];
        a.vlan_count = static_cast<uint8_t>(rng() % 3);
        a.vlan = {static_cast<uint16_t>(rng() % 4096), static_cast<uint16_t>(rng() % 4096)};
        const unsigned lcore = static_cast<unsigned>(rng() % 130);
        w.append(out, a, rules[a.rule], lcore, cache[a.rule]);
        expected += reference_line(a, rules[a.rule], lcore);
    }
    CHECK(fmt::to_string(out) == expected);
    CHECK(cache[0] == EveAlertWriter::rule_json(rules[0]));
}
