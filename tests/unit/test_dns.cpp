// dns.query: the query name parser, bsize, and ET-style `alert dns` rules through the pipeline.
#include <catch2/catch.hpp>

#include "classify/pipeline.hpp"
#include "dns/query.hpp"
#include "frames.hpp"
#include "rules/parser.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {

// A DNS message: header (id, flags, counts) and one question for `name`.
std::string dns_message(const std::string& name, uint8_t flags_hi = 0x01, uint16_t qdcount = 1) {
    std::string m{'\x12',
                  '\x34',
                  static_cast<char>(flags_hi),
                  '\x00',
                  static_cast<char>(qdcount >> 8),
                  static_cast<char>(qdcount & 0xff),
                  0,
                  0,
                  0,
                  0,
                  0,
                  0};
    size_t start = 0;
    while (start <= name.size() && !name.empty()) {
        const size_t dot = std::min(name.find('.', start), name.size());
        m.push_back(static_cast<char>(dot - start));
        m += name.substr(start, dot - start);
        start = dot + 1;
    }
    m.push_back(0);
    m += std::string("\x00\x01\x00\x01", 4);  // A, IN
    return m;
}

Bytes udp(uint16_t dport, const std::string& payload) {
    FrameSpec f;
    f.proto = 17;
    f.sport = 53000;
    f.dport = dport;
    f.payload = payload;
    return frame(f);
}

std::vector<uint32_t> alerted_sids(const std::string& rules, const std::vector<Bytes>& frames) {
    auto load = parse_rules(rules, "dns.rules", Vars());
    if (!load.failed.empty()) FAIL(load.failed[0].str());
    REQUIRE(load.skipped.empty());
    auto rs = Ruleset::compile_strict(std::move(load.rules), 1);
    WorkerStats stats(rs->rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    {
        Pipeline p(*rs, 0, stats, *alerts, FlowTableConfig{1024});
        for (const auto& f : frames) p.process(f.data(), static_cast<uint32_t>(f.size()), 1);
    }
    std::vector<uint32_t> out;
    for (size_t i = 0; i < rs->rules().size(); ++i)
        for (uint64_t n = 0; n < stats.rules[i].alerts; ++n) out.push_back(rs->rules()[i].sid);
    return out;
}

}  // namespace

TEST_CASE("dns_query_name reads the first question of a query", "[dns]") {
    std::string name;
    CHECK(dns_query_name(dns_message("www.Example.com"), name));
    CHECK(name == "www.Example.com");
    CHECK(dns_query_name(dns_message(""), name));  // the root
    CHECK(name.empty());
    CHECK_FALSE(dns_query_name(dns_message("a.example", 0x81), name));     // a response
    CHECK_FALSE(dns_query_name(dns_message("a.example", 0x01, 0), name));  // no question
    auto cut = dns_message("a.example");
    cut.resize(cut.size() - 3);  // QTYPE/QCLASS cut off
    CHECK_FALSE(dns_query_name(cut, name));
    auto label_past_end = dns_message("abc");
    label_past_end[12] = 60;
    CHECK_FALSE(dns_query_name(label_past_end, name));
    auto pointer = dns_message("abc");
    pointer[12] = static_cast<char>(0xc0);
    CHECK_FALSE(dns_query_name(pointer, name));
    CHECK_FALSE(dns_query_name(std::string(11, '\0'), name));
    // Names are bounded at 255 bytes.
    std::string longest;
    for (int i = 0; i < 5; ++i) longest += (i ? "." : "") + std::string(60, 'a');
    CHECK_FALSE(dns_query_name(dns_message(longest), name));
}

TEST_CASE("alert dns rules match the query name, with endswith and bsize", "[dns]") {
    const std::string rules =
        // ET's most common shape.
        "alert dns $HOME_NET any -> any any (msg:\"domain\"; dns.query; "
        "content:\"evil.example\"; nocase; endswith; sid:1;)\n"
        // ET's bsize shape: the whole name, exactly.
        "alert dns $HOME_NET any -> any any (msg:\"exact\"; dns.query; bsize:11; "
        "content:\"bad.example\"; sid:2;)\n"
        // Legacy spelling, a depth on the name.
        "alert dns any any -> any any (msg:\"legacy\"; dns_query; content:\"xn--\"; depth:4; "
        "sid:3;)\n";
    CHECK(alerted_sids(rules, {udp(53, dns_message("www.EVIL.example"))}) ==
          std::vector<uint32_t>{1});
    CHECK(alerted_sids(rules, {udp(53, dns_message("evil.example.org"))}).empty());
    CHECK(alerted_sids(rules, {udp(53, dns_message("bad.example"))}) == std::vector<uint32_t>{2});
    CHECK(alerted_sids(rules, {udp(53, dns_message("www.bad.example"))}).empty());  // bsize
    CHECK(alerted_sids(rules, {udp(53, dns_message("xn--80ak6aa92e.com"))}) ==
          std::vector<uint32_t>{3});
    // Not a query, not port 53, or a response: nothing.
    CHECK(alerted_sids(rules, {udp(5353, dns_message("www.evil.example"))}).empty());
    CHECK(alerted_sids(rules, {udp(53, dns_message("www.evil.example", 0x81))}).empty());
    CHECK(alerted_sids(rules, {udp(53, "GET evil.example HTTP/1.0\r\n\r\n")}).empty());
}

TEST_CASE("bsize compares the length of its buffer", "[dns][rules]") {
    const auto sizes = [](const std::string& bsize, const std::string& name) {
        return !alerted_sids("alert dns any any -> any any (dns.query; content:\"a\"; bsize:" +
                                 bsize + "; sid:1;)\n",
                             {udp(53, dns_message(name))})
                    .empty();
    };
    CHECK(sizes("<5", "a.bc"));
    CHECK_FALSE(sizes("<5", "a.bcd"));
    CHECK(sizes(">3", "a.bc"));
    CHECK(sizes("3<>6", "a.bcd"));
    CHECK_FALSE(sizes("3<>6", "a.bcdef"));
    std::string why;
    try {
        parse_rule("alert tcp any any -> any 80 (content:\"a\"; bsize:3; sid:1;)", Vars());
    } catch (const SyntaxError& e) {
        why = e.what();
    }
    CHECK(why == "'bsize' needs a sticky buffer before it");
}
