#include "metrics/prometheus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <stdexcept>

#include "metrics/exposition.hpp"
#include "observe/observation.hpp"

namespace pktsieve {

namespace {

// The families that are not per-worker counters, described once.
namespace family {
constexpr MetricInfo kBuild{"pktsieve_build_info",
                            "pktsieve, DPDK and Hyperscan versions of this daemon (always 1)",
                            MetricType::gauge};
constexpr MetricInfo kUptime{"pktsieve_uptime_seconds", "seconds since the daemon started",
                             MetricType::gauge};
constexpr MetricInfo kMalformed{"pktsieve_malformed_packets_total",
                                "frames rejected by the parser, by reason", MetricType::counter};
constexpr MetricInfo kAlerts{"pktsieve_alerts_total",
                             "alerts raised, by the threat of the rule (unclassified: none)",
                             MetricType::counter};
constexpr MetricInfo kRuleHits{"pktsieve_rule_hits_total",
                               "matches that passed the header checks, for the rules with most "
                               "hits (--metrics-rules)",
                               MetricType::counter};
constexpr MetricInfo kRuleAlerts{"pktsieve_rule_alerts_total",
                                 "alerts raised, for the rules with most hits (--metrics-rules)",
                                 MetricType::counter};
constexpr MetricInfo kPortAlerts{"pktsieve_port_alerts_total",
                                 "alerts by destination port and threat, for the ports with most "
                                 "alerts (--metrics-ports) and the watched ports",
                                 MetricType::counter};
constexpr MetricInfo kPortAccesses{"pktsieve_port_accesses_total",
                                   "TCP connection attempts (SYN) and UDP datagrams by destination "
                                   "port, for the ports with most accesses (--metrics-ports) and "
                                   "the watched ports",
                                   MetricType::counter};
constexpr MetricInfo kThreatSources{"pktsieve_threat_sources",
                                    "distinct source addresses that raised the threat's alerts "
                                    "since start (HyperLogLog estimate, 3 % error)",
                                    MetricType::gauge};
constexpr MetricInfo kSensorAddresses{"pktsieve_sensor_addresses",
                                      "distinct destination addresses accessed since start "
                                      "(estimate)",
                                      MetricType::gauge};
constexpr MetricInfo kRecords{"pktsieve_observation_records_total",
                              "observation interval records written to the EVE log",
                              MetricType::counter};
constexpr MetricInfo kGeneration{"pktsieve_ruleset_generation",
                                 "generation of the running rule set (1 at start, +1 per reload)",
                                 MetricType::gauge};
constexpr MetricInfo kRules{"pktsieve_ruleset_rules",
                            "rules of the running set: loaded, failed (left out) and skipped",
                            MetricType::gauge};
constexpr MetricInfo kReloads{"pktsieve_ruleset_reloads_total", "reloads that swapped a set in",
                              MetricType::counter};
constexpr MetricInfo kReloadFailures{"pktsieve_ruleset_reload_failures_total",
                                     "reloads rejected (the running set stayed)",
                                     MetricType::counter};
constexpr MetricInfo kLastFailed{"pktsieve_ruleset_last_reload_failed",
                                 "1 when the latest reload was rejected, else 0",
                                 MetricType::gauge};
constexpr MetricInfo kCompile{"pktsieve_ruleset_compile_seconds",
                              "time the running set took to compile", MetricType::gauge};
constexpr MetricInfo kDatabase{"pktsieve_ruleset_database_bytes",
                               "bytes of the running set's Hyperscan databases", MetricType::gauge};
constexpr MetricInfo kDevPackets{"pktsieve_device_received_packets_total",
                                 "packets the port received (rte_eth_stats ipackets)",
                                 MetricType::counter};
constexpr MetricInfo kDevBytes{"pktsieve_device_received_bytes_total",
                               "bytes the port received (ibytes)", MetricType::counter};
constexpr MetricInfo kDevMissed{"pktsieve_device_missed_packets_total",
                                "packets the NIC dropped because the RX queues were full "
                                "(imissed: workers too slow)",
                                MetricType::counter};
constexpr MetricInfo kDevErrors{"pktsieve_device_errors_total",
                                "erroneous packets the port received (ierrors)",
                                MetricType::counter};
constexpr MetricInfo kDevNombuf{"pktsieve_device_nombuf_total",
                                "RX mbuf allocation failures (rx_nombuf: pool too small)",
                                MetricType::counter};
constexpr MetricInfo kPoolMbufs{"pktsieve_pool_mbufs", "mbufs in the packet buffer pool",
                                MetricType::gauge};
constexpr MetricInfo kPoolInUse{"pktsieve_pool_mbufs_in_use",
                                "mbufs out of the pool now: in NIC and worker rings, being "
                                "classified (near the pool's size: raise --mbufs)",
                                MetricType::gauge};
constexpr MetricInfo kDistPackets{"pktsieve_distributor_packets_total",
                                  "frames the RX lcore read and handed to workers (software "
                                  "distribution)",
                                  MetricType::counter};
constexpr MetricInfo kDistWaits{"pktsieve_distributor_ring_full_waits_total",
                                "times a worker ring was full and the RX lcore waited",
                                MetricType::counter};
}  // namespace family

std::string rule_label(const RuleStat& r) {
    return r.gid == 1 ? std::to_string(r.sid) : fmt::format("{}:{}", r.gid, r.sid);
}

// pktsieve_<group>_<key>, counters with _total and microseconds as seconds. alerts.total per
// worker is pktsieve_worker_alerts_total: pktsieve_alerts_total is the per-threat family.
struct DerivedName {
    std::string name;
    bool micros = false;
};
DerivedName derived_name(const CounterInfo& c) {
    if (c.group == "alerts" && c.key == "total") return {"pktsieve_worker_alerts_total"};
    std::string key(c.key);
    bool micros = false;
    if (key.size() > 3 && key.ends_with("_us")) {
        key.replace(key.size() - 3, 3, "_seconds");
        micros = true;
    }
    return {fmt::format("pktsieve_{}_{}{}", c.group, key,
                        c.kind == CounterKind::counter ? "_total" : ""),
            micros};
}

void worker_counters(Exposition& e, const StatsView& v) {
    std::vector<std::string> lcores;
    for (const auto& w : v.workers) lcores.push_back(std::to_string(w.lcore));
    for (const auto& c : kCounterInfo) {
        const auto d = derived_name(c);
        e.family(d.name, c.help,
                 c.kind == CounterKind::counter ? MetricType::counter : MetricType::gauge);
        for (size_t i = 0; i < v.workers.size(); ++i) {
            const uint64_t n = v.workers[i].counters.*c.field;
            if (d.micros)
                e.sample({{"worker", lcores[i]}}, static_cast<double>(n) / 1e6);
            else
                e.sample({{"worker", lcores[i]}}, n);
        }
    }
}

void rules(Exposition& e, const StatsView& v, const MetricsLimits& l) {
    std::vector<const RuleStat*> top;
    for (const auto& r : v.rules)
        if (r.hits >= std::max<uint64_t>(l.rule_min_hits, 1)) top.push_back(&r);
    std::stable_sort(top.begin(), top.end(), [](auto* a, auto* b) { return a->hits > b->hits; });
    if (top.size() > l.rules) top.resize(l.rules);
    for (const auto* m : {&family::kRuleHits, &family::kRuleAlerts}) {
        e.family(*m);
        for (const auto* r : top) {
            const std::string sid = rule_label(*r), threat = threat_name(*r);
            e.sample({{"sid", sid}, {"msg", r->msg}, {"threat", threat}},
                     m == &family::kRuleHits ? r->hits : r->alerts);
        }
    }
}

// The `n` keys with the largest counts (ties: the smaller key), and every watched key.
template <typename Counts>
std::set<uint32_t> heaviest_and_watched(const Counts& counts, size_t n,
                                        const std::vector<uint32_t>& watch) {
    std::vector<std::pair<uint64_t, uint32_t>> order;
    for (const auto& [key, count] : counts) order.emplace_back(count, key);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::set<uint32_t> keys(watch.begin(), watch.end());
    for (size_t i = 0; i < order.size() && i < n; ++i) keys.insert(order[i].second);
    return keys;
}

void ports(Exposition& e, const StatsView& v, const MetricsLimits& l) {
    std::vector<std::pair<uint32_t, uint64_t>> alerts;  // TCP and UDP alike: a port
    for (const auto& [port, n] : v.port_alerts) alerts.emplace_back(port, n);
    std::vector<uint32_t> watched_ports;
    for (uint32_t k : l.watch) watched_ports.push_back(port_key_port(k));
    e.family(family::kPortAlerts);
    for (uint32_t port : heaviest_and_watched(alerts, l.ports, watched_ports)) {
        const std::string p = std::to_string(port);
        for (auto it = v.port_threat_alerts.lower_bound({static_cast<uint16_t>(port), ""});
             it != v.port_threat_alerts.end() && it->first.first == port; ++it)
            e.sample({{"port", p}, {"threat", it->first.second}}, it->second);
    }
    std::map<uint32_t, uint64_t> accesses(v.observations.watched.begin(),
                                          v.observations.watched.end());
    std::vector<std::pair<uint32_t, uint64_t>> listed;
    if (v.observations.totals)
        for (const auto& r : v.observations.totals->ports) {
            listed.emplace_back(r.key, r.accesses);
            accesses[r.key] = r.accesses;
        }
    e.family(family::kPortAccesses);
    for (uint32_t key : heaviest_and_watched(listed, l.ports, l.watch)) {
        const std::string p = std::to_string(port_key_port(key));
        e.sample({{"proto", port_key_proto(key) == kProtoUdp ? "udp" : "tcp"}, {"port", p}},
                 accesses[key]);
    }
}

void observations(Exposition& e, const StatsView& v) {
    e.family(family::kRecords);
    e.sample({}, v.observations.records);
    if (!v.observations.totals) return;
    e.family(family::kSensorAddresses);
    e.sample({}, v.observations.totals->sensor_addresses);
    e.family(family::kThreatSources);
    for (const auto& t : v.observations.totals->threats) e.sample({{"threat", t.name}}, t.sources);
}

void ruleset(Exposition& e, const StatsView& v) {
    const auto& rs = v.ruleset;
    e.family(family::kGeneration);
    e.sample({}, rs.generation);
    e.family(family::kRules);
    e.sample({{"state", "loaded"}}, uint64_t{v.rules.size()});
    e.sample({{"state", "failed"}}, uint64_t{rs.failed});
    e.sample({{"state", "skipped"}}, uint64_t{rs.skipped});
    e.family(family::kReloads);
    e.sample({}, rs.reloads);
    e.family(family::kReloadFailures);
    e.sample({}, rs.reload_failures);
    e.family(family::kLastFailed);
    e.sample({}, uint64_t{rs.last_reload_failed ? 1u : 0u});
    e.family(family::kCompile);
    e.sample({}, rs.compile_seconds);
    e.family(family::kDatabase);
    e.sample({}, uint64_t{rs.db_bytes});
}

void devices(Exposition& e, const StatsView& v) {
    using Field = uint64_t DeviceStat::*;
    const std::array<std::pair<const MetricInfo*, Field>, 5> fields{{
        {&family::kDevPackets, &DeviceStat::ipackets},
        {&family::kDevBytes, &DeviceStat::ibytes},
        {&family::kDevMissed, &DeviceStat::imissed},
        {&family::kDevErrors, &DeviceStat::ierrors},
        {&family::kDevNombuf, &DeviceStat::rx_nombuf},
    }};
    for (const auto& [m, field] : fields) {
        e.family(*m);
        for (const auto& d : v.devices)
            e.sample({{"port", std::to_string(d.port)}, {"device", d.name}}, d.*field);
    }
    e.family(family::kPoolMbufs);
    e.sample({}, v.pool.mbufs);
    e.family(family::kPoolInUse);
    e.sample({}, v.pool.in_use);
    if (v.distributors.empty()) return;
    for (const auto* m : {&family::kDistPackets, &family::kDistWaits}) {
        e.family(*m);
        for (const auto& d : v.distributors)
            e.sample({{"lcore", std::to_string(d.lcore)}},
                     m == &family::kDistPackets ? d.packets : d.ring_full_waits);
    }
}

}  // namespace

std::string render_prometheus(const StatsView& v, const MetricsLimits& limits,
                              const BuildInfo& build) {
    Exposition e;
    e.family(family::kBuild);
    e.sample({{"version", build.version}, {"dpdk", build.dpdk}, {"hyperscan", build.hyperscan}},
             uint64_t{1});
    e.family(family::kUptime);
    e.sample({}, v.elapsed_s);
    worker_counters(e, v);
    e.family(family::kMalformed);
    for (size_t i = 0; i < kMalformedInfo.size(); ++i)
        e.sample({{"reason", kMalformedInfo[i].name}}, v.total.malformed_by[i]);
    e.family(family::kAlerts);
    for (const auto& [threat, n] : v.threat_alerts()) e.sample({{"threat", threat}}, n);
    rules(e, v, limits);
    ports(e, v, limits);
    observations(e, v);
    ruleset(e, v);
    devices(e, v);
    return e.take();
}

std::vector<uint32_t> parse_watch_ports(const std::string& text) {
    std::vector<uint32_t> keys;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find(',', at);
        if (end == std::string::npos) end = text.size();
        std::string_view item(text.data() + at, end - at);
        uint8_t proto = kProtoTcp;
        for (const auto& [suffix, p] : {std::pair{"/tcp", kProtoTcp}, {"/udp", kProtoUdp}})
            if (item.ends_with(suffix)) {
                item.remove_suffix(4);
                proto = p;
            }
        unsigned port = 0;
        const auto r = std::from_chars(item.data(), item.data() + item.size(), port);
        if (item.empty() || r.ec != std::errc() || r.ptr != item.data() + item.size() ||
            port > 65535)
            throw std::invalid_argument(
                fmt::format("'{}' is not a port (PORT or PORT/udp, e.g. 23,9200,53/udp)",
                            text.substr(at, end - at)));
        keys.push_back(port_key(proto, static_cast<uint16_t>(port)));
        at = end + 1;
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

}  // namespace pktsieve
