// The observation commands: /pktsieve/observations (totals, top ports, threats) and
// /pktsieve/intel,KIND (attacker intel), from the published view's observation totals.
#include <fmt/format.h>

#include "dataplane/telemetry.hpp"
#include "dataplane/telemetry_reply.hpp"
#include "stats/reply_budget.hpp"

namespace pktsieve::telemetry {

namespace {

// Observations since start: the heaviest ports (parameter: how many, default 20, at most 100,
// as many as fit) and the threats, as columns.
}  // namespace

int observations_cmd(const char*, const char* params, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    const ObservationStat& o = v->observations;
    const ObservationSummary empty;
    const ObservationSummary& s = o.totals ? *o.totals : empty;
    std::vector<PortRow> ports(
        s.ports.begin(), s.ports.begin() + static_cast<ptrdiff_t>(std::min<size_t>(
                                               s.ports.size(), param_count(params, 20, 100))));
    const size_t wanted = ports.size();
    ports.resize(
        rows_within(ports.size(), kReplyRowBudget / 2, [](size_t) { return 4 * kU64Bytes; }));
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_string(d, "sensor", telemetry_text(o.sensor).c_str());
    rte_tel_data_add_dict_u64(d, "interval_seconds", o.interval_s);
    rte_tel_data_add_dict_u64(d, "records", o.records);
    rte_tel_data_add_dict_u64(d, "accesses", s.accesses);
    rte_tel_data_add_dict_u64(d, "ports_seen", s.ports_seen);
    rte_tel_data_add_dict_u64(d, "sensor_addresses", s.sensor_addresses);
    add_string_column(d, "port_proto", ports, [](auto& p) {
        return std::string(port_key_proto(p.key) == kProtoUdp ? "udp" : "tcp");
    });
    add_u64_column(d, "port", ports, [](auto& p) { return uint64_t{port_key_port(p.key)}; });
    add_u64_column(d, "port_accesses", ports, [](auto& p) { return p.accesses; });
    add_u64_column(d, "port_sources", ports,
                   [](auto& p) { return p.sources < 0 ? UINT64_MAX : uint64_t(p.sources); });
    rte_tel_data_add_dict_u64(d, "ports_not_listed_for_size", wanted - ports.size());
    add_string_column(d, "threat", s.threats, [](auto& t) { return t.name; });
    add_u64_column(d, "threat_alerts", s.threats, [](auto& t) { return t.alerts; });
    add_u64_column(d, "threat_sources", s.threats, [](auto& t) { return t.sources; });
    return 0;
}

// Parameter: the kind (telnet_credentials, proxy_targets, traversal_targets, rce_commands).
// Its top list since start: text (credentials: username and password; telemetry_text) and
// count. The stats document (/pktsieve/document) has them as JSON text.
int intel_cmd(const char*, const char* params, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    size_t kind = kIntelKinds;
    for (size_t k = 0; k < kIntelKinds; ++k)
        if (params && intel_kind_name(static_cast<IntelKind>(k)) == params) kind = k;
    if (kind == kIntelKinds) return -1;
    std::vector<IntelRow> rows;
    if (v->observations.totals) rows = v->observations.totals->intel[kind];
    rows.resize(rows_within(rows.size(), kReplyRowBudget, [&](size_t i) {
        return kU64Bytes + json_string_bytes(telemetry_text(rows[i].text.first())) +
               json_string_bytes(telemetry_text(rows[i].text.second()));
    }));
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_string(d, "kind", params);
    const bool pair = static_cast<IntelKind>(kind) == IntelKind::telnet_credentials;
    add_string_column(d, pair ? "username" : "text", rows,
                      [&](auto& r) { return std::string(pair ? r.text.first() : r.text.text()); });
    if (pair)
        add_string_column(d, "password", rows,
                          [](auto& r) { return std::string(r.text.second()); });
    add_u64_column(d, "count", rows, [](auto& r) { return r.count; });
    return 0;
}

}  // namespace pktsieve::telemetry
