// The stats view as Prometheus metrics (docs/metrics.md). Per-worker counters are derived from
// the counter table (kCounterInfo: pktsieve_<group>_<key>, `_total` for counters, `_us` as
// `_seconds`); the rest of the view is described once in this file's own table. Series whose
// number grows with the traffic (rules, ports) are bounded: the heaviest few and a watch list.
// A sensor label is not ours to add: Prometheus adds its target labels (instance, job, ...).
// Thread-safety: pure functions of a const view.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stats/view.hpp"

namespace pktsieve {

struct MetricsLimits {
    size_t rules = 50;            // rule series: the rules with most hits...
    uint64_t rule_min_hits = 1;   // ...that hit at least this often
    size_t ports = 20;            // port series: the ports with most accesses or alerts...
    std::vector<uint32_t> watch;  // ...and these port_keys (observe/observation.hpp) always
};

struct BuildInfo {
    std::string version, dpdk, hyperscan;
};

std::string render_prometheus(const StatsView& v, const MetricsLimits& limits,
                              const BuildInfo& build);

// "23,2323,9200,53/udp": port_keys (TCP unless /udp). Throws std::invalid_argument.
std::vector<uint32_t> parse_watch_ports(const std::string& text);

}  // namespace pktsieve
