#include <catch2/catch.hpp>

#include "rules/parser.hpp"

using namespace pktsieve;

namespace {

IpAddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    IpAddr x{};
    x[10] = x[11] = 0xff;
    x[12] = a;
    x[13] = b;
    x[14] = c;
    x[15] = d;
    return x;
}

std::string error_of(const std::string& rule, const Vars& vars = Vars()) {
    try {
        parse_rule(rule, vars);
    } catch (const SyntaxError& e) {
        return e.what();
    }
    return "";
}

const char* kGood =
    "alert tcp $EXTERNAL_NET any -> $HOME_NET [9200,9201] (msg:\"ES \\\"traversal\\\"\"; "
    "flow:to_server,established; content:\"GET |20 2f|\"; nocase; depth:6; offset:0; "
    "content:\"a\\;b\"; pcre:\"/_plugin\\/[^\\/]+\\/\\.\\./i\"; reference:cve,2015-3337; "
    "classtype:web-application-attack; sid:42; rev:3; gid:1; "
    "metadata:threat es-traversal, cve CVE_2015_3337; metadata:created_at 2015_05_22;)";

}  // namespace

TEST_CASE("a full rule parses into the model", "[rules]") {
    const Rule r = parse_rule(kGood, Vars());
    CHECK(r.proto == RuleProto::tcp);
    CHECK(r.msg == "ES \"traversal\"");
    CHECK(r.sid == 42);
    CHECK(r.rev == 3);
    CHECK(r.flow == FlowDir::to_server);
    CHECK(r.flow_established);
    REQUIRE(r.patterns.size() == 3);
    CHECK(r.patterns[0].text == "GET  /");
    CHECK(r.patterns[0].nocase);
    CHECK(r.patterns[0].depth == 6);
    CHECK(r.patterns[1].text == "a;b");
    CHECK(r.patterns[2].kind == Pattern::Kind::pcre);
    CHECK(r.patterns[2].nocase);
    CHECK(r.patterns[2].text == "_plugin\\/[^\\/]+\\/\\.\\.");
    CHECK(r.threat == "es-traversal");
    REQUIRE(r.metadata.size() == 3);
    CHECK(r.metadata[1] == std::pair<std::string, std::string>{"cve", "CVE_2015_3337"});
    CHECK(r.category == "Web Application Attack");
    CHECK(r.severity == 1);
    CHECK(r.references.size() == 1);
    CHECK(r.dport.contains(9200));
    CHECK(r.dport.contains(9201));
    CHECK_FALSE(r.dport.contains(9202));
    CHECK(r.sport.is_any());
}

TEST_CASE("addresses: CIDR, lists, negation, IPv6, variables", "[rules]") {
    Vars vars;
    vars.set("HOME_NET=[10.0.0.0/8,!10.1.0.0/16]");
    const auto home = parse_address("$HOME_NET", vars);
    CHECK(home.match(v4(10, 2, 3, 4)));
    CHECK_FALSE(home.match(v4(10, 1, 3, 4)));
    CHECK_FALSE(home.match(v4(11, 0, 0, 1)));
    const auto not_home = parse_address("!$HOME_NET", vars);
    CHECK(not_home.match(v4(11, 0, 0, 1)));
    CHECK_FALSE(not_home.match(v4(10, 2, 3, 4)));
    const auto only_neg = parse_address("[!192.0.2.1]", vars);
    CHECK(only_neg.match(v4(192, 0, 2, 2)));
    CHECK_FALSE(only_neg.match(v4(192, 0, 2, 1)));
    const auto six = parse_address("2001:db8::/32", vars);
    IpAddr a{};
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = 0xb8;
    CHECK(six.match(a));
    CHECK_FALSE(six.match(v4(10, 0, 0, 1)));
    CHECK(parse_address("any", vars).match(a));
    CHECK(parse_address("[1.2.3.4, [5.6.7.0/24]]", vars).match(v4(5, 6, 7, 9)));
}

TEST_CASE("ports: single, ranges, lists, negation, variables", "[rules]") {
    Vars vars;
    CHECK(parse_ports("80", vars).contains(80));
    CHECK_FALSE(parse_ports("80", vars).contains(81));
    const auto r = parse_ports("1024:", vars);
    CHECK(r.contains(65535));
    CHECK_FALSE(r.contains(1023));
    CHECK(parse_ports(":10", vars).contains(0));
    const auto l = parse_ports("[8000:8100,!8080, 23]", vars);
    CHECK(l.contains(8001));
    CHECK(l.contains(23));
    CHECK_FALSE(l.contains(8080));
    const auto n = parse_ports("!$HTTP_PORTS", vars);
    CHECK_FALSE(n.contains(8080));
    CHECK(n.contains(23));
    CHECK(parse_ports("$PROXY_PORTS", vars).contains(37564));
}

TEST_CASE("each rule error names its cause", "[rules]") {
    const std::string h = "alert tcp any any -> any 80 ";
    CHECK(error_of(h + "(msg:\"x\"; sid:1; content:\"a\"; bogus:1;)") == "unknown keyword 'bogus'");
    CHECK(error_of(h + "(msg:\"x\"; content:\"a\";)") == "rule has no 'sid'");
    CHECK(error_of(h + "(sid:1; dsize:5<>2;)") == "dsize: range needs its lower bound first");
    CHECK(error_of(h + "(sid:1; flags:SZ;)") == "flags: unknown TCP flag 'Z'");
    CHECK(error_of(h + "(sid:1; flowbits:set;)") == "'flowbits' needs 'command,name'");
    CHECK(error_of(h + "(sid:1; flowbits:frob,x;)") == "unsupported flowbits command 'frob'");
    CHECK(error_of(h + "(sid:1; threshold:type limit, count 1, seconds 6;)") ==
          "threshold: type, track, count and seconds are all needed");
    CHECK(error_of(h + "(sid:1; threshold:type limit, track by_rule, count 1, seconds 6;)") ==
          "unsupported threshold track 'by_rule'");
    CHECK(error_of(h + "(sid:1; isdataat:5,sideways;)") ==
          "'isdataat' option 'sideways' not known");
    CHECK(error_of("alert udp any any -> any 53 (sid:1; http.uri; content:\"a\";)") ==
          "HTTP buffers need a tcp or http rule");
    CHECK(error_of(h + "(sid:1; nocase; content:\"a\";)") == "'nocase' must follow a content");
    CHECK(error_of(h + "(sid:1; content:\"abc\"; depth:2;)") ==
          "depth 2 is shorter than its content");
    CHECK(error_of(h + "(sid:1; content:\"a|4\";)") == "content: unterminated |hex| in content");
    CHECK(error_of(h + "(sid:1; content:\"|4g|\";)") == "content: bad hex in content |4g|");
    CHECK(error_of(h + "(sid:x; content:\"a\";)").find("'sid' needs an integer") == 0);
    CHECK(error_of(h + "(sid:1; pcre:\"/a/Q\";)") == "unsupported pcre flag 'Q'");
    CHECK(error_of(h + "(sid:1; pcre:\"abc\";)") == "'pcre' must look like \"/regex/flags\"");
    CHECK(error_of(h + "(sid:1; content:\"a\"; flow:sideways;)") ==
          "flow: option 'sideways' not known");
    CHECK(error_of(h + "(sid:1; content:\"a\"; flow:established,only_stream;)") ==
          "unsupported flow option 'only_stream'");
    CHECK(error_of(h + "(sid:1; content:\"a\"; target:both;)") ==
          "target: needs src_ip or dest_ip, got 'both'");
    CHECK(error_of(h + "(sid:1; content:\"a\"; target:dest_ip; noalert;)").empty());
    CHECK(error_of(h + "(sid:1; content:\"a\"; classtype:nope;)") ==
          "unknown classtype 'nope' (not in built-in)");
    CHECK(error_of(h + "(sid:1; content:\"a\"; msg:\"unterminated;)") ==
          "'msg' needs a quoted value");
    CHECK(error_of(h + "(sid:1; content:\"a\")") ==
          "option 'content:\"a\"' is not terminated by ';'");
    CHECK(error_of(h + "(sid:1; content:\"a\"; metadata:threat a, threat b;)") ==
          "metadata: two threats named ('a', 'b')");
    CHECK(error_of("drop tcp any any -> any 80 (sid:1; content:\"a\";)") ==
          "unsupported action 'drop' (passive sensor: alert)");
    CHECK(error_of("alert icmp any any -> any any (sid:1; content:\"a\";)") ==
          "unsupported protocol 'icmp'");
    CHECK(error_of("alert tcp any any => any 80 (sid:1; content:\"a\";)") ==
          "direction must be '->' or '<>', got '=>'");
    CHECK(error_of("alert tcp any any -> any 70000 (sid:1; content:\"a\";)") == "bad port '70000'");
    CHECK(error_of("alert tcp 10.0.0.0/33 any -> any 80 (sid:1; content:\"a\";)") ==
          "bad prefix length in '10.0.0.0/33'");
    CHECK(error_of("alert tcp $NOPE any -> any 80 (sid:1; content:\"a\";)") ==
          "undefined variable '$NOPE'");
    CHECK(
        error_of("alert tcp [1.2.3.4]] any -> any 80 (sid:1; content:\"a\";)").find("unbalanced") ==
        0);
    CHECK(error_of("alert tcp any [!1:65535,!0] -> any 80 (sid:1; content:\"a\";)")
              .find("matches no port") != std::string::npos);
    CHECK(error_of("alert tcp any any -> any 80 sid:1;").find("expected") == 0);
}

TEST_CASE("a rule file reports every error with file and line", "[rules]") {
    const std::string text =
        "# comment\n"
        "\n"
        "alert tcp any any -> any 80 (msg:\"ok\"; content:\"a\"; sid:1;)\n"
        "alert tcp any any -> any 80 (msg:\"bad\"; content:\"a\"; sid:2; wat;)\n"
        "alert tcp any any -> any 80 (msg:\"continued\"; \\\n"
        "   content:\"b\"; sid:3;)\n"
        "alert tcp any any -> any 80 (msg:\"bad2\"; content:\"a\"; depth:0; sid:4;)\n"
        "alert tcp any any -> any 80 (msg:\"bad3\"; content:\"a\";)\n"
        "alert tls any any -> any any (msg:\"tls\"; sid:5;)\n";
    const auto load = parse_rules(text, "x.rules", Vars());
    REQUIRE(load.rules.size() == 2);
    CHECK(load.rules[0].line == 3);
    CHECK(load.rules[1].sid == 3);
    CHECK(load.rules[1].line == 5);
    REQUIRE(load.failed.size() == 3);
    CHECK(load.failed[0].str() == "x.rules:4: unknown keyword 'wat'");
    CHECK(load.failed[1].str() == "x.rules:7: 'depth' needs an integer in [1, 65535], got '0'");
    CHECK(load.failed[2].str() == "x.rules:8: rule has no 'sid'");
    REQUIRE(load.skipped.size() == 1);
    CHECK(load.skipped[0].str() == "x.rules:9: unsupported protocol 'tls'");
}

TEST_CASE("an unreadable rule file is an error at line 0", "[rules]") {
    const auto load = load_rules("/nonexistent/pktsieve.rules", Vars());
    REQUIRE(load.failed.size() == 1);
    CHECK(load.failed[0].str() == "/nonexistent/pktsieve.rules:0: cannot open rule file");
}

TEST_CASE("variables can be overridden and must be well formed", "[rules]") {
    Vars v;
    v.set("$HOME_NET=192.0.2.0/24");
    CHECK(v.get("HOME_NET") == "192.0.2.0/24");
    CHECK_THROWS_AS(v.set("novalue"), SyntaxError);
    CHECK_THROWS_AS(v.get("UNDEFINED"), SyntaxError);
    v.set("A=$B");
    v.set("B=$A");
    CHECK_THROWS_WITH(parse_address("$A", v), Catch::Contains("nest too deep"));
}

TEST_CASE("relative contents Suricata would reject are errors", "[rules][relative]") {
    const std::string h = "alert tcp any any -> any 80 ";
    CHECK(error_of(h + "(content:\"a\"; content:\"b\"; distance:-1; sid:1;)").empty());
    // The first content of a buffer may be relative: it counts from the buffer's start.
    CHECK(error_of(h + "(content:\"a\"; http.uri; content:\"b\"; distance:0; sid:1;)").empty());
    CHECK(error_of(h + "(content:\"a\"; offset:1; distance:0; content:\"b\"; sid:1;)") ==
          "a content cannot have both offset/depth and distance/within");
    CHECK(error_of(h + "(content:\"a\"; content:\"bcd\"; within:2; sid:1;)") ==
          "within 2 is shorter than its content");
    CHECK(error_of(h + "(distance:1; content:\"a\"; sid:1;)") ==
          "'distance' must follow a content");
    CHECK(error_of(h + "(content:\"x\"; content:\"a\"; offset:1; distance:0; sid:1;)") ==
          "a content cannot have both offset/depth and distance/within");
    CHECK(error_of(h + "(pcre:\"/x/\"; content:\"a\"; distance:0; sid:1;)").empty());
}
