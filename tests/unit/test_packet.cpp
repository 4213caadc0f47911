#include <catch2/catch.hpp>

#include <random>
#include <unordered_set>

#include "frames.hpp"
#include "packet/packet.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {
Malformed parse_bytes(const Bytes& b, Packet& p) {
    return parse(b.data(), static_cast<uint32_t>(b.size()), p);
}
}  // namespace

TEST_CASE("parser reads Ethernet/IPv4/TCP with payload", "[packet]") {
    FrameSpec f;
    f.payload = "GET / HTTP/1.1\r\n\r\n";
    const Bytes b = frame(f);
    Packet p;
    REQUIRE(parse_bytes(b, p) == Malformed::none);
    CHECK(p.l3 == L3::ipv4);
    CHECK(p.proto == kProtoTcp);
    CHECK(p.sport == 40000);
    CHECK(p.dport == 9200);
    CHECK(p.tcp_flags == 0x18);
    CHECK(p.payload_len == f.payload.size());
    CHECK(std::string(reinterpret_cast<const char*>(p.payload()), p.payload_len) == f.payload);
    CHECK(p.src[10] == 0xff);
    CHECK(p.src[12] == 203);
    CHECK(p.dst[15] == 20);
}

TEST_CASE("parser trims Ethernet padding using the IP length", "[packet]") {
    FrameSpec f;
    f.payload = "ab";
    Bytes b = frame(f);
    b.resize(b.size() + 10, 0);
    Packet p;
    REQUIRE(parse_bytes(b, p) == Malformed::none);
    CHECK(p.payload_len == 2);
}

TEST_CASE("parser handles 802.1Q and QinQ", "[packet]") {
    FrameSpec f;
    f.vlans = {100, 200};
    f.payload = "x";
    const Bytes b = frame(f);
    Packet p;
    REQUIRE(parse_bytes(b, p) == Malformed::none);
    CHECK(p.vlan_count == 2);
    CHECK(p.vlan[0] == 100);
    CHECK(p.vlan[1] == 200);
    CHECK(p.dport == 9200);
}

TEST_CASE("parser reads IPv6 with extension headers", "[packet]") {
    FrameSpec f;
    f.ipv6 = true;
    f.payload = "hello";
    Bytes b = frame(f);
    // Insert a hop-by-hop (8 bytes) and a destination-options header (16 bytes) before TCP.
    const size_t ip = 14, l4 = ip + 40;
    Bytes ext = {6, 0, 1, 4, 0, 0, 0, 0};
    ext[0] = 60;
    Bytes dst = {6, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    b.insert(b.begin() + l4, dst.begin(), dst.end());
    b.insert(b.begin() + l4, ext.begin(), ext.end());
    b[ip + 6] = 0;  // next header: hop-by-hop
    const uint16_t plen = static_cast<uint16_t>(b.size() - l4);
    b[ip + 4] = static_cast<uint8_t>(plen >> 8);
    b[ip + 5] = static_cast<uint8_t>(plen);
    Packet p;
    REQUIRE(parse_bytes(b, p) == Malformed::none);
    CHECK(p.l3 == L3::ipv6);
    CHECK(p.proto == kProtoTcp);
    CHECK(p.payload_len == 5);
    CHECK(p.src[0] == 0x20);
}

TEST_CASE("IPv4 fragments are flagged; later fragments carry no L4", "[packet]") {
    FrameSpec f;
    f.payload = "abcdefgh";
    f.frag = 0x2000;  // MF, offset 0
    Packet p;
    REQUIRE(parse_bytes(frame(f), p) == Malformed::none);
    CHECK(p.fragment);
    CHECK_FALSE(p.later_fragment);
    CHECK(p.dport == 9200);
    f.frag = 0x0010;  // offset 16 * 8
    REQUIRE(parse_bytes(frame(f), p) == Malformed::none);
    CHECK(p.fragment);
    CHECK(p.later_fragment);
    CHECK(p.payload_len == 0);
    CHECK(p.dport == 0);
}

TEST_CASE("IPv6 fragment header: later fragments not parsed further", "[packet]") {
    FrameSpec f;
    f.ipv6 = true;
    f.payload = "abc";
    Bytes b = frame(f);
    const size_t ip = 14, l4 = ip + 40;
    Bytes frag = {6, 0, 0, 0x08, 0, 0, 0, 1};  // offset 1 (8 bytes)
    b.insert(b.begin() + l4, frag.begin(), frag.end());
    b[ip + 6] = 44;
    b[ip + 5] = static_cast<uint8_t>(b[ip + 5] + 8);
    Packet p;
    REQUIRE(parse_bytes(b, p) == Malformed::none);
    CHECK(p.later_fragment);
    CHECK(p.proto == kProtoTcp);
}

TEST_CASE("non-IP frames parse as L3 none", "[packet]") {
    Bytes b(12, 0);
    put16(b, 0x0806);
    b.resize(42, 0);
    Packet p;
    REQUIRE(parse_bytes(b, p) == Malformed::none);
    CHECK(p.l3 == L3::none);
}

TEST_CASE("every malformed reason is detected", "[packet]") {
    FrameSpec tcp;
    tcp.payload = "data";
    const Bytes good = frame(tcp);
    auto with = [&](auto edit) {
        Bytes b = good;
        edit(b);
        return b;
    };
    const size_t ip = 14, l4 = 34;
    FrameSpec udp;
    udp.proto = 17;
    udp.payload = "abcd";
    const Bytes goodu = frame(udp);
    FrameSpec v6;
    v6.ipv6 = true;
    const Bytes good6 = frame(v6);
    struct Case {
        Malformed want;
        Bytes bytes;
    };
    std::vector<Case> cases = {
        {Malformed::truncated_l2, Bytes(good.begin(), good.begin() + 13)},
        {Malformed::truncated_vlan,
         [] {
             Bytes b(12, 0);
             put16(b, 0x8100);
             b.push_back(0);
             return b;
         }()},
        {Malformed::truncated_ipv4, Bytes(good.begin(), good.begin() + ip + 19)},
        {Malformed::bad_ip_version, with([&](Bytes& b) { b[ip] = 0x55; })},
        {Malformed::bad_ihl, with([&](Bytes& b) { b[ip] = 0x44; })},
        {Malformed::bad_ihl, with([&](Bytes& b) {
             b[ip] = 0x4f;
             b.resize(ip + 40);
             b[ip + 2] = 0;
             b[ip + 3] = 40;
         })},
        {Malformed::ipv4_total_len_short, with([&](Bytes& b) {
             b[ip + 2] = 0;
             b[ip + 3] = 19;
         })},
        {Malformed::ip_len_beyond_capture, with([&](Bytes& b) { b[ip + 2] = 0x05; })},
        {Malformed::truncated_ipv6, Bytes(good6.begin(), good6.begin() + ip + 39)},
        {Malformed::ip_len_beyond_capture,
         [&] {
             Bytes b = good6;
             b[ip + 4] = 0x10;
             return b;
         }()},
        {Malformed::truncated_ipv6_ext,
         [&] {
             Bytes b = good6;
             b[ip + 6] = 0;
             b.resize(ip + 44);
             b[ip + 4] = 0;
             b[ip + 5] = 4;
             return b;
         }()},
        {Malformed::truncated_tcp, with([&](Bytes& b) {
             b.resize(l4 + 19);
             b[ip + 2] = 0;
             b[ip + 3] = 39;
         })},
        {Malformed::bad_tcp_data_offset, with([&](Bytes& b) { b[l4 + 12] = 0x40; })},
        {Malformed::tcp_data_offset_beyond_packet, with([&](Bytes& b) { b[l4 + 12] = 0xf0; })},
        {Malformed::truncated_udp,
         [&] {
             Bytes b = goodu;
             b.resize(l4 + 7);
             b[ip + 2] = 0;
             b[ip + 3] = 27;
             return b;
         }()},
        {Malformed::bad_udp_len,
         [&] {
             Bytes b = goodu;
             b[l4 + 5] = 7;
             return b;
         }()},
        {Malformed::bad_udp_len,
         [&] {
             Bytes b = goodu;
             b[l4 + 5] = 200;
             return b;
         }()},
    };
    for (const auto& c : cases) {
        Packet p;
        INFO("expected " << kMalformedInfo[static_cast<size_t>(c.want) - 1].name);
        CHECK(parse_bytes(c.bytes, p) == c.want);
    }
    // The table covers every reason exactly once.
    CHECK(kMalformedInfo.size() == kMalformedReasons);
}

TEST_CASE("parser never reads past the capture: every prefix of a frame is safe", "[packet]") {
    FrameSpec f;
    f.vlans = {5};
    f.payload = "GET /_plugin/head/../ HTTP/1.1";
    const Bytes b = frame(f);
    for (size_t n = 0; n <= b.size(); ++n) {
        // A copy of exactly n bytes: ASan catches any read past it.
        Bytes cut(b.begin(), b.begin() + static_cast<long>(n));
        Packet p;
        const Malformed m = parse(cut.data(), static_cast<uint32_t>(cut.size()), p);
        if (n < b.size())
            CHECK(m != Malformed::none);
        else
            CHECK(m == Malformed::none);
    }
}

#include "packet/flow_hash.hpp"

TEST_CASE("flow hash is symmetric and separates flows", "[packet][hash]") {
    FrameSpec f;
    f.payload = "x";
    Packet a, b;
    REQUIRE(parse_bytes(frame(f), a) == Malformed::none);
    FrameSpec r = f;
    std::swap(r.src4, r.dst4);
    std::swap(r.sport, r.dport);
    REQUIRE(parse_bytes(frame(r), b) == Malformed::none);
    CHECK(symmetric_flow_hash(a) == symmetric_flow_hash(b));
    FrameSpec other = f;
    other.sport = 40001;
    Packet c;
    REQUIRE(parse_bytes(frame(other), c) == Malformed::none);
    CHECK(symmetric_flow_hash(a) != symmetric_flow_hash(c));
    FrameSpec vlan = f;
    vlan.vlans = {7};
    Packet d;
    REQUIRE(parse_bytes(frame(vlan), d) == Malformed::none);
    CHECK(symmetric_flow_hash(a) != symmetric_flow_hash(d));
    // 4096 client ports over 4 workers: every worker gets a fair share.
    std::array<int, 4> load{};
    for (uint16_t port = 1024; port < 1024 + 4096; ++port) {
        FrameSpec s = f;
        s.sport = port;
        Packet p;
        REQUIRE(parse_bytes(frame(s), p) == Malformed::none);
        ++load[symmetric_flow_hash(p) % 4];
    }
    for (int n : load) CHECK((n > 900 && n < 1150));
}

TEST_CASE("all fragments of a datagram hash alike", "[packet][hash]") {
    FrameSpec f;
    f.proto = 17;
    f.payload = "abcdefgh";
    f.frag = 0x2000;
    Packet first, later;
    REQUIRE(parse_bytes(frame(f), first) == Malformed::none);
    f.frag = 0x0001;
    REQUIRE(parse_bytes(frame(f), later) == Malformed::none);
    CHECK(symmetric_flow_hash(first) == symmetric_flow_hash(later));
}

TEST_CASE("Linux cooked (SLL, SLL2) and raw IP frames parse as their Ethernet twin",
          "[packet][link]") {
    for (const bool v6 : {false, true}) {
        FrameSpec spec;
        spec.ipv6 = v6;
        spec.payload = "GET / HTTP/1.1\r\n\r\n";
        const Bytes eth = frame(spec);
        const Bytes ip(eth.begin() + 14, eth.end());
        const uint8_t proto_hi = v6 ? 0x86 : 0x08, proto_lo = v6 ? 0xdd : 0x00;
        Bytes sll = {0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0, proto_hi, proto_lo};
        sll.insert(sll.end(), ip.begin(), ip.end());
        Bytes sll2 = {proto_hi, proto_lo, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0};
        sll2.insert(sll2.end(), ip.begin(), ip.end());
        Packet want;
        REQUIRE(parse(eth.data(), static_cast<uint32_t>(eth.size()), want) == Malformed::none);
        for (const auto& [bytes, link] :
             {std::pair{sll, LinkType::linux_sll}, std::pair{sll2, LinkType::linux_sll2},
              std::pair{ip, LinkType::raw_ip}}) {
            Packet p;
            REQUIRE(parse(bytes.data(), static_cast<uint32_t>(bytes.size()), p, link) ==
                    Malformed::none);
            CHECK(p.l3 == want.l3);
            CHECK(p.src == want.src);
            CHECK(p.dst == want.dst);
            CHECK(p.sport == want.sport);
            CHECK(p.dport == want.dport);
            CHECK(p.payload_len == want.payload_len);
            CHECK(std::string(reinterpret_cast<const char*>(p.payload()), p.payload_len) ==
                  spec.payload);
        }
    }
    Packet p;
    const uint8_t short_sll[15] = {};
    CHECK(parse(short_sll, sizeof short_sll, p, LinkType::linux_sll) == Malformed::truncated_l2);
    const uint8_t not_ip[20] = {0x50};
    CHECK(parse(not_ip, sizeof not_ip, p, LinkType::raw_ip) == Malformed::bad_ip_version);
    CHECK(link_type_of_dlt(113) == LinkType::linux_sll);
    CHECK(link_type_of_dlt(276) == LinkType::linux_sll2);
    CHECK(link_type_of_dlt(12) == LinkType::raw_ip);
    CHECK(link_type_of_dlt(1) == LinkType::ethernet);
    CHECK_FALSE(link_type_of_dlt(105));  // 802.11
}

TEST_CASE("flow hashes of many neighbouring flows do not collide", "[packet][hash]") {
    // A sensor's flows: sources from one network, random client ports, a few server ports.
    // Every one of 200,000 distinct flows must hash apart (a chance collision among 64-bit
    // hashes is ~1e-9); an earlier draft XORed the port into the address's bits and merged
    // 12 % of such flows.
    std::mt19937 rng(5);
    std::unordered_set<uint64_t> seen;
    for (const bool v6 : {false, true})
        for (uint32_t i = 0; i < 100000; ++i) {
            Packet p;
            p.l3 = v6 ? L3::ipv6 : L3::ipv4;
            p.proto = kProtoTcp;
            if (v6) {
                p.src = {0x20, 0x01, 0x0d, 0xb8};
                p.dst = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            } else {
                p.src = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0};
                p.dst = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 20};
            }
            p.src[14] = static_cast<uint8_t>(i >> 8);
            p.src[15] = static_cast<uint8_t>(i);
            p.src[13] = static_cast<uint8_t>(i >> 16);
            p.sport = static_cast<uint16_t>(1024 + rng() % 60000);
            p.dport = std::array<uint16_t, 4>{80, 23, 9200, 8080}[i % 4];
            seen.insert(symmetric_flow_hash(p));
        }
    CHECK(seen.size() == 200000);
}

// Ethernet/IPv4/TCP frames take a one-pass path; the same IP bytes behind a Linux cooked
// header take the general one. Over many mutations of their headers (options, fragments,
// lengths, data offsets, other protocols, VLAN tags, padding) both must read the same.
TEST_CASE("the plain TCP/IPv4 path reads every frame as the general path does", "[packet][link]") {
    FrameSpec spec;
    spec.payload = "GET / HTTP/1.1\r\n\r\n";
    const Bytes base = frame(spec);
    std::mt19937 rng(7);
    size_t plain = 0;
    for (int n = 0; n < 200000; ++n) {
        Bytes eth = base;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            // Mostly the bytes the fast path decides on: EtherType, version/IHL, lengths,
            // fragment field, protocol, data offset.
            static constexpr size_t kHot[] = {12, 13, 14, 16, 17, 20, 21, 23, 46};
            const size_t at = rng() % 4 ? kHot[rng() % std::size(kHot)] : rng() % eth.size();
            eth[at] = static_cast<uint8_t>(rng() % 3 ? rng() : eth[at] ^ (1u << (rng() % 8)));
        }
        if (rng() % 8 == 0) eth.resize(rng() % (eth.size() + 16), 0);  // cut short or padded
        Bytes sll = {0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0};
        if (eth.size() >= 14) {
            sll.insert(sll.end(), eth.begin() + 12, eth.end());
        } else {
            sll.clear();
        }
        Packet a, b;
        const Malformed ma = parse(eth.data(), static_cast<uint32_t>(eth.size()), a);
        if (sll.empty()) {
            CHECK(ma == Malformed::truncated_l2);
            continue;
        }
        const Malformed mb =
            parse(sll.data(), static_cast<uint32_t>(sll.size()), b, LinkType::linux_sll);
        REQUIRE(ma == mb);
        if (ma != Malformed::none) continue;
        plain += a.l3 == L3::ipv4 && a.proto == kProtoTcp && !a.fragment;
        REQUIRE(a.l3 == b.l3);
        REQUIRE(a.proto == b.proto);
        REQUIRE(a.vlan_count == b.vlan_count);
        REQUIRE(a.vlan == b.vlan);
        REQUIRE(a.tcp_flags == b.tcp_flags);
        REQUIRE(a.fragment == b.fragment);
        REQUIRE(a.later_fragment == b.later_fragment);
        REQUIRE(a.src == b.src);
        REQUIRE(a.dst == b.dst);
        REQUIRE(a.sport == b.sport);
        REQUIRE(a.dport == b.dport);
        REQUIRE(a.seq == b.seq);
        REQUIRE(a.payload_len == b.payload_len);
        if (a.l3 != L3::none)  // the cooked header is 2 bytes longer
            REQUIRE(a.payload_off + 2 == b.payload_off);
        REQUIRE(a.len + 2 == b.len);
    }
    CHECK(plain > 20000);  // the plain path was taken often, and so were the others
}
