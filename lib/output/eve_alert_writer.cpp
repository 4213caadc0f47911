#include "output/eve_alert_writer.hpp"

#include <arpa/inet.h>

#include <ctime>
#include <map>
#include <string_view>
#include <vector>

#include "stats/json.hpp"

namespace pktsieve {

namespace {

std::string_view proto_name(uint8_t p) {
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
            return {};
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

inline void append(fmt::memory_buffer& out, std::string_view s) {
    out.append(s.data(), s.data() + s.size());
}

// Decimal without fmt's format-string parsing: the hot part of a line is numbers.
inline void append_uint(fmt::memory_buffer& out, uint32_t v) {
    char buf[10];
    char* e = buf + sizeof buf;
    char* p = e;
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    out.append(p, e);
}

void append_ip(fmt::memory_buffer& out, const IpAddr& a, L3 l3) {
    if (l3 == L3::ipv4) {
        for (int i = 12; i < 16; ++i) {
            if (i > 12) out.push_back('.');
            append_uint(out, a[i]);
        }
        return;
    }
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
    append(out, buf);
}

}  // namespace

std::string EveAlertWriter::rule_json(const Rule& r) {
    return fmt::format(
        "\"alert\":{{\"action\":\"allowed\",\"gid\":{},\"signature_id\":{},\"rev\":{},"
        "\"signature\":{},\"category\":{},\"severity\":{},\"metadata\":{}}}",
        r.gid, r.sid, r.rev, json_quote(r.msg), json_quote(r.category), r.severity,
        metadata_object(r));
}

void EveAlertWriter::append_timestamp(fmt::memory_buffer& out, uint64_t ts_us) {
    const uint64_t second = ts_us / 1000000;
    if (second != second_) {
        const time_t secs = static_cast<time_t>(second);
        std::tm tm{};
        gmtime_r(&secs, &tm);
        // Years past 9999 (a NIC's clock can say anything) take more digits: never cut.
        date_time_len_ = static_cast<uint32_t>(
            fmt::format_to_n(date_time_, sizeof date_time_, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                             static_cast<int64_t>(tm.tm_year) + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec)
                .size);
        second_ = second;
    }
    out.append(date_time_, date_time_ + date_time_len_);
    char frac[8] = {'.', '0', '0', '0', '0', '0', '0', '+'};
    for (uint32_t v = static_cast<uint32_t>(ts_us % 1000000), i = 6; i > 0; v /= 10, --i)
        frac[i] = static_cast<char>('0' + v % 10);
    out.append(frac, frac + sizeof frac);
    pktsieve::append(out, "0000");
}

void EveAlertWriter::append(fmt::memory_buffer& out, const AlertRecord& a, const Rule& r,
                            unsigned lcore, std::string& rule_json) {
    if (rule_json.empty()) rule_json = EveAlertWriter::rule_json(r);
    pktsieve::append(out, "{\"timestamp\":\"");
    append_timestamp(out, a.ts_us);
    pktsieve::append(out, "\",\"event_type\":\"alert\",\"src_ip\":\"");
    append_ip(out, a.src, a.l3);
    pktsieve::append(out, "\",\"src_port\":");
    append_uint(out, a.sport);
    pktsieve::append(out, ",\"dest_ip\":\"");
    append_ip(out, a.dst, a.l3);
    pktsieve::append(out, "\",\"dest_port\":");
    append_uint(out, a.dport);
    pktsieve::append(out, ",\"proto\":\"");
    const std::string_view proto = proto_name(a.proto);
    if (proto.empty())
        append_uint(out, a.proto);
    else
        pktsieve::append(out, proto);
    out.push_back('"');
    if (a.vlan_count) {
        pktsieve::append(out, ",\"vlan\":[");
        append_uint(out, a.vlan[0]);
        if (a.vlan_count > 1) {
            out.push_back(',');
            append_uint(out, a.vlan[1]);
        }
        out.push_back(']');
    }
    out.push_back(',');
    pktsieve::append(out, rule_json);
    pktsieve::append(out, ",\"pktsieve\":{\"worker_lcore\":");
    append_uint(out, lcore);
    pktsieve::append(out, "}}\n");
}

}  // namespace pktsieve
