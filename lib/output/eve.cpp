#include "output/eve.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <ctime>
#include <map>
#include <vector>

#include "stats/json.hpp"

namespace pktsieve {

std::string eve_timestamp(uint64_t ts_us) {
    const time_t secs = static_cast<time_t>(ts_us / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+0000", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                       ts_us % 1000000);
}

std::string ip_string(const IpAddr& a, L3 l3) {
    char buf[INET6_ADDRSTRLEN];
    if (l3 == L3::ipv4) return fmt::format("{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
    return buf;
}

namespace {

std::string proto_name(uint8_t p) {
    switch (p) {
        case 6:
            return "TCP";
        case 17:
            return "UDP";
        case 1:
            return "ICMP";
        case 58:
            return "IPv6-ICMP";
        default:
            return std::to_string(p);
    }
}

// Suricata groups metadata values by key: {"cve": ["CVE_2015_3337"], ...}, keys in first-seen
// order.
std::string metadata_object(const Rule& r) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::string>> values;
    for (const auto& [k, v] : r.metadata) {
        if (!values.count(k)) order.push_back(k);
        values[k].push_back(v);
    }
    std::string o = "{";
    for (size_t i = 0; i < order.size(); ++i) {
        o += fmt::format("{}{}:[", i ? "," : "", json_quote(order[i]));
        const auto& vs = values[order[i]];
        for (size_t j = 0; j < vs.size(); ++j) o += (j ? "," : "") + json_quote(vs[j]);
        o += "]";
    }
    return o + "}";
}

}  // namespace

// Compact, as Suricata writes eve.json (and as the observation records are): no spaces.
std::string eve_alert(const AlertRecord& a, const Rule& r, unsigned worker_lcore) {
    std::string vlan;
    if (a.vlan_count) {
        vlan = fmt::format(",\"vlan\":[{}", a.vlan[0]);
        if (a.vlan_count > 1) vlan += fmt::format(",{}", a.vlan[1]);
        vlan += "]";
    }
    return fmt::format(
        "{{\"timestamp\":\"{}\",\"event_type\":\"alert\",\"src_ip\":\"{}\",\"src_port\":{},"
        "\"dest_ip\":\"{}\",\"dest_port\":{},\"proto\":\"{}\"{},\"alert\":{{\"action\":"
        "\"allowed\",\"gid\":{},\"signature_id\":{},\"rev\":{},\"signature\":{},\"category\":"
        "{},\"severity\":{},\"metadata\":{}}},\"pktsieve\":{{\"worker_lcore\":{}}}}}\n",
        eve_timestamp(a.ts_us), ip_string(a.src, a.l3), a.sport, ip_string(a.dst, a.l3), a.dport,
        proto_name(a.proto), vlan, r.gid, r.sid, r.rev, json_quote(r.msg), json_quote(r.category),
        r.severity, metadata_object(r), worker_lcore);
}

}  // namespace pktsieve
