// Parser parity with Suricata 7 on what the ET Open snapshot writes: option splitting, where
// modifiers may stand, relative first contents, unknown vs unsupported keywords, and
// classification.config files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "match/load.hpp"
#include "rules/keywords.hpp"
#include "rules/parser.hpp"

using namespace pktsieve;

namespace {

const std::string h = "alert tcp any any -> any 80 ";

std::string error_of(const std::string& rule) {
    try {
        parse_rule(rule, Vars());
    } catch (const SyntaxError& e) {
        return e.what();
    }
    return "";
}

bool is_unsupported(const std::string& rule) {
    try {
        parse_rule(rule, Vars());
    } catch (const Unsupported&) {
        return true;
    } catch (const SyntaxError&) {
    }
    return false;
}

std::string temp_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("pktsieve-parity-" + std::to_string(::getpid()) + "-" +
                std::to_string(reinterpret_cast<uintptr_t>(&h) & 0xffff));
    std::filesystem::create_directories(dir);
    return dir.string();
}

void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("options split on unescaped ';' only: quotes inside a pcre are bytes",
          "[rules][parity]") {
    // ET's pcre:"/^["']?post/Ri" once read as an unterminated quoted string.
    const Rule r = parse_rule(h + "(content:\"x\"; pcre:\"/^[\"']?post/Ri\"; sid:1;)", Vars());
    REQUIRE(r.patterns.size() == 2);
    CHECK(r.patterns[1].text == "^[\"']?post");
    CHECK(r.patterns[1].relative);
    CHECK(r.patterns[1].nocase);
    // An escaped ';' stays inside its value; an unescaped one ends it, quotes or not.
    const Rule e = parse_rule(h + "(content:\"a\\;b\"; msg:\"x\\;y\"; sid:2;)", Vars());
    CHECK(e.patterns[0].text == "a;b");
    CHECK(e.msg == "x;y");
    CHECK(error_of(h + "(content:\"a;b\"; sid:3;)") == "'content' needs a quoted value");
}

TEST_CASE("fast_pattern and other modifiers apply to the last content, wherever they stand",
          "[rules][parity]") {
    // The CVE-2018-13379 rule: isdataat between the content and fast_pattern.
    const Rule r = parse_rule(
        h + "(content:\"/remote/fgt_lang?lang=\"; depth:35; isdataat:30,relative; fast_pattern; "
            "content:\"x\"; sid:1;)",
        Vars());
    REQUIRE(r.patterns.size() == 3);
    CHECK(r.patterns[0].fast_pattern);
    CHECK(r.patterns[0].depth == 35);
    CHECK(r.patterns[1].kind == Pattern::Kind::isdataat);
    CHECK_FALSE(r.patterns[2].fast_pattern);
    const Rule p = parse_rule(h + "(content:\"abc\"; pcre:\"/x/R\"; nocase; sid:2;)", Vars());
    CHECK(p.patterns[0].nocase);
    CHECK(error_of(h + "(pcre:\"/x/\"; fast_pattern; sid:3;)") ==
          "'fast_pattern' must follow a content");
    CHECK(error_of(h + "(content:\"a\"; fast_pattern:only; sid:4;)").empty());
    CHECK(error_of(h + "(content:\"abcd\"; fast_pattern:1,2; sid:5;)").empty());
}

TEST_CASE("distance/within on the first content of a buffer count from the buffer's start",
          "[rules][parity]") {
    // ET sid 2008586: http.header; content:"Viper 4.0|29|"; nocase; fast_pattern; distance:2;
    // within:10; -> offset 2, must end by byte 12.
    const Rule r = parse_rule(
        "alert http any any -> any any (http.header; content:\"Viper 4.0|29|\"; nocase; "
        "fast_pattern; distance:2; within:10; sid:2008586;)",
        Vars());
    REQUIRE(r.patterns.size() == 1);
    const Pattern& p = r.patterns[0];
    CHECK_FALSE(p.relative);
    CHECK(p.offset == 2);
    CHECK(p.depth == 10);
    CHECK(p.buffer == Buffer::http_header);
    // A negative distance clamps at the start; within alone bounds the end.
    const Rule n = parse_rule(h + "(content:\"ab\"; distance:-3; within:7; sid:2;)", Vars());
    CHECK(n.patterns[0].offset == 0);
    CHECK(n.patterns[0].depth == 4);
    const Rule w = parse_rule(h + "(content:\"ab\"; within:5; sid:3;)", Vars());
    CHECK(w.patterns[0].offset == 0);
    CHECK(w.patterns[0].depth == 5);
    CHECK(error_of(h + "(content:\"abcdef\"; distance:-4; within:8; sid:4;)") ==
          "distance/within leave no room for the content at the buffer's start");
    // A content after another in the same buffer stays relative.
    const Rule two = parse_rule(h + "(content:\"a\"; content:\"b\"; distance:1; sid:5;)", Vars());
    CHECK(two.patterns[1].relative);
}

TEST_CASE("a Suricata keyword pktsieve lacks is unsupported; an unknown word is an error",
          "[rules][parity]") {
    for (const char* kw : {"tls.sni", "ja3.hash", "file.data", "http.response_body", "byte_jump",
                           "http.stat_code", "xbits", "lua"})
        CHECK(is_suricata_keyword(kw));
    CHECK(is_unsupported(h + "(content:\"a\"; byte_jump:4,0; sid:1;)"));
    CHECK(error_of(h + "(content:\"a\"; byte_jump:4,0; sid:1;)") ==
          "unsupported keyword 'byte_jump'");
    CHECK_FALSE(is_unsupported(h + "(contnt:\"a\"; sid:2;)"));
    CHECK(error_of(h + "(contnt:\"a\"; sid:2;)") == "unknown keyword 'contnt'");
    CHECK_FALSE(is_suricata_keyword("contnt"));
    CHECK_FALSE(is_suricata_keyword(""));
    // A file: the typo fails (and --check-rules exits 1), the unsupported rule is skipped.
    const auto load = parse_rules(h + "(content:\"a\"; sid:1;)\n" + h + "(contnt:\"a\"; sid:2;)\n" +
                                      h + "(content:\"a\"; tls.sni; content:\"b\"; sid:3;)\n",
                                  "t.rules", Vars());
    CHECK(load.rules.size() == 1);
    REQUIRE(load.failed.size() == 1);
    CHECK(load.failed[0].str() == "t.rules:2: unknown keyword 'contnt'");
    REQUIRE(load.skipped.size() == 1);
    CHECK(load.skipped[0].str() == "t.rules:3: unsupported keyword 'tls.sni'");
}

TEST_CASE("classification.config: parsed, found beside the rules, priority as severity",
          "[rules][parity]") {
    std::vector<RuleError> errors;
    const auto c = Classifications::parse(
        "# comment\n"
        "config classification: coin-mining,Crypto Currency Mining Activity Detected,2\n"
        "config classification: trojan-activity,A Network Trojan was detected, 1\n"
        "config classification: broken\n"
        "config classification: bad-priority,x,zero\n",
        "c.config", errors);
    REQUIRE(c.find("coin-mining"));
    CHECK(c.find("coin-mining")->priority == 2);
    CHECK(c.find("trojan-activity")->priority == 1);
    CHECK(c.find("trojan-activity")->description == "A Network Trojan was detected");
    CHECK_FALSE(c.find("not-suspicious"));  // a file replaces the built-in table
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].str() == "c.config:4: expected 'name,description,priority'");
    CHECK(errors[1].str() == "c.config:5: priority must be an integer in [1, 255], got 'zero'");
    CHECK(Classifications::builtin().find("pup-activity"));
    CHECK(Classifications::builtin().find("attempted-admin")->priority == 1);

    // A classtype only the file knows, with the file's priority in the rule's severity.
    const std::string dir = temp_dir();
    write(dir + "/classification.config",
          "config classification: sensor-special,Sensor Special,4\n"
          "config classification: attempted-admin,Attempted Administrator Privilege Gain,3\n");
    write(dir + "/a.rules", h + "(content:\"a\"; classtype:sensor-special; sid:1;)\n" + h +
                                "(content:\"b\"; classtype:attempted-admin; sid:2;)\n" + h +
                                "(content:\"c\"; classtype:attempted-admin; priority:1; sid:3;)\n");
    const auto beside = load_ruleset({dir + "/a.rules"}, Vars());
    REQUIRE(beside.ruleset);
    CHECK(beside.failed.empty());
    CHECK(beside.classification_source == dir + "/classification.config");
    const auto& rules = beside.ruleset->rules();
    REQUIRE(rules.size() == 3);
    CHECK(rules[0].category == "Sensor Special");
    CHECK(rules[0].severity == 4);
    CHECK(rules[1].severity == 3);  // the file's priority, not the built-in 1
    CHECK(rules[2].severity == 1);  // an explicit priority wins

    // An explicit file wins over the one beside the rules; without either, built-in.
    write(dir + "/other.config", "config classification: attempted-admin,Admin,2\n");
    LoadOptions opts;
    opts.classification_file = dir + "/other.config";
    const auto expl = load_ruleset({dir + "/a.rules"}, Vars(), opts);
    REQUIRE(expl.ruleset);
    CHECK(expl.ruleset->rules().size() == 2);  // sid 1's classtype is not in other.config
    CHECK(expl.failed.size() == 1);
    CHECK(expl.ruleset->rules()[0].severity == 2);
    std::filesystem::remove(dir + "/classification.config");
    const auto builtin = load_ruleset({dir + "/a.rules"}, Vars());
    CHECK(builtin.classification_source == "built-in");
    REQUIRE(builtin.failed.size() == 1);
    CHECK(builtin.failed[0].str() ==
          dir + "/a.rules:1: unknown classtype 'sensor-special' (not in built-in)");
    // A classification file given but unreadable rejects the set.
    opts.classification_file = dir + "/missing.config";
    const auto missing = load_ruleset({dir + "/a.rules"}, Vars(), opts);
    CHECK_FALSE(missing.ruleset);
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0].reason == "cannot open classification file");
    std::filesystem::remove_all(dir);
}

TEST_CASE("one bad rule costs only itself; a set with nothing good is rejected",
          "[rules][parity]") {
    const std::string dir = temp_dir();
    write(dir + "/mixed.rules",
          h + "(content:\"good\"; sid:1;)\n" + h + "(content:\"bad\"; depth:0; sid:2;)\n" + h +
              "(pcre:\"/(unclosed/\"; sid:3;)\n" + h + "(content:\"also good\"; sid:4;)\n");
    const auto mixed = load_ruleset({dir + "/mixed.rules"}, Vars());
    REQUIRE(mixed.ruleset);
    CHECK(mixed.ruleset->rules().size() == 2);
    REQUIRE(mixed.failed.size() == 2);
    CHECK(mixed.failed[0].line == 2);
    CHECK(mixed.failed[1].line == 3);
    CHECK_THAT(mixed.failed[1].reason, Catch::StartsWith("pattern rejected by Hyperscan"));
    LoadOptions strict;
    strict.strict = true;
    CHECK_FALSE(load_ruleset({dir + "/mixed.rules"}, Vars(), strict).ruleset);

    write(dir + "/all-bad.rules", h + "(contnt:\"a\"; sid:1;)\n");
    const auto bad = load_ruleset({dir + "/all-bad.rules"}, Vars());
    CHECK_FALSE(bad.ruleset);
    REQUIRE(bad.errors.size() == 1);
    CHECK_THAT(bad.errors[0].reason, Catch::StartsWith("every rule failed"));
    const auto unreadable = load_ruleset({dir + "/absent.rules"}, Vars());
    CHECK_FALSE(unreadable.ruleset);
    CHECK(unreadable.errors.size() == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("port lists are evaluated as ranges: negation, nesting, variables", "[rules][parity]") {
    Vars v;
    v.set("A=[1:100,!50]");
    const auto p = parse_ports("[$A,!1:10,200:300,![250:260]]", v);
    const std::vector<std::pair<uint16_t, uint16_t>> want{
        {11, 49}, {51, 100}, {200, 249}, {261, 300}};
    CHECK(p.ranges() == want);
    CHECK(parse_ports("!0:65534", v).ranges() ==
          std::vector<std::pair<uint16_t, uint16_t>>{{65535, 65535}});
    CHECK(parse_ports("[1:5,3:9,10]", v).ranges() ==
          std::vector<std::pair<uint16_t, uint16_t>>{{1, 10}});
    CHECK_THROWS_WITH(parse_ports("[1:5,!1:5]", v), Catch::Contains("matches no port"));
}
