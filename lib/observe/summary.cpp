#include "observe/summary.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "stats/json.hpp"

namespace pktsieve {

namespace {

template <unsigned P>
uint64_t rounded(const HyperLogLog<P>& h) {
    return static_cast<uint64_t>(std::llround(h.estimate()));
}

template <unsigned P>
std::string sketch_text(const HyperLogLog<P>& h) {
    return base64(h.registers().data(), h.registers().size());
}

void sources_json(std::string& out, const std::vector<SourceCount>& v, std::string_view count) {
    out += "[";
    for (size_t i = 0; i < v.size(); ++i)
        out += fmt::format("{}{{\"src_ip\":\"{}\",\"{}\":{}}}", i ? "," : "",
                           address_text(v[i].addr), count, v[i].count);
    out += "]";
}

void intel_json(std::string& out, IntelKind k, const std::vector<IntelRow>& rows) {
    out += fmt::format("\"{}\":[", intel_kind_name(k));
    for (size_t i = 0; i < rows.size(); ++i) {
        const IntelRow& r = rows[i];
        out += i ? ",{" : "{";
        switch (k) {
            case IntelKind::telnet_credentials:
                out += "\"username\":" + json_quote_untrusted(r.text.first()) +
                       ",\"password\":" + json_quote_untrusted(r.text.second());
                break;
            case IntelKind::proxy_targets:
                out += "\"target\":" + json_quote_untrusted(r.text.text());
                break;
            case IntelKind::traversal_targets:
                out += "\"file\":" + json_quote_untrusted(r.text.text());
                break;
            case IntelKind::rce_commands:
                out += "\"command\":" + json_quote_untrusted(r.text.text());
                break;
        }
        out += fmt::format(",\"count\":{}", r.count);
        if (r.error) out += fmt::format(",\"count_at_least\":{}", r.count - r.error);
        if (r.text.truncated) out += ",\"truncated\":true";
        out += "}";
    }
    out += "]";
}

}  // namespace

std::string address_text(const IpAddr& a) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(a.begin(), a.begin() + 12, kMapped))
        return fmt::format("{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
    return buf;
}

std::string base64(const uint8_t* data, size_t n) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    for (size_t i = 0; i < n; i += 3) {
        const uint32_t v = uint32_t{data[i]} << 16 | (i + 1 < n ? uint32_t{data[i + 1]} << 8 : 0) |
                           (i + 2 < n ? data[i + 2] : 0);
        out.push_back(kAlphabet[v >> 18]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
        out.push_back(i + 2 < n ? kAlphabet[v & 63] : '=');
    }
    return out;
}

ObservationSummary summarise(const Observation& o, const SummaryLimits& l) {
    ObservationSummary s;
    s.ports_seen = o.ports().size();
    std::vector<PortRow> rows;
    rows.reserve(o.ports().size());
    for (const uint32_t key : o.ports()) {
        PortRow r;
        r.key = key;
        r.accesses = o.accesses(key);
        if (const PortSketch* h = o.sources(key)) r.sources = static_cast<int64_t>(rounded(*h));
        s.accesses += r.accesses;
        rows.push_back(std::move(r));
    }
    std::sort(rows.begin(), rows.end(), [](const PortRow& a, const PortRow& b) {
        return a.accesses != b.accesses ? a.accesses > b.accesses : a.key < b.key;
    });
    if (l.ports && rows.size() > l.ports) {
        for (size_t i = l.ports; i < rows.size(); ++i) s.accesses_not_listed += rows[i].accesses;
        rows.resize(l.ports);
    }
    const auto pairs = o.pairs().top(o.pairs().size());
    for (size_t i = 0; i < rows.size() && i < l.ports_with_sketch && l.sketches; ++i)
        if (const PortSketch* h = o.sources(rows[i].key)) rows[i].sketch = sketch_text(*h);
    for (size_t i = 0; i < rows.size() && i < l.ports_with_sources; ++i) {
        for (const auto& p : pairs)
            if (p.key.port == rows[i].key && rows[i].top_sources.size() < l.sources_per_port)
                rows[i].top_sources.push_back({p.key.addr, p.count});
    }
    s.ports = std::move(rows);
    s.sensor_addresses = rounded(o.sensor_addresses());
    if (l.sketches) s.sensor_sketch = sketch_text(o.sensor_addresses());
    for (const ThreatObservation& t : o.threats()) {
        ThreatRow r;
        r.name = std::string(t.name_view());
        r.alerts = t.alerts;
        r.sources = rounded(t.sources);
        if (l.sketches) r.sketch = sketch_text(t.sources);
        for (const auto& it : t.top.top(l.sources_per_threat))
            r.top_sources.push_back({it.key.addr, it.count});
        s.threats.push_back(std::move(r));
    }
    std::sort(s.threats.begin(), s.threats.end(),
              [](const ThreatRow& a, const ThreatRow& b) { return a.name < b.name; });
    for (size_t k = 0; k < kIntelKinds; ++k)
        for (const auto& it : o.intel(static_cast<IntelKind>(k)).top(l.intel))
            s.intel[k].push_back({it.key, it.count, it.error});
    return s;
}

std::string observation_json(const ObservationSummary& s) {
    std::string out = fmt::format(
        "{{\"accesses\":{},\"ports_seen\":{},\"ports_not_listed\":{},\"accesses_not_listed\":{},"
        "\"sensor_addresses\":{}",
        s.accesses, s.ports_seen, s.ports_seen - s.ports.size(), s.accesses_not_listed,
        s.sensor_addresses);
    if (!s.sensor_sketch.empty()) out += ",\"sensor_addresses_hll\":\"" + s.sensor_sketch + "\"";
    out += ",\"ports\":[";
    for (size_t i = 0; i < s.ports.size(); ++i) {
        const PortRow& p = s.ports[i];
        out += fmt::format("{}{{\"proto\":\"{}\",\"port\":{},\"accesses\":{},\"sources\":{}",
                           i ? "," : "", port_key_proto(p.key) == kProtoUdp ? "udp" : "tcp",
                           port_key_port(p.key), p.accesses,
                           p.sources < 0 ? std::string("null") : std::to_string(p.sources));
        if (!p.sketch.empty()) out += ",\"sources_hll\":\"" + p.sketch + "\"";
        if (!p.top_sources.empty()) {
            out += ",\"top_sources\":";
            sources_json(out, p.top_sources, "accesses");
        }
        out += "}";
    }
    out += "],\"threats\":[";
    for (size_t i = 0; i < s.threats.size(); ++i) {
        const ThreatRow& t = s.threats[i];
        out += fmt::format("{}{{\"threat\":{},\"alerts\":{},\"sources\":{}", i ? "," : "",
                           json_quote_untrusted(t.name), t.alerts, t.sources);
        if (!t.sketch.empty()) out += ",\"sources_hll\":\"" + t.sketch + "\"";
        out += ",\"top_sources\":";
        sources_json(out, t.top_sources, "alerts");
        out += "}";
    }
    out += "],\"intel\":{";
    for (size_t k = 0; k < kIntelKinds; ++k) {
        if (k) out += ",";
        intel_json(out, static_cast<IntelKind>(k), s.intel[k]);
    }
    out += "}}";
    return out;
}

}  // namespace pktsieve

namespace pktsieve {

namespace {
// Table cells show attacker text escaped (no terminal control bytes), cut to `width`.
std::string cell(std::string_view raw, size_t width) {
    std::string q = json_quote_untrusted(raw);
    q = q.substr(1, q.size() - 2);
    if (q.size() > width) q = q.substr(0, width - 3) + "...";
    return q;
}
}  // namespace

std::string observation_table(const ObservationSummary& s, size_t top) {
    std::string o = fmt::format(
        "observations: {} accesses to {} ports of {} sensor address(es)\n"
        "{:<20} {:>12} {:>10}  {}\n",
        s.accesses, s.ports_seen, s.sensor_addresses, "top ports", "accesses", "sources",
        "top source");
    for (size_t i = 0; i < s.ports.size() && i < top; ++i) {
        const PortRow& p = s.ports[i];
        o += fmt::format("  {:<18} {:>12} {:>10}  {}\n",
                         fmt::format("{}/{}", port_key_port(p.key),
                                     port_key_proto(p.key) == kProtoUdp ? "udp" : "tcp"),
                         p.accesses, p.sources < 0 ? std::string("-") : std::to_string(p.sources),
                         p.top_sources.empty()
                             ? std::string()
                             : fmt::format("{} ({})", address_text(p.top_sources[0].addr),
                                           p.top_sources[0].count));
    }
    if (!s.threats.empty())
        o += fmt::format("{:<20} {:>12} {:>10}  {}\n", "threat", "alerts", "sources", "top source");
    for (const ThreatRow& t : s.threats)
        o += fmt::format("  {:<18} {:>12} {:>10}  {}\n", cell(t.name, 18), t.alerts, t.sources,
                         t.top_sources.empty()
                             ? std::string()
                             : fmt::format("{} ({})", address_text(t.top_sources[0].addr),
                                           t.top_sources[0].count));
    static constexpr const char* kTitles[kIntelKinds] = {
        "top Telnet credentials (user / password)", "top proxy targets (CONNECT, absolute URI)",
        "top traversal targets (file)", "top RCE commands (exec)"};
    for (size_t k = 0; k < kIntelKinds; ++k) {
        if (s.intel[k].empty()) continue;
        o += fmt::format("{:<56} {:>10}\n", kTitles[k], "count");
        for (size_t i = 0; i < s.intel[k].size() && i < top; ++i) {
            const IntelRow& r = s.intel[k][i];
            const std::string text =
                static_cast<IntelKind>(k) == IntelKind::telnet_credentials
                    ? cell(r.text.first(), 26) + " / " + cell(r.text.second(), 26)
                    : cell(r.text.text(), 54);
            o += fmt::format("  {:<54} {:>10}\n", text, r.count);
        }
    }
    return o;
}

}  // namespace pktsieve
