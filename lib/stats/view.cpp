#include "stats/view.hpp"

namespace pktsieve {

void StatsView::add(const WorkerSnapshot& s) {
    total += s.counters;
    workers.push_back({s.lcore, s.counters});
    for (size_t i = 0; i < s.rules.size() && i < rules.size(); ++i) {
        rules[i].hits += s.rules[i].hits;
        rules[i].alerts += s.rules[i].alerts;
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
