#include "stats/view.hpp"

namespace pktsieve {

void StatsView::add(const WorkerSnapshot& s) {
    total += s.counters;
    workers.push_back({s.lcore, s.counters});
    for (auto& r : rules) {
        if (r.slot >= s.rules.size()) continue;  // a worker that has not counted there yet
        r.hits += s.rules[r.slot].hits;
        r.alerts += s.rules[r.slot].alerts;
    }
    for (const auto& [port, n] : s.ports) port_alerts[port] += n;
}

std::map<std::string, uint64_t> StatsView::threat_alerts() const {
    std::map<std::string, uint64_t> out;
    for (const auto& t : threats) out[t];
    for (const auto& r : rules) out[r.threat.empty() ? "unclassified" : r.threat] += r.alerts;
    return out;
}

}  // namespace pktsieve
