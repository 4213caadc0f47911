// How flows reach workers, decided from what each port can do. Pure, so it is unit-tested; the
// dataplane fills PortCaps from rte_eth_dev_info.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/lcores.hpp"

namespace pktsieve {

struct PortCaps {
    std::string name;
    uint16_t max_rx_queues = 1;
    bool rss = false;             // hashes IP + TCP/UDP into queues (symmetric key applied)
    bool spreads_itself = false;  // spreads flows over its queues without RSS (af_packet fanout)
};

struct DistributionPlan {
    Distribution mode = Distribution::software;  // never automatic once decided
    std::vector<uint16_t> rx_queues;             // per port, in port order
    std::string reason;                          // for the start-up line and the stats
};

// `requested` may be automatic: queues when every port can give each worker its own queue and
// spreads flows (RSS or by itself), or when there is one worker; otherwise software. A forced
// `queues` needs only enough queues (the user vouches for how the port spreads flows). Throws
// OptionError when a port has too few queues for a forced `queues`, or there is no port.
DistributionPlan decide_distribution(Distribution requested, unsigned workers,
                                     const std::vector<PortCaps>& ports);

}  // namespace pktsieve
