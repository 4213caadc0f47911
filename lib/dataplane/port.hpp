// Ports: decide how flows reach workers, configure (symmetric RSS where used) and start every
// port DPDK probed, read their device statistics.
// Thread-safety: plan/start/stop from the main lcore; device_stats() from the aggregator.
#pragma once

#include "time/rx_timestamp.hpp"

#include <rte_mempool.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/distribution.hpp"
#include "stats/view.hpp"

namespace pktsieve {

// What each probed port can do, for decide_distribution().
std::vector<PortCaps> port_caps();

struct PortSetup {
    uint16_t port = 0;
    uint16_t rx_queues = 1;
    int ts_offset = -1;  // capture timestamp dynfield, -1 when the port gives none
    uint64_t ts_flag = 0;
    TimestampUnit ts_unit = TimestampUnit::unknown;  // unknown: the TSC clock is used instead
};

// Configures plan.rx_queues[i] RX queues on port i and starts it. Throws std::runtime_error naming
// the port and DPDK's error.
std::vector<PortSetup> start_ports(rte_mempool* pool, const DistributionPlan& plan);
void stop_ports(const std::vector<PortSetup>& ports);
std::vector<DeviceStat> device_stats(const std::vector<PortSetup>& ports);

}  // namespace pktsieve
