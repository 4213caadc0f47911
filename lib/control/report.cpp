#include "control/report.hpp"

#include <fmt/format.h>

#include <algorithm>

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

}  // namespace

std::string assemble_document(const std::vector<std::string>& pieces) {
    std::string encoded;
    for (const auto& p : pieces) encoded += p;
    auto text = base64_decode(encoded);
    if (!text) throw ControlError("the daemon's stats document arrived damaged (not base64)");
    return *text;
}

DaemonReport fetch_report(TelemetryClient& client, const std::string& socket) {
    DaemonReport r;
    r.socket = socket;
    r.info = client.info();
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto first = client.query("/pktsieve/document");
        const uint64_t generation = first.at("generation").get<uint64_t>();
        const size_t parts = first.at("parts").get<size_t>();
        std::vector<std::string> pieces = first.at("text").get<std::vector<std::string>>();
        bool stale = false;
        for (size_t i = 1; i < parts && !stale; ++i) {
            auto part = client.query(fmt::format("/pktsieve/document,{},{}", generation, i));
            stale = part.contains("stale");
            if (stale) break;
            for (auto& s : part.at("text")) pieces.push_back(s.get<std::string>());
        }
        if (stale) continue;
        r.text = assemble_document(pieces);
        if (r.text.size() != first.at("bytes").get<size_t>())
            throw ControlError("the daemon's stats document arrived incomplete");
        r.document = Json::parse(r.text, nullptr, false);
        if (r.document.is_discarded())
            throw ControlError("the daemon's stats document is not JSON");
        return r;
    }
    throw ControlError("the daemon published faster than its stats document could be read");
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
    return o;
}

}  // namespace pktsieve
