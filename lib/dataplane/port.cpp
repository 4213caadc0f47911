#include "dataplane/port.hpp"

#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>

#include <stdexcept>
#include <string>

namespace pktsieve {

namespace {

constexpr uint16_t kRxDescriptors = 1024;

void check(int rc, uint16_t port, const char* what) {
    if (rc < 0)
        throw std::runtime_error("port " + std::to_string(port) + ": " + what + ": " +
                                 rte_strerror(-rc));
}

PortSetup start_port(uint16_t port, rte_mempool* pool, uint16_t rx_queues) {
    rte_eth_dev_info info{};
    check(rte_eth_dev_info_get(port, &info), port, "dev_info_get");
    rte_eth_conf conf{};
    if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP)
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    // A passive sensor transmits nothing; some PMDs still want one TX queue configured.
    const uint16_t txq = info.max_tx_queues > 0 ? 1 : 0;
    check(rte_eth_dev_configure(port, rx_queues, txq, &conf), port, "configure");
    uint16_t nb_rxd = kRxDescriptors, nb_txd = 256;
    check(rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd), port, "adjust descriptors");
    const int socket = rte_eth_dev_socket_id(port);
    for (uint16_t q = 0; q < rx_queues; ++q)
        check(rte_eth_rx_queue_setup(port, q, nb_rxd, socket, nullptr, pool), port,
              "rx queue setup");
    if (txq)
        check(rte_eth_tx_queue_setup(port, 0, nb_txd, socket, nullptr), port, "tx queue setup");
    check(rte_eth_dev_start(port), port, "start");
    rte_eth_promiscuous_enable(port);  // not every PMD supports it; a sensor wants it where it can
    PortSetup s;
    s.port = port;
    s.rx_queues = rx_queues;
    if (rte_mbuf_dyn_rx_timestamp_register(&s.ts_offset, &s.ts_flag) != 0) s.ts_offset = -1;
    return s;
}

}  // namespace

std::vector<PortSetup> start_ports(rte_mempool* pool, uint16_t rx_queues) {
    std::vector<PortSetup> out;
    uint16_t port = 0;
    RTE_ETH_FOREACH_DEV(port) out.push_back(start_port(port, pool, rx_queues));
    if (out.empty())
        throw std::runtime_error(
            "no port found: give a NIC (-a PCI) or a vdev (--vdev ...), or --pcap FILE");
    return out;
}

void stop_ports(const std::vector<PortSetup>& ports) {
    for (const auto& p : ports) {
        rte_eth_dev_stop(p.port);
        rte_eth_dev_close(p.port);
    }
}

std::vector<DeviceStat> device_stats(const std::vector<PortSetup>& ports) {
    std::vector<DeviceStat> out;
    for (const auto& p : ports) {
        rte_eth_stats st{};
        DeviceStat d;
        d.port = p.port;
        char name[RTE_ETH_NAME_MAX_LEN] = {};
        if (rte_eth_dev_get_name_by_port(p.port, name) == 0) d.name = name;
        if (rte_eth_stats_get(p.port, &st) == 0) {
            d.ipackets = st.ipackets;
            d.ibytes = st.ibytes;
            d.imissed = st.imissed;
            d.ierrors = st.ierrors;
            d.rx_nombuf = st.rx_nombuf;
        }
        out.push_back(d);
    }
    return out;
}

}  // namespace pktsieve
