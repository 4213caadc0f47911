#include <catch2/catch.hpp>

#include <string>

#include "control/report.hpp"
#include "stats/counters.hpp"
#include "stats/document_parts.hpp"
#include "stats/render.hpp"
#include "stats/reply_budget.hpp"
#include "stats/view.hpp"

using namespace pktsieve;

TEST_CASE("base64 round-trips any bytes and refuses what is not base64", "[document]") {
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    for (size_t n = 0; n <= all.size(); ++n) {
        const auto e = base64_encode(std::string_view(all).substr(0, n));
        CHECK(e.size() == (n + 2) / 3 * 4);
        REQUIRE(base64_decode(e) == all.substr(0, n));
    }
    CHECK(base64_encode("Man") == "TWFu");
    CHECK(base64_encode("Ma") == "TWE=");
    CHECK(base64_encode("M") == "TQ==");
    CHECK_FALSE(base64_decode("TWF"));       // length
    CHECK_FALSE(base64_decode("TW\"u"));     // alphabet
    CHECK_FALSE(base64_decode("T==="));      // padding where a byte must be
    CHECK_FALSE(base64_decode("TQ==TWFu"));  // padding before the end
}

TEST_CASE("the stats document is cut into telemetry-sized parts and assembled back", "[document]") {
    // A document as large as the ET Open set makes (15,000 rules), with quotes and UTF-8.
    StatsView v;
    for (uint32_t i = 0; i < 15000; ++i)
        v.rules.push_back({1, 2000000 + i, 1, "ET \"quoted\" r\xc3\xa9gle " + std::to_string(i),
                           "trojan-activity", i, i % 7, i % 3});
    v.workers.push_back({2, {}});
    const std::string text = render_json(v);
    const DocumentParts parts(42, text);
    CHECK(parts.generation() == 42);
    CHECK(parts.document_bytes() == text.size());
    CHECK(parts.parts() > 100);
    std::vector<std::string> pieces;
    for (size_t i = 0; i < parts.parts(); ++i) {
        const auto p = parts.part(i);
        REQUIRE(!p.empty());
        REQUIRE(p.size() <= DocumentParts::kPiecesPerPart);
        size_t reply = 0;
        for (auto s : p) {
            REQUIRE(s.size() <= DocumentParts::kPieceChars);
            reply += json_string_bytes(s);
            pieces.emplace_back(s);
        }
        REQUIRE(reply < 16 * 1024 - 512);  // one telemetry reply with its other fields
    }
    CHECK(assemble_document(pieces) == text);
    pieces.back().push_back('!');
    CHECK_THROWS_AS(assemble_document(pieces), ControlError);
    CHECK(DocumentParts(1, "").parts() == 1);
}

TEST_CASE("telemetry rows are listed only while they fit a reply", "[document]") {
    CHECK(json_string_bytes("abc") == 6);
    CHECK(json_string_bytes("a\"b") == 7);
    CHECK(json_string_bytes(std::string(500, 'x')) == 130);  // DPDK keeps 127 bytes
    CHECK(rows_within(0, 100, [](size_t) { return 10; }) == 0);
    CHECK(rows_within(5, 100, [](size_t) { return 10; }) == 5);
    CHECK(rows_within(50, 100, [](size_t) { return 10; }) == 10);
    CHECK(rows_within(3, 100, [](size_t) { return 1000; }) == 1);  // one row at least
}

TEST_CASE("the ctl table reads the stats document", "[document]") {
    StatsView v;
    v.total.rx_packets = 1234;
    v.total.alerts = 3;
    v.rules.push_back({1, 9000001, 1, "PKTSIEVE traversal", "es-traversal", 0, 5, 3});
    v.rules.push_back({1, 9000002, 1, "never hit", "es-rce", 1, 0, 0});
    v.port_alerts[9200] = 3;
    v.workers.push_back({4, {}});
    v.workers.back().counters.rx_packets = 1234;
    v.generation = 7;
    DaemonReport r;
    r.socket = "/run/x";
    r.info = {{"pid", 99}};
    r.text = render_json(v);
    r.document = nlohmann::ordered_json::parse(r.text);
    const std::string t = render_report(r, 10);
    CHECK_THAT(t, Catch::Contains("pktsieve pid 99 (/run/x)") &&
                      Catch::Contains("stats generation 7") && Catch::Contains("received 1234") &&
                      Catch::Contains("total 3") && Catch::Contains("9200") &&
                      Catch::Contains("1:9000001") && Catch::Contains("PKTSIEVE traversal"));
    CHECK_THAT(t, !Catch::Contains("never hit"));
}
