#include "stats/view.hpp"

namespace pktsieve {

std::string threat_name(const RuleStat& r) {
    return r.threat.empty() ? "unclassified" : r.threat;
}

void StatsView::add(const WorkerSnapshot& s) {
    total += s.counters;
    workers.push_back({s.lcore, s.counters});
    for (auto& r : rules) {
        if (r.slot >= s.rules.size()) continue;  // a worker that has not counted there yet
        r.hits += s.rules[r.slot].hits;
        r.alerts += s.rules[r.slot].alerts;
    }
    std::vector<const RuleStat*> by_slot;
    for (const auto& r : rules) {
        if (r.slot >= by_slot.size()) by_slot.resize(r.slot + 1);
        by_slot[r.slot] = &r;
    }
    for (const auto& c : s.ports) {
        port_alerts[c.port] += c.alerts;
        if (c.slot < by_slot.size() && by_slot[c.slot])
            port_threat_alerts[{c.port, threat_name(*by_slot[c.slot])}] += c.alerts;
    }
}

std::map<std::string, uint64_t> StatsView::threat_alerts() const {
    std::map<std::string, uint64_t> out;
    for (const auto& t : threats) out[t];
    for (const auto& r : rules) out[threat_name(r)] += r.alerts;
    return out;
}

}  // namespace pktsieve
