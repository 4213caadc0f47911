#include "packet/packet.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace pktsieve {

const std::array<ReasonInfo, kMalformedReasons> kMalformedInfo{{
    {"truncated_l2", "frame shorter than its link-layer header (Ethernet, Linux cooked)"},
    {"truncated_vlan", "802.1Q/QinQ tag cut short"},
    {"truncated_ipv4", "fewer than 20 bytes for the IPv4 header"},
    {"bad_ip_version", "IP version field disagrees with the EtherType"},
    {"bad_ihl", "IPv4 header length below 5 words or beyond the capture"},
    {"ipv4_total_len_short", "IPv4 total length smaller than its header"},
    {"ip_len_beyond_capture", "IP total/payload length beyond the captured bytes"},
    {"truncated_ipv6", "fewer than 40 bytes for the IPv6 header"},
    {"truncated_ipv6_ext", "IPv6 extension header cut short"},
    {"truncated_tcp", "fewer than 20 bytes for the TCP header"},
    {"bad_tcp_data_offset", "TCP data offset below 5 words"},
    {"tcp_data_offset_beyond_packet", "TCP data offset beyond the IP payload"},
    {"truncated_udp", "fewer than 8 bytes for the UDP header"},
    {"bad_udp_len", "UDP length below 8 or beyond the IP payload"},
}};

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint16_t kEthVlan = 0x8100;
constexpr uint16_t kEthQinQ = 0x88a8;
constexpr uint16_t kEthQinQOld = 0x9100;

inline uint16_t be16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// Two 8-byte stores: the flow hash and key read the address as two 8-byte words, and a load
// spanning several smaller stores cannot be forwarded from them (a stall per packet).
inline void map_v4(IpAddr& a, const uint8_t* v4) {
    static_assert(std::endian::native == std::endian::little ||
                  std::endian::native == std::endian::big);
    uint32_t v;
    std::memcpy(&v, v4, 4);  // network order kept: the bytes land as they are
    const uint64_t low = 0;
    const uint64_t high = std::endian::native == std::endian::little
                              ? uint64_t{v} << 32 | 0xffff0000u
                              : uint64_t{0xffff} << 32 | v;
    std::memcpy(a.data(), &low, 8);
    std::memcpy(a.data() + 8, &high, 8);
}

// `end` is the end of the IP datagram (capture trimmed to the IP length, dropping padding).
Malformed parse_l4(Packet& p, uint32_t off, uint32_t end) {
    const uint32_t avail = end - off;
    if (p.proto == kProtoTcp) {
        if (avail < 20) return Malformed::truncated_tcp;
        const uint8_t* t = p.data + off;
        const uint32_t doff = static_cast<uint32_t>(t[12] >> 4) * 4;
        if (doff < 20) return Malformed::bad_tcp_data_offset;
        if (doff > avail) return Malformed::tcp_data_offset_beyond_packet;
        p.sport = be16(t);
        p.dport = be16(t + 2);
        p.tcp_flags = t[13];
        p.seq = be32(t + 4);
        p.payload_off = off + doff;
        p.payload_len = avail - doff;
        return Malformed::none;
    }
    if (p.proto == kProtoUdp) {
        if (avail < 8) return Malformed::truncated_udp;
        const uint8_t* u = p.data + off;
        const uint32_t ulen = be16(u + 4);
        // A first fragment carries only part of the datagram the UDP length describes.
        if (ulen < 8 || (ulen > avail && !p.fragment)) return Malformed::bad_udp_len;
        p.sport = be16(u);
        p.dport = be16(u + 2);
        p.payload_off = off + 8;
        p.payload_len = std::min(ulen, avail) - 8;
        return Malformed::none;
    }
    p.payload_off = off;
    p.payload_len = avail;
    return Malformed::none;
}

Malformed parse_ipv4(Packet& p, uint32_t off) {
    if (p.len - off < 20) return Malformed::truncated_ipv4;
    const uint8_t* ip = p.data + off;
    if (ip[0] >> 4 != 4) return Malformed::bad_ip_version;
    const uint32_t ihl = uint32_t{ip[0] & 0x0fu} * 4;
    if (ihl < 20 || ihl > p.len - off) return Malformed::bad_ihl;
    const uint32_t total = be16(ip + 2);
    if (total < ihl) return Malformed::ipv4_total_len_short;
    if (total > p.len - off) return Malformed::ip_len_beyond_capture;
    p.l3 = L3::ipv4;
    p.proto = ip[9];
    map_v4(p.src, ip + 12);
    map_v4(p.dst, ip + 16);
    const uint16_t frag = be16(ip + 6);
    const bool more = frag & 0x2000;
    const uint16_t frag_off = frag & 0x1fff;
    p.fragment = more || frag_off != 0;
    p.later_fragment = frag_off != 0;
    const uint32_t end = off + total;
    if (p.later_fragment) {
        p.payload_off = off + ihl;
        p.payload_len = 0;
        return Malformed::none;
    }
    return parse_l4(p, off + ihl, end);
}

bool is_ipv6_ext(uint8_t nh) {
    return nh == 0 || nh == 43 || nh == 60 || nh == 44;
}

Malformed parse_ipv6(Packet& p, uint32_t off) {
    if (p.len - off < 40) return Malformed::truncated_ipv6;
    const uint8_t* ip = p.data + off;
    if (ip[0] >> 4 != 6) return Malformed::bad_ip_version;
    const uint32_t plen = be16(ip + 4);
    if (plen > p.len - off - 40) return Malformed::ip_len_beyond_capture;
    p.l3 = L3::ipv6;
    std::memcpy(p.src.data(), ip + 8, 16);
    std::memcpy(p.dst.data(), ip + 24, 16);
    const uint32_t end = off + 40 + plen;
    uint8_t nh = ip[6];
    uint32_t cur = off + 40;
    // Each extension header consumes at least 8 bytes, so the loop is bounded by the length.
    while (is_ipv6_ext(nh)) {
        if (end - cur < 8) return Malformed::truncated_ipv6_ext;
        const uint8_t* e = p.data + cur;
        if (nh == 44) {
            const uint16_t fo = be16(e + 2);
            p.fragment = true;
            p.later_fragment = (fo >> 3) != 0;
            nh = e[0];
            cur += 8;
            if (p.later_fragment) {
                p.proto = nh;
                p.payload_off = cur;
                p.payload_len = 0;
                return Malformed::none;
            }
            continue;
        }
        const uint32_t elen = (uint32_t{e[1]} + 1) * 8;
        if (elen > end - cur) return Malformed::truncated_ipv6_ext;
        nh = e[0];
        cur += elen;
    }
    p.proto = nh;
    return parse_l4(p, cur, end);
}

// Ethernet, IPv4 without options or fragmentation, TCP: most of what a sensor sees, parsed in
// one pass with every field written once (the general path below clears the packet first and
// checks each layer apart). False, touching nothing, for anything else.
bool parse_plain_tcp4(const uint8_t* data, uint32_t len, Packet& out) {
    if (len < 14 + 20 + 20 || be16(data + 12) != kEthIpv4) return false;
    const uint8_t* ip = data + 14;
    const uint32_t total = be16(ip + 2);
    if (ip[0] != 0x45 || ip[9] != kProtoTcp || (be16(ip + 6) & 0x3fff) != 0 || total < 40 ||
        total > len - 14)
        return false;
    const uint8_t* t = ip + 20;
    const uint32_t doff = static_cast<uint32_t>(t[12] >> 4) * 4;
    if (doff < 20 || doff > total - 20) return false;
    out.data = data;
    out.len = len;
    out.l3 = L3::ipv4;
    out.proto = kProtoTcp;
    out.vlan_count = 0;
    out.tcp_flags = t[13];
    out.fragment = false;
    out.later_fragment = false;
    out.vlan = {};
    map_v4(out.src, ip + 12);
    map_v4(out.dst, ip + 16);
    out.sport = be16(t);
    out.dport = be16(t + 2);
    out.seq = be32(t + 4);
    out.payload_off = 14 + 20 + doff;
    out.payload_len = total - 20 - doff;
    return true;
}

}  // namespace

std::optional<LinkType> link_type_of_dlt(int dlt) {
    switch (dlt) {
        case 1:  // DLT_EN10MB
            return LinkType::ethernet;
        case 113:  // DLT_LINUX_SLL
            return LinkType::linux_sll;
        case 276:  // DLT_LINUX_SLL2
            return LinkType::linux_sll2;
        case 12:   // DLT_RAW (LINKTYPE_RAW 101 in the file)
        case 14:   // DLT_RAW on OpenBSD
        case 101:  // LINKTYPE_RAW, should a reader pass it through
        case 228:  // DLT_IPV4
        case 229:  // DLT_IPV6
            return LinkType::raw_ip;
        default:
            return std::nullopt;
    }
}

const char* link_type_name(LinkType t) {
    switch (t) {
        case LinkType::ethernet:
            return "Ethernet";
        case LinkType::linux_sll:
            return "Linux cooked (SLL)";
        case LinkType::linux_sll2:
            return "Linux cooked v2 (SLL2)";
        case LinkType::raw_ip:
            return "raw IP";
    }
    return "?";
}

Malformed parse(const uint8_t* data, uint32_t len, Packet& out, LinkType link) {
    if (link == LinkType::ethernet && parse_plain_tcp4(data, len, out)) return Malformed::none;
    out = Packet{};
    out.data = data;
    out.len = len;
    uint32_t off = 0;
    uint16_t type = 0;
    switch (link) {
        case LinkType::ethernet:
            if (len < 14) return Malformed::truncated_l2;
            type = be16(data + 12);
            off = 14;
            break;
        case LinkType::linux_sll:  // packet type, ARPHRD, address length, address[8], protocol
            if (len < 16) return Malformed::truncated_l2;
            type = be16(data + 14);
            off = 16;
            break;
        case LinkType::linux_sll2:  // protocol, reserved, ifindex, ARPHRD, type, length, address
            if (len < 20) return Malformed::truncated_l2;
            type = be16(data);
            off = 20;
            break;
        case LinkType::raw_ip:
            if (len < 1) return Malformed::truncated_l2;
            if (data[0] >> 4 == 4) return parse_ipv4(out, 0);
            if (data[0] >> 4 == 6) return parse_ipv6(out, 0);
            return Malformed::bad_ip_version;
    }
    while (type == kEthVlan || type == kEthQinQ || type == kEthQinQOld) {
        if (len - off < 4) return Malformed::truncated_vlan;
        if (out.vlan_count < out.vlan.size())
            out.vlan[out.vlan_count++] = be16(data + off) & 0x0fff;
        type = be16(data + off + 2);
        off += 4;
    }
    if (type == kEthIpv4) return parse_ipv4(out, off);
    if (type == kEthIpv6) return parse_ipv6(out, off);
    return Malformed::none;  // not IP: parsed, counted as non-IP, never scanned
}

}  // namespace pktsieve
