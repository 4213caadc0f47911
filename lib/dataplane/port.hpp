// Ports: decide how flows reach workers, configure (symmetric RSS where used) and start every
// port DPDK probed, read their device statistics.
// Thread-safety: plan/start/stop from the main lcore; device_stats() from the aggregator.
#pragma once

#include <rte_mempool.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/lcores.hpp"
#include "stats/view.hpp"

namespace pktsieve {

struct DistributionPlan {
    Distribution mode = Distribution::software;  // never automatic once planned
    uint16_t queues_per_port = 1;
    std::string reason;  // why this mode, for the start-up report and the stats
};

// Resolves `requested` against every probed port's capabilities. Throws std::runtime_error when
// no port exists or a forced `queues` mode cannot give each worker a queue.
DistributionPlan plan_distribution(Distribution requested, unsigned workers);

struct PortSetup {
    uint16_t port = 0;
    uint16_t rx_queues = 1;
    int ts_offset = -1;  // capture timestamp dynfield, -1 when the port gives none
    uint64_t ts_flag = 0;
};

// Configures and starts each port. Throws std::runtime_error naming the port and DPDK's error.
std::vector<PortSetup> start_ports(rte_mempool* pool, const DistributionPlan& plan);
void stop_ports(const std::vector<PortSetup>& ports);
std::vector<DeviceStat> device_stats(const std::vector<PortSetup>& ports);

}  // namespace pktsieve
