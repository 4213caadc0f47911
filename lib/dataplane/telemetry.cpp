#include "dataplane/telemetry.hpp"

#include "guard/guarded.hpp"

#include "dataplane/reloader.hpp"

#include <fmt/format.h>
#include <rte_telemetry.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

namespace pktsieve {

namespace {

// Telemetry frees containers added with keep = 0 together with the response.
template <typename T, typename Fn>
void add_u64_column(rte_tel_data* d, const char* name, const std::vector<T>& rows, Fn value) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (!c) return;
    rte_tel_data_start_array(c, RTE_TEL_U64_VAL);
    for (const auto& r : rows) rte_tel_data_add_array_u64(c, value(r));
    rte_tel_data_add_dict_container(d, name, c, 0);
}

template <typename T, typename Fn>
void add_string_column(rte_tel_data* d, const char* name, const std::vector<T>& rows, Fn value) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (!c) return;
    rte_tel_data_start_array(c, RTE_TEL_STRING_VAL);
    for (const auto& r : rows) {
        std::string s = value(r);
        s.resize(std::min<size_t>(s.size(), RTE_TEL_MAX_STRING_LEN - 1));
        rte_tel_data_add_array_string(c, s.c_str());
    }
    rte_tel_data_add_dict_container(d, name, c, 0);
}

unsigned param_count(const char* params, unsigned def, unsigned max) {
    if (!params || !*params) return def;
    const unsigned long n = std::strtoul(params, nullptr, 10);
    return n == 0 ? def : static_cast<unsigned>(std::min<unsigned long>(n, max));
}

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

int workers_cmd(const char*, const char*, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    rte_tel_data_start_dict(d);
    add_u64_column(d, "lcore", v->workers, [](auto& w) { return uint64_t{w.lcore}; });
    for (const auto& c : kCounterInfo)
        add_u64_column(d, fmt::format("{}_{}", c.group, c.key).c_str(), v->workers,
                       [&](auto& w) { return w.counters.*c.field; });
    return 0;
}

int rules_cmd(const char*, const char* params, rte_tel_data* d) {
    const auto v = telemetry_publisher().latest();
    if (!v) return -1;
    std::vector<const RuleStat*> top;
    for (const auto& r : v->rules) top.push_back(&r);
    std::stable_sort(top.begin(), top.end(), [](auto* a, auto* b) { return a->hits > b->hits; });
    top.resize(std::min<size_t>(top.size(), param_count(params, 10, 100)));
    rte_tel_data_start_dict(d);
    add_u64_column(d, "gid", top, [](auto* r) { return uint64_t{r->gid}; });
    add_u64_column(d, "sid", top, [](auto* r) { return uint64_t{r->sid}; });
    add_u64_column(d, "rev", top, [](auto* r) { return uint64_t{r->rev}; });
    add_u64_column(d, "hits", top, [](auto* r) { return r->hits; });
    add_u64_column(d, "alerts", top, [](auto* r) { return r->alerts; });
    add_string_column(d, "threat", top, [](auto* r) { return r->threat; });
    add_string_column(d, "msg", top, [](auto* r) { return r->msg; });
    rte_tel_data_add_dict_u64(d, "rules_loaded", v->rules.size());
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

std::vector<std::string> split_params(const char* params) {
    std::vector<std::string> out;
    std::string cur;
    for (const char* p = params ? params : ""; *p; ++p) {
        if (*p == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(*p);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// At most 64 lines: a reply is bounded (16 KiB); the first ones say what to fix.
void add_rule_errors(rte_tel_data* d, const char* name, const std::vector<RuleError>& all) {
    const std::vector<RuleError> first(all.begin(),
                                       all.begin() + std::min<ptrdiff_t>(all.size(), 64));
    add_string_column(d, name, first, [](auto& e) { return e.str(); });
}

int reload_cmd(const char*, const char* params, rte_tel_data* d) {
    std::lock_guard lock(g_reloader_mu);
    if (!g_reloader) return -1;
    const ReloadResult r = g_reloader->reload(split_params(params));
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
                               "pktsieve per-worker counters (one array per counter)");
    rte_telemetry_register_cmd("/pktsieve/rules", guarded_cmd<rules_cmd>,
                               "pktsieve top rules by hits. Parameter: count (default 10)");
    rte_telemetry_register_cmd("/pktsieve/ports", guarded_cmd<ports_cmd>,
                               "pktsieve top destination ports by alerts. Parameter: count");
    rte_telemetry_register_cmd("/pktsieve/reload", guarded_cmd<reload_cmd>,
                               "pktsieve: reload the rules. Parameters: rule files (default: "
                               "the running set's)");
}

}  // namespace pktsieve
