#include "dataplane/exporters.hpp"

#include <hs/hs.h>
#include <rte_version.h>

#include <string>

#include "dataplane/telemetry.hpp"
#include "version_config.h"

namespace pktsieve {

namespace {
BuildInfo build_info() {
    std::string dpdk = rte_version();  // "DPDK 22.11.11"
    if (dpdk.rfind("DPDK ", 0) == 0) dpdk.erase(0, 5);
    std::string hs = hs_version();  // "5.4.0 2023-01-20"
    if (const auto space = hs.find(' '); space != std::string::npos) hs.resize(space);
    return {PKTSIEVE_VERSION, dpdk, hs};
}
}  // namespace

Exporters::Exporters(const Options& o, std::vector<uint32_t> watched,
                     const StatsPublisher& publisher) {
    MetricsLimits limits;
    limits.rules = o.metrics_rules;
    limits.rule_min_hits = o.metrics_rule_min_hits;
    limits.ports = o.metrics_ports;
    limits.watch = std::move(watched);
    text_ = std::make_shared<MetricsText>(publisher, std::move(limits), build_info());
    set_telemetry_metrics(text_);
    if (o.metrics.empty()) return;
    const ListenAddress at = parse_listen_address(o.metrics);
    server_ = std::make_unique<MetricsServer>(at, [text = text_] {
        const auto r = text->latest();
        return r.text ? *r.text : std::string();
    });
    where_ = "metrics: " + at.url();
}

Exporters::~Exporters() {
    server_.reset();
    set_telemetry_metrics(nullptr);
}

}  // namespace pktsieve
