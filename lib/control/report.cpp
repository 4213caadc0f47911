#include "control/report.hpp"

#include <fmt/format.h>

namespace pktsieve {

namespace {

uint64_t u64(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<uint64_t>() : 0;
}

// Element i of a column, as text.
std::string cell(const nlohmann::json& j, const char* key, size_t i) {
    if (!j.contains(key) || !j[key].is_array() || i >= j[key].size()) return "";
    const auto& v = j[key][i];
    return v.is_string() ? v.get<std::string>() : v.dump();
}

size_t rows(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_array() ? j[key].size() : 0;
}

}  // namespace

DaemonReport fetch_report(TelemetryClient& client, const std::string& socket, unsigned top) {
    DaemonReport r;
    r.socket = socket;
    r.info = client.info();
    for (int attempt = 0; attempt < 5; ++attempt) {
        r.stats = client.query("/pktsieve/stats");
        r.workers = client.query("/pktsieve/workers");
        r.rules = client.query(fmt::format("/pktsieve/rules,{}", top));
        r.ports = client.query(fmt::format("/pktsieve/ports,{}", top));
        if (u64(client.query("/pktsieve/stats"), "generation") == u64(r.stats, "generation")) break;
    }
    return r;
}

nlohmann::json report_json(const DaemonReport& r) {
    return {{"daemon", {{"socket", r.socket}, {"info", r.info}}},
            {"stats", r.stats},
            {"workers", r.workers},
            {"rules", r.rules},
            {"ports", r.ports}};
}

std::string render_report(const DaemonReport& r) {
    const auto& s = r.stats;
    std::string o = fmt::format(
        "pktsieve pid {} ({}), up {:.1f} s, stats generation {}\n"
        "distribution: {}\n",
        r.info.value("pid", 0), r.socket, static_cast<double>(u64(s, "elapsed_ms")) / 1000,
        u64(s, "generation"), s.value("distribution", std::string("?")));
    o += fmt::format(
        "packets   received {}  parsed {}  malformed {}  bytes {}\n"
        "scan      packets {}  bytes {}\n"
        "alerts    total {}  unlogged {}\n"
        "rule set  generation {} ({})  rules {}  failed {}  skipped {}  reloads {}  rejected {}\n",
        u64(s, "packets_received"), u64(s, "packets_parsed"), u64(s, "packets_malformed"),
        u64(s, "packets_bytes"), u64(s, "scan_packets"), u64(s, "scan_bytes"),
        u64(s, "alerts_total"), u64(s, "alerts_unlogged"), u64(s, "ruleset_generation"),
        s.value("ruleset_hash", std::string("?")), u64(s, "rules_loaded"), u64(s, "rules_failed"),
        u64(s, "rules_skipped"), u64(s, "reloads"), u64(s, "reload_failures"));
    o += fmt::format("{:<10} {:>14} {:>16} {:>12}\n", "rate", "packets/s", "bits/s", "alerts/s");
    for (size_t i = 0; i < rows(s, "rate_window_seconds"); ++i)
        o += fmt::format("{:<10} {:>14} {:>16} {:>12}\n", cell(s, "rate_window_seconds", i) + " s",
                         cell(s, "rate_packets_per_second", i), cell(s, "rate_bits_per_second", i),
                         cell(s, "rate_alerts_per_second", i));
    o += fmt::format("{:<20} {:>10}\n", "threat", "alerts");
    for (size_t i = 0; i < rows(s, "threat_names"); ++i)
        o += fmt::format("  {:<18} {:>10}\n", cell(s, "threat_names", i),
                         cell(s, "threat_alerts", i));
    o += fmt::format("{:<20} {:>10}\n", "dest port", "alerts");
    for (size_t i = 0; i < rows(r.ports, "port"); ++i)
        o += fmt::format("  {:<18} {:>10}\n", cell(r.ports, "port", i), cell(r.ports, "alerts", i));
    o += fmt::format("{:<12} {:>12} {:>12} {:>12} {:>10}\n", "worker lcore", "received",
                     "malformed", "scanned", "alerts");
    for (size_t i = 0; i < rows(r.workers, "lcore"); ++i)
        o += fmt::format("  {:<10} {:>12} {:>12} {:>12} {:>10}\n", cell(r.workers, "lcore", i),
                         cell(r.workers, "packets_received", i),
                         cell(r.workers, "packets_malformed", i),
                         cell(r.workers, "scan_packets", i), cell(r.workers, "alerts_total", i));
    o += fmt::format("{:<20} {:>10} {:>10}  {}\n", "top rules (gid:sid)", "hits", "alerts", "msg");
    for (size_t i = 0; i < rows(r.rules, "sid"); ++i) {
        if (cell(r.rules, "hits", i) == "0") break;
        o += fmt::format(
            "  {:<18} {:>10} {:>10}  {}\n", cell(r.rules, "gid", i) + ":" + cell(r.rules, "sid", i),
            cell(r.rules, "hits", i), cell(r.rules, "alerts", i), cell(r.rules, "msg", i));
    }
    o += "drops:\n";
    for (size_t i = 0; i < rows(s, "device_names"); ++i)
        o += fmt::format("  device {:<12} imissed {}  ierrors {}  rx_nombuf {}\n",
                         cell(s, "device_names", i), cell(s, "device_imissed", i),
                         cell(s, "device_ierrors", i), cell(s, "device_rx_nombuf", i));
    for (size_t i = 0; i < rows(s, "rx_lcores"); ++i)
        o += fmt::format("  rx lcore {:<10} waits on full worker rings {}\n",
                         cell(s, "rx_lcores", i), cell(s, "rx_lcore_ring_full_waits", i));
    o += fmt::format("  alerts not logged {}\n", u64(s, "alerts_unlogged"));
    return o;
}

}  // namespace pktsieve
