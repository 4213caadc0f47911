#include "config/distribution.hpp"

#include "config/options.hpp"

namespace pktsieve {

namespace {

// Why `p` cannot give each of `workers` its own queue of a flow-consistent spread; "" if it can.
std::string why_not_queues(const PortCaps& p, unsigned workers) {
    if (p.max_rx_queues < workers)
        return p.name + " has " + std::to_string(p.max_rx_queues) + " RX queue(s) for " +
               std::to_string(workers) + " workers";
    if (!p.rss && !p.spreads_itself) return p.name + " offers no RSS";
    return "";
}

}  // namespace

DistributionPlan decide_distribution(Distribution requested, unsigned workers,
                                     const std::vector<PortCaps>& ports) {
    if (ports.empty())
        throw OptionError(
            "no port found: give a NIC bound to a DPDK driver (-a PCI; dpdk-devbind.py --status "
            "lists them), a vdev (--vdev net_pcap0,rx_pcap=FILE or net_af_packet0,iface=IF), or "
            "--pcap FILE");
    std::string why_not;
    for (const auto& p : ports)
        if (why_not.empty()) why_not = why_not_queues(p, workers);
    DistributionPlan plan;
    const bool one = workers == 1 && requested != Distribution::software;
    if (one || requested == Distribution::queues ||
        (requested == Distribution::automatic && why_not.empty())) {
        for (const auto& p : ports)
            if (p.max_rx_queues < workers && !one)
                throw OptionError("--distribution queues: " + why_not_queues(p, workers));
        plan.mode = Distribution::queues;
        plan.rx_queues.assign(ports.size(), static_cast<uint16_t>(workers));
        plan.reason =
            one ? "queues: one worker polls queue 0 of each port"
            : why_not.empty()
                ? "queues: each of " + std::to_string(workers) +
                      " workers polls its own RX queue (symmetric RSS or the port's "
                      "own flow spreading)"
                : "queues (forced): " + why_not + "; each worker gets what its queue receives";
        return plan;
    }
    // An RX lcore reads every queue that receives traffic: one, or all of a port that spreads
    // flows over its queues by itself (af_packet's fanout sockets all get packets).
    for (const auto& p : ports) plan.rx_queues.push_back(p.spreads_itself ? p.max_rx_queues : 1);
    plan.reason = requested == Distribution::software
                      ? "software: chosen by --distribution"
                      : "software: " + why_not + "; an RX lcore hashes flows onto " +
                            std::to_string(workers) + " workers";
    return plan;
}

}  // namespace pktsieve
