#include "dataplane/port.hpp"

#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>
#include <rte_version.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "config/pool_size.hpp"

namespace pktsieve {

namespace {

void check(int rc, uint16_t port, const char* what) {
    if (rc < 0)
        throw std::runtime_error("port " + std::to_string(port) + ": " + what + ": " +
                                 rte_strerror(-rc));
}

constexpr uint64_t kRssTypes = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;

rte_eth_dev_info dev_info(uint16_t port) {
    rte_eth_dev_info info{};
    check(rte_eth_dev_info_get(port, &info), port, "dev_info_get");
    return info;
}

std::string port_name(uint16_t port) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(port, name);
    return name;
}

// Toeplitz with a key of repeated 0x6d5a hashes (a, b) and (b, a) alike: both directions of a
// flow land in one queue.
void symmetric_rss(rte_eth_conf& conf, const rte_eth_dev_info& info, std::vector<uint8_t>& key) {
    key.resize(info.hash_key_size ? info.hash_key_size : 40);
    for (size_t i = 0; i < key.size(); ++i) key[i] = i % 2 ? 0x5a : 0x6d;
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_key = key.data();
    conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<uint8_t>(key.size());
    conf.rx_adv_conf.rss_conf.rss_hf = kRssTypes & info.flow_type_rss_offloads;
}

PortSetup start_port(uint16_t port, rte_mempool* pool, uint16_t rx_queues) {
    const rte_eth_dev_info info = dev_info(port);
    rte_eth_conf conf{};
    std::vector<uint8_t> key;
    if (rx_queues > 1 && (info.flow_type_rss_offloads & kRssTypes)) symmetric_rss(conf, info, key);
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
    s.ts_unit = rx_timestamp_unit(info.driver_name, RTE_VER_YEAR, RTE_VER_MONTH);
    return s;
}

}  // namespace

std::vector<PortCaps> port_caps() {
    std::vector<PortCaps> out;
    uint16_t port = 0;
    RTE_ETH_FOREACH_DEV(port) {
        const auto info = dev_info(port);
        PortCaps c;
        c.name = port_name(port);
        c.max_rx_queues = info.max_rx_queues;
        c.rss = (info.flow_type_rss_offloads & kRssTypes) != 0;
        // af_packet fans packets out over its queue pairs with the kernel's flow hash, which is
        // symmetric (flow keys are ordered before hashing).
        c.spreads_itself = std::string_view(info.driver_name) == "net_af_packet";
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<PortSetup> start_ports(rte_mempool* pool, const DistributionPlan& plan) {
    std::vector<PortSetup> out;
    uint16_t port = 0;
    size_t i = 0;
    RTE_ETH_FOREACH_DEV(port) out.push_back(start_port(port, pool, plan.rx_queues.at(i++)));
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
        d.name = port_name(p.port);
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
