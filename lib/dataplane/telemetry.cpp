#include "dataplane/telemetry.hpp"

#include "guard/guarded.hpp"

#include "dataplane/reloader.hpp"
#include "dataplane/telemetry_reply.hpp"
#include "stats/render.hpp"
#include "stats/reply_budget.hpp"

#include <fmt/format.h>
#include <rte_telemetry.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pktsieve {

namespace {

using telemetry::add_string_column;
using telemetry::add_u64_column;
using telemetry::param_count;

int stats_cmd(const char*, const char*, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    rte_tel_data_start_dict(d);
    for (const auto& c : kCounterInfo)
        rte_tel_data_add_dict_u64(d, fmt::format("{}_{}", c.group, c.key).c_str(),
                                  v->total.*c.field);
    for (size_t i = 0; i < kMalformedInfo.size(); ++i)
        rte_tel_data_add_dict_u64(d, fmt::format("malformed_{}", kMalformedInfo[i].name).c_str(),
                                  v->total.malformed_by[i]);
    std::vector<std::pair<std::string, uint64_t>> threats;
    for (const auto& t : v->threat_alerts()) threats.emplace_back(t);
    add_string_column(d, "threat_names", threats, [](auto& t) { return t.first; });
    add_u64_column(d, "threat_alerts", threats, [](auto& t) { return t.second; });
    const std::vector<Rate> rates(v->rates.begin(), v->rates.end());
    add_u64_column(d, "rate_window_seconds", rates, [](auto& r) { return uint64_t(r.window_s); });
    add_u64_column(d, "rate_packets_per_second", rates,
                   [](auto& r) { return uint64_t(r.packets + 0.5); });
    add_u64_column(d, "rate_bits_per_second", rates,
                   [](auto& r) { return uint64_t(r.bits + 0.5); });
    add_string_column(d, "rate_alerts_per_second", rates,
                      [](auto& r) { return fmt::format("{:.3f}", r.alerts); });
    add_string_column(d, "device_names", v->devices, [](auto& x) { return x.name; });
    add_u64_column(d, "device_ipackets", v->devices, [](auto& x) { return x.ipackets; });
    add_u64_column(d, "device_imissed", v->devices, [](auto& x) { return x.imissed; });
    add_u64_column(d, "device_ierrors", v->devices, [](auto& x) { return x.ierrors; });
    add_u64_column(d, "device_rx_nombuf", v->devices, [](auto& x) { return x.rx_nombuf; });
    rte_tel_data_add_dict_string(d, "distribution", v->distribution.c_str());
    add_u64_column(d, "rx_lcores", v->distributors, [](auto& x) { return uint64_t{x.lcore}; });
    add_u64_column(d, "rx_lcore_packets", v->distributors, [](auto& x) { return x.packets; });
    add_u64_column(d, "rx_lcore_ring_full_waits", v->distributors,
                   [](auto& x) { return x.ring_full_waits; });
    rte_tel_data_add_dict_u64(d, "workers", v->workers.size());
    rte_tel_data_add_dict_u64(d, "rules_loaded", v->rules.size());
    rte_tel_data_add_dict_u64(d, "rules_failed", v->ruleset.failed);
    rte_tel_data_add_dict_u64(d, "rules_skipped", v->ruleset.skipped);
    rte_tel_data_add_dict_u64(d, "ruleset_generation", v->ruleset.generation);
    rte_tel_data_add_dict_string(d, "ruleset_hash", v->ruleset.hash.c_str());
    rte_tel_data_add_dict_u64(d, "ruleset_database_bytes", v->ruleset.db_bytes);
    rte_tel_data_add_dict_u64(d, "ruleset_compile_us",
                              static_cast<uint64_t>(v->ruleset.compile_seconds * 1e6));
    rte_tel_data_add_dict_u64(d, "reloads", v->ruleset.reloads);
    rte_tel_data_add_dict_u64(d, "reload_failures", v->ruleset.reload_failures);
    rte_tel_data_add_dict_u64(d, "generation", v->generation);
    rte_tel_data_add_dict_u64(d, "elapsed_ms", static_cast<uint64_t>(v->elapsed_s * 1000));
    return 0;
}

// Parameter: the first worker to list (default 0); as many as fit a reply follow it.
int workers_cmd(const char*, const char* params, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    const size_t first = std::min<size_t>(params && *params ? std::strtoul(params, nullptr, 10) : 0,
                                          v->workers.size());
    const size_t per_worker = (kCounterInfo.size() + 1) * kU64Bytes + 32;  // + column names
    const size_t n =
        rows_within(v->workers.size() - first, kReplyRowBudget, [&](size_t) { return per_worker; });
    const std::vector<WorkerStat> rows(v->workers.begin() + static_cast<ptrdiff_t>(first),
                                       v->workers.begin() + static_cast<ptrdiff_t>(first + n));
    rte_tel_data_start_dict(d);
    add_u64_column(d, "lcore", rows, [](auto& w) { return uint64_t{w.lcore}; });
    for (const auto& c : kCounterInfo)
        add_u64_column(d, fmt::format("{}_{}", c.group, c.key).c_str(), rows,
                       [&](auto& w) { return w.counters.*c.field; });
    rte_tel_data_add_dict_u64(d, "first", first);
    rte_tel_data_add_dict_u64(d, "listed", rows.size());
    rte_tel_data_add_dict_u64(d, "total", v->workers.size());
    return 0;
}

// Parameter: how many (default 10, at most 100), the top rules by hits; as many as fit a reply.
int rules_cmd(const char*, const char* params, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    std::vector<const RuleStat*> top;
    for (const auto& r : v->rules) top.push_back(&r);
    std::stable_sort(top.begin(), top.end(), [](auto* a, auto* b) { return a->hits > b->hits; });
    top.resize(std::min<size_t>(top.size(), param_count(params, 10, 100)));
    const size_t wanted = top.size();
    top.resize(rows_within(top.size(), kReplyRowBudget, [&](size_t i) {
        return 5 * kU64Bytes + json_string_bytes(telemetry::telemetry_text(top[i]->threat)) +
               json_string_bytes(telemetry::telemetry_text(top[i]->msg));
    }));
    rte_tel_data_start_dict(d);
    add_u64_column(d, "gid", top, [](auto* r) { return uint64_t{r->gid}; });
    add_u64_column(d, "sid", top, [](auto* r) { return uint64_t{r->sid}; });
    add_u64_column(d, "rev", top, [](auto* r) { return uint64_t{r->rev}; });
    add_u64_column(d, "hits", top, [](auto* r) { return r->hits; });
    add_u64_column(d, "alerts", top, [](auto* r) { return r->alerts; });
    add_string_column(d, "threat", top, [](auto* r) { return r->threat; });
    add_string_column(d, "msg", top, [](auto* r) { return r->msg; });
    rte_tel_data_add_dict_u64(d, "rules_loaded", v->rules.size());
    rte_tel_data_add_dict_u64(d, "listed", top.size());
    rte_tel_data_add_dict_u64(d, "not_listed_for_size", wanted - top.size());
    return 0;
}

int ports_cmd(const char*, const char* params, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    std::vector<std::pair<uint16_t, uint64_t>> top(v->port_alerts.begin(), v->port_alerts.end());
    std::stable_sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.second > b.second; });
    top.resize(std::min<size_t>(top.size(), param_count(params, 20, 256)));
    rte_tel_data_start_dict(d);
    add_u64_column(d, "port", top, [](auto& p) { return uint64_t{p.first}; });
    add_u64_column(d, "alerts", top, [](auto& p) { return p.second; });
    return 0;
}

std::mutex g_reloader_mu;
RuleReloader* g_reloader = nullptr;

// The first errors that fit a share of the reply; the counts beside them say how many there
// are (`pktsieve --check-rules` lists each).
void add_rule_errors(rte_tel_data* d, const char* name, const std::vector<RuleError>& all) {
    std::vector<std::string> lines;
    for (const auto& e : all) lines.push_back(e.str());
    lines.resize(
        std::min(lines.size(), rows_within(lines.size(), kReplyRowBudget / 3, [&](size_t i) {
                     return json_string_bytes(telemetry::telemetry_text(lines[i]));
                 })));
    add_string_column(d, name, lines, [](const std::string& l) { return l; });
}

int reload_cmd(const char*, const char* params, rte_tel_data* d) {
    std::lock_guard lock(g_reloader_mu);
    if (!g_reloader) return -1;
    const ReloadResult r = g_reloader->reload(telemetry::split_params(params));
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "ok", r.ok ? 1 : 0);
    rte_tel_data_add_dict_u64(d, "generation", r.generation);
    rte_tel_data_add_dict_u64(d, "rules_loaded", r.loaded);
    rte_tel_data_add_dict_u64(d, "rules_failed", r.failed.size());
    rte_tel_data_add_dict_u64(d, "rules_skipped", r.skipped.size());
    rte_tel_data_add_dict_u64(d, "compile_us", static_cast<uint64_t>(r.compile_seconds * 1e6));
    rte_tel_data_add_dict_u64(d, "grace_us", static_cast<uint64_t>(r.grace_seconds * 1e6));
    add_rule_errors(d, "errors", r.errors);
    add_rule_errors(d, "failed", r.failed);
    add_rule_errors(d, "skipped", r.skipped);
    rte_tel_data_add_dict_u64(d, "error_count", r.errors.size());
    rte_tel_data_add_dict_u64(d, "failed_count", r.failed.size());
    rte_tel_data_add_dict_u64(d, "skipped_count", r.skipped.size());
    return 0;
}

}  // namespace

void set_telemetry_reloader(RuleReloader* r) {
    std::lock_guard lock(g_reloader_mu);
    g_reloader = r;
}

StatsPublisher& telemetry_publisher() {
    static StatsPublisher publisher;  // process lifetime: the telemetry thread may outlive run()
    return publisher;
}

namespace {

// Every command runs behind guarded(): a throw must not cross into DPDK's telemetry thread.
template <int (*Cmd)(const char*, const char*, rte_tel_data*)>
int guarded_cmd(const char* cmd, const char* params, rte_tel_data* d) {
    return guarded([&] { return Cmd(cmd, params, d); },
                   [cmd](const std::string& what) {
                       std::cerr << "pktsieve: telemetry " << cmd << ": " << what << "\n";
                   },
                   -1);
}

}  // namespace

void register_telemetry() {
    rte_telemetry_register_cmd("/pktsieve/stats", guarded_cmd<stats_cmd>,
                               "pktsieve totals, malformed reasons, threats, rates, devices");
    rte_telemetry_register_cmd("/pktsieve/workers", guarded_cmd<workers_cmd>,
                               "pktsieve per-worker counters (one array per counter). "
                               "Parameter: first worker; as many as fit follow");
    rte_telemetry_register_cmd("/pktsieve/rules", guarded_cmd<rules_cmd>,
                               "pktsieve top rules by hits. Parameter: count (default 10)");
    rte_telemetry_register_cmd("/pktsieve/ports", guarded_cmd<ports_cmd>,
                               "pktsieve top destination ports by alerts. Parameter: count");
    rte_telemetry_register_cmd("/pktsieve/document", guarded_cmd<telemetry::document_cmd>,
                               "pktsieve stats document (the --stats-json text), base64 in "
                               "parts. Parameters: none (newest, part 0) or generation,part");
    rte_telemetry_register_cmd("/pktsieve/metrics", guarded_cmd<telemetry::metrics_cmd>,
                               "pktsieve Prometheus metrics (the /metrics text), base64 in "
                               "parts. Parameters: none (newest, part 0) or generation,part");
    rte_telemetry_register_cmd("/pktsieve/observations", guarded_cmd<telemetry::observations_cmd>,
                               "pktsieve observations since start: accesses, sensor addresses, "
                               "top ports (parameter: count, default 20), threats");
    rte_telemetry_register_cmd("/pktsieve/intel", guarded_cmd<telemetry::intel_cmd>,
                               "pktsieve attacker intel since start. Parameter: "
                               "telnet_credentials, proxy_targets, traversal_targets or "
                               "rce_commands");
    rte_telemetry_register_cmd("/pktsieve/reload", guarded_cmd<reload_cmd>,
                               "pktsieve: reload the rules. Parameters: rule files (default: "
                               "the running set's)");
}

}  // namespace pktsieve
