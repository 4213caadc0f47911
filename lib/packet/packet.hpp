// Parsed view of one frame: bytes in, headers out. Pure; no DPDK.
// Thread-safety: parse() is reentrant; a Packet is owned by the thread that filled it.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace pktsieve {

// Why a frame was not parsed. Order is the export order; keep kMalformedNames in step.
enum class Malformed : uint8_t {
    none = 0,
    truncated_l2,
    truncated_vlan,
    truncated_ipv4,
    bad_ip_version,
    bad_ihl,
    ipv4_total_len_short,
    ip_len_beyond_capture,
    truncated_ipv6,
    truncated_ipv6_ext,
    truncated_tcp,
    bad_tcp_data_offset,
    tcp_data_offset_beyond_packet,
    truncated_udp,
    bad_udp_len,
    count_
};
inline constexpr size_t kMalformedReasons = static_cast<size_t>(Malformed::count_) - 1;

// Name and help for each reason, indexed by reason - 1.
struct ReasonInfo {
    std::string_view name;
    std::string_view help;
};
extern const std::array<ReasonInfo, kMalformedReasons> kMalformedInfo;

// 16-byte address; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) so one CIDR test covers both.
using IpAddr = std::array<uint8_t, 16>;

// a == b in two 8-byte compares (std::array's == calls memcmp).
inline bool same_addr(const IpAddr& a, const IpAddr& b) {
    uint64_t x[2], y[2];
    std::memcpy(x, a.data(), 16);
    std::memcpy(y, b.data(), 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

enum class L3 : uint8_t { none, ipv4, ipv6 };

inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
// Packet::tcp_flags bits.
inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

struct Packet {
    const uint8_t* data = nullptr;
    uint32_t len = 0;
    L3 l3 = L3::none;
    uint8_t proto = 0;  // L4 protocol number (after IPv6 extension headers)
    uint8_t vlan_count = 0;
    uint8_t tcp_flags = 0;
    bool fragment = false;        // any IPv4/IPv6 fragment
    bool later_fragment = false;  // offset != 0: no L4 header, never scanned
    std::array<uint16_t, 2> vlan{};
    IpAddr src{};
    IpAddr dst{};
    uint16_t sport = 0;
    uint16_t dport = 0;
    uint32_t seq = 0;          // TCP sequence number
    uint32_t payload_off = 0;  // L4 payload (or IP payload for other protocols)
    uint32_t payload_len = 0;

    const uint8_t* payload() const { return data + payload_off; }
};

// What a captured frame begins with: an Ethernet header (NICs, most captures), a Linux cooked
// header (`tcpdump -i any`: SLL, 16 bytes; SLL2, 20 bytes), or the IP header itself (raw IP).
enum class LinkType : uint8_t { ethernet, linux_sll, linux_sll2, raw_ip };

// A pcap file's link type (pcap_datalink: DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
// DLT_IPV4, DLT_IPV6) as a LinkType; nullopt for any other.
std::optional<LinkType> link_type_of_dlt(int dlt);
const char* link_type_name(LinkType t);

// Parses a frame of `len` captured bytes that begins with a `link` header. Never reads past
// data + len. Returns Malformed::none on success; on failure the Packet is partially filled.
Malformed parse(const uint8_t* data, uint32_t len, Packet& out, LinkType link = LinkType::ethernet);

}  // namespace pktsieve
