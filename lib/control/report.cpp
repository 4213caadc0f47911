#include "control/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include <arpa/inet.h>

#include "observe/summary.hpp"
#include "stats/document_parts.hpp"

namespace pktsieve {

namespace {

using Json = nlohmann::ordered_json;

uint64_t u64(const Json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<uint64_t>() : 0;
}

std::string str(const Json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// (key, value) of an object's members, largest `field` first, at most `top`.
std::vector<std::pair<std::string, const Json*>> ranked(const Json& obj, const char* field,
                                                        unsigned top) {
    std::vector<std::pair<std::string, const Json*>> out;
    if (!obj.is_object()) return out;
    for (auto it = obj.begin(); it != obj.end(); ++it) out.emplace_back(it.key(), &it.value());
    std::stable_sort(out.begin(), out.end(), [&](auto& a, auto& b) {
        return u64(*a.second, field) > u64(*b.second, field);
    });
    out.resize(std::min<size_t>(out.size(), top));
    return out;
}

IpAddr address_of(const std::string& text) {
    IpAddr a{};
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        a[10] = a[11] = 0xff;
        std::memcpy(a.data() + 12, &v4, 4);
    } else {
        inet_pton(AF_INET6, text.c_str(), a.data());
    }
    return a;
}

std::vector<SourceCount> sources_of(const Json& list, const char* count) {
    std::vector<SourceCount> out;
    if (list.is_array())
        for (const auto& x : list) out.push_back({address_of(str(x, "src_ip")), u64(x, count)});
    return out;
}

// The document's "observations.totals" (what observation_json wrote) as a summary again, so
// the table is the daemon's own (observation_table).
ObservationSummary summary_of(const Json& t) {
    ObservationSummary s;
    s.accesses = u64(t, "accesses");
    s.ports_seen = u64(t, "ports_seen");
    s.sensor_addresses = u64(t, "sensor_addresses");
    for (const auto& p : t.value("ports", Json::array())) {
        PortRow r;
        r.key = port_key(str(p, "proto") == "udp" ? kProtoUdp : kProtoTcp,
                         static_cast<uint16_t>(u64(p, "port")));
        r.accesses = u64(p, "accesses");
        r.sources =
            p.contains("sources") && p["sources"].is_number() ? p["sources"].get<int64_t>() : -1;
        r.top_sources = sources_of(p.value("top_sources", Json::array()), "accesses");
        s.ports.push_back(std::move(r));
    }
    for (const auto& x : t.value("threats", Json::array()))
        s.threats.push_back({str(x, "threat"), u64(x, "alerts"), u64(x, "sources"), "",
                             sources_of(x.value("top_sources", Json::array()), "alerts")});
    const Json& intel = t.value("intel", Json::object());
    for (size_t k = 0; k < kIntelKinds; ++k) {
        const auto kind = static_cast<IntelKind>(k);
        for (const auto& x : intel.value(std::string(intel_kind_name(kind)), Json::array())) {
            IntelRow r;
            if (kind == IntelKind::telnet_credentials)
                r.text = IntelText::pair(str(x, "username"), str(x, "password"));
            else
                r.text = IntelText::of(str(x, kind == IntelKind::proxy_targets       ? "target"
                                              : kind == IntelKind::traversal_targets ? "file"
                                                                                     : "command"));
            r.count = u64(x, "count");
            s.intel[k].push_back(r);
        }
    }
    return s;
}

}  // namespace

std::string assemble_document(const std::vector<std::string>& pieces) {
    std::string encoded;
    for (const auto& p : pieces) encoded += p;
    auto text = base64_decode(encoded);
    if (!text) throw ControlError("the daemon's stats document arrived damaged (not base64)");
    return *text;
}

std::string fetch_document(TelemetryClient& client, const std::string& command) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto first = client.query(command);
        const uint64_t generation = first.at("generation").get<uint64_t>();
        const size_t parts = first.at("parts").get<size_t>();
        std::vector<std::string> pieces = first.at("text").get<std::vector<std::string>>();
        bool stale = false;
        for (size_t i = 1; i < parts && !stale; ++i) {
            auto part = client.query(fmt::format("{},{},{}", command, generation, i));
            stale = part.contains("stale");
            if (stale) break;
            for (auto& s : part.at("text")) pieces.push_back(s.get<std::string>());
        }
        if (stale) continue;
        std::string text = assemble_document(pieces);
        if (text.size() != first.at("bytes").get<size_t>())
            throw ControlError("the daemon's " + command + " text arrived incomplete");
        return text;
    }
    throw ControlError("the daemon published faster than its " + command + " text could be read");
}

DaemonReport fetch_report(TelemetryClient& client, const std::string& socket) {
    DaemonReport r;
    r.socket = socket;
    r.info = client.info();
    r.text = fetch_document(client, "/pktsieve/document");
    r.document = Json::parse(r.text, nullptr, false);
    if (r.document.is_discarded()) throw ControlError("the daemon's stats document is not JSON");
    return r;
}

std::string render_report(const DaemonReport& r, unsigned top) {
    const Json& d = r.document;
    const Json& p = d["packets"];
    const Json& rs = d["ruleset"];
    std::string o = fmt::format(
        "pktsieve pid {} ({}), up {:.1f} s, stats generation {}\n"
        "distribution: {}\n",
        r.info.value("pid", 0), r.socket, d.value("elapsed_seconds", 0.0), u64(d, "generation"),
        str(d["distribution"], "mode"));
    o += fmt::format(
        "packets   received {}  parsed {}  malformed {}  bytes {}\n"
        "scan      packets {}  bytes {}\n"
        "alerts    total {}  unlogged {}\n"
        "rule set  generation {} ({})  rules {}  failed {}  skipped {}  reloads {}  rejected {}\n",
        u64(p, "received"), u64(p, "parsed"), u64(p, "malformed"), u64(p, "bytes"),
        u64(d["scan"], "packets"), u64(d["scan"], "bytes"), u64(d["alerts"], "total"),
        u64(d["alerts"], "unlogged"), u64(rs, "generation"), str(rs, "hash"), u64(rs, "rules"),
        u64(rs, "failed"), u64(rs, "skipped"), u64(rs, "reloads"), u64(rs, "reload_failures"));
    o += fmt::format("{:<10} {:>14} {:>16} {:>12}\n", "rate", "packets/s", "bits/s", "alerts/s");
    for (const auto& x : d["rates"])
        o += fmt::format("{:<10} {:>14.0f} {:>16.0f} {:>12.3f}\n",
                         fmt::format("{} s", u64(x, "window_seconds")),
                         x.value("packets_per_second", 0.0), x.value("bits_per_second", 0.0),
                         x.value("alerts_per_second", 0.0));
    o += fmt::format("{:<20} {:>10}\n", "threat", "alerts");
    for (auto it = d["threats"].begin(); it != d["threats"].end(); ++it)
        o += fmt::format("  {:<18} {:>10}\n", it.key(), u64(it.value(), "alerts"));
    o += fmt::format("{:<20} {:>10}\n", "dest port", "alerts");
    for (const auto& [port, v] : ranked(d["ports"], "alerts", top))
        o += fmt::format("  {:<18} {:>10}\n", port, u64(*v, "alerts"));
    o += fmt::format("{:<12} {:>12} {:>12} {:>12} {:>10}\n", "worker lcore", "received",
                     "malformed", "scanned", "alerts");
    for (const auto& w : d["workers"])
        o += fmt::format("  {:<10} {:>12} {:>12} {:>12} {:>10}\n", u64(w, "lcore"),
                         u64(w["packets"], "received"), u64(w["packets"], "malformed"),
                         u64(w["scan"], "packets"), u64(w["alerts"], "total"));
    o += fmt::format("{:<20} {:>10} {:>10}  {}\n", "top rules (gid:sid)", "hits", "alerts", "msg");
    for (const auto& [key, v] : ranked(d["rules"], "hits", top)) {
        if (u64(*v, "hits") == 0) break;
        o += fmt::format("  {:<18} {:>10} {:>10}  {}\n",
                         fmt::format("{}:{}", u64(*v, "gid"), u64(*v, "sid")), u64(*v, "hits"),
                         u64(*v, "alerts"), str(*v, "msg"));
    }
    o += "drops:\n";
    for (const auto& x : d["devices"])
        o += fmt::format("  device {:<12} imissed {}  ierrors {}  rx_nombuf {}\n", str(x, "name"),
                         u64(x, "imissed"), u64(x, "ierrors"), u64(x, "rx_nombuf"));
    for (const auto& x : d["distribution"]["rx_lcores"])
        o += fmt::format("  rx lcore {:<10} waits on full worker rings {}\n", u64(x, "lcore"),
                         u64(x, "ring_full_waits"));
    o += fmt::format("  alerts not logged {}\n", u64(d["alerts"], "unlogged"));
    if (d.contains("observations")) {
        const Json& ob = d["observations"];
        o += fmt::format("sensor {}: {} observation records of {} s written\n", str(ob, "sensor"),
                         u64(ob, "records"), u64(ob, "interval_seconds"));
        o += observation_table(summary_of(ob.value("totals", Json::object())), top);
    }
    return o;
}

}  // namespace pktsieve
