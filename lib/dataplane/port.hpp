// Ports: configure and start every port DPDK probed, read their device statistics.
// Thread-safety: setup and stop from the main lcore only; device_stats() from the aggregator.
#pragma once

#include <rte_mempool.h>

#include <cstdint>
#include <vector>

#include "stats/view.hpp"

namespace pktsieve {

struct PortSetup {
    uint16_t port = 0;
    uint16_t rx_queues = 1;
    int ts_offset = -1;  // capture timestamp dynfield, -1 when the port gives none
    uint64_t ts_flag = 0;
};

// Configures `rx_queues` RX queues on each available port and starts it. Throws
// std::runtime_error naming the port and the DPDK error.
std::vector<PortSetup> start_ports(rte_mempool* pool, uint16_t rx_queues);
void stop_ports(const std::vector<PortSetup>& ports);
std::vector<DeviceStat> device_stats(const std::vector<PortSetup>& ports);

}  // namespace pktsieve
