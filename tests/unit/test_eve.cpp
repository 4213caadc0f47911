#include <catch2/catch.hpp>

#include "output/eve.hpp"
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
