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
    if (rule_at_slot_.empty())
        for (uint32_t i = 0; i < rules.size(); ++i) {
            if (rules[i].slot >= rule_at_slot_.size()) rule_at_slot_.resize(rules[i].slot + 1);
            rule_at_slot_[rules[i].slot] = i + 1;
        }
    for (const auto& c : s.ports) {
        port_alerts[c.port] += c.alerts;
        if (c.slot < rule_at_slot_.size() && rule_at_slot_[c.slot])
            port_threat_alerts[{c.port, threat_name(rules[rule_at_slot_[c.slot] - 1])}] += c.alerts;
    }
}

std::map<std::string, uint64_t> StatsView::threat_alerts() const {
    std::map<std::string, uint64_t> out;
    for (const auto& t : threats) out[t];
    for (const auto& r : rules) out[threat_name(r)] += r.alerts;
    return out;
}

}  // namespace pktsieve
