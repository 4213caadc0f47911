#include "stats/render.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "stats/json.hpp"

namespace pktsieve {

namespace {

std::string rule_key(const RuleStat& r) {
    return r.gid == 1 ? std::to_string(r.sid) : fmt::format("{}:{}", r.gid, r.sid);
}

// {"group": {"key": n, ...}, ...} in table order.
void counter_groups(std::string& o, const Counters& c) {
    std::string_view open;
    for (const auto& info : kCounterInfo) {
        if (info.group != open) {
            if (!open.empty()) o += "}, ";
            o += fmt::format("{}: {{", json_quote(info.group));
            open = info.group;
        } else {
            o += ", ";
        }
        o += fmt::format("{}: {}", json_quote(info.key), c.*info.field);
    }
    if (!open.empty()) o += "}";
}

void malformed_object(std::string& o, const Counters& c) {
    o += "\"malformed\": {";
    for (size_t i = 0; i < kMalformedInfo.size(); ++i)
        o += fmt::format("{}{}: {}", i ? ", " : "", json_quote(kMalformedInfo[i].name),
                         c.malformed_by[i]);
    o += "}";
}

}  // namespace

std::string render_json(const StatsView& v) {
    std::string o = "{";
    counter_groups(o, v.total);
    o += ", ";
    malformed_object(o, v.total);
    o += ", \"threats\": {";
    bool first = true;
    for (const auto& [name, n] : v.threat_alerts()) {
        o += fmt::format("{}{}: {{\"alerts\": {}}}", first ? "" : ", ", json_quote(name), n);
        first = false;
    }
    o += "}, \"rules\": {";
    first = true;
    for (const auto& r : v.rules) {
        o += fmt::format(
            "{}{}: {{\"gid\": {}, \"sid\": {}, \"rev\": {}, \"msg\": {}, \"threat\": {}, "
            "\"hits\": {}, \"alerts\": {}}}",
            first ? "" : ", ", json_quote(rule_key(r)), r.gid, r.sid, r.rev, json_quote(r.msg),
            json_quote(r.threat), r.hits, r.alerts);
        first = false;
    }
    o += "}, \"ports\": {";
    first = true;
    for (const auto& [port, n] : v.port_alerts) {
        o += fmt::format("{}\"{}\": {{\"alerts\": {}, \"threats\": {{", first ? "" : ", ", port, n);
        bool first_threat = true;
        for (auto it = v.port_threat_alerts.lower_bound({port, ""});
             it != v.port_threat_alerts.end() && it->first.first == port; ++it) {
            o += fmt::format("{}{}: {}", first_threat ? "" : ", ", json_quote(it->first.second),
                             it->second);
            first_threat = false;
        }
        o += "}}";
        first = false;
    }
    o += "}, \"workers\": [";
    for (size_t i = 0; i < v.workers.size(); ++i) {
        o += fmt::format("{}{{\"lcore\": {}, ", i ? ", " : "", v.workers[i].lcore);
        counter_groups(o, v.workers[i].counters);
        o += "}";
    }
    o += "], \"devices\": [";
    for (size_t i = 0; i < v.devices.size(); ++i) {
        const auto& d = v.devices[i];
        o += fmt::format(
            "{}{{\"port\": {}, \"name\": {}, \"ipackets\": {}, \"ibytes\": {}, \"imissed\": {}, "
            "\"ierrors\": {}, \"rx_nombuf\": {}}}",
            i ? ", " : "", d.port, json_quote(d.name), d.ipackets, d.ibytes, d.imissed, d.ierrors,
            d.rx_nombuf);
    }
    o += fmt::format("], \"distribution\": {{\"mode\": {}, \"rx_lcores\": [",
                     json_quote(v.distribution));
    for (size_t i = 0; i < v.distributors.size(); ++i) {
        const auto& d = v.distributors[i];
        o += fmt::format("{}{{\"lcore\": {}, \"packets\": {}, \"ring_full_waits\": {}}}",
                         i ? ", " : "", d.lcore, d.packets, d.ring_full_waits);
    }
    o += fmt::format("]}}, \"pool\": {{\"mbufs\": {}, \"in_use\": {}}}, \"rates\": [", v.pool.mbufs,
                     v.pool.in_use);
    for (size_t i = 0; i < v.rates.size(); ++i) {
        const auto& r = v.rates[i];
        o += fmt::format(
            "{}{{\"window_seconds\": {}, \"span_seconds\": {:.3f}, \"packets_per_second\": "
            "{:.1f}, \"bits_per_second\": {:.1f}, \"alerts_per_second\": {:.3f}, "
            "\"scanned_per_second\": {:.1f}}}",
            i ? ", " : "", r.window_s, r.span_s, r.packets, r.bits, r.alerts, r.scanned);
    }
    const ObservationStat& ob = v.observations;
    o += fmt::format(
        "], \"observations\": {{\"sensor\": {}, \"interval_seconds\": {}, \"records\": {}, "
        "\"late_pieces\": {}, \"totals\": {}}}",
        json_quote(ob.sensor), ob.interval_s, ob.records, ob.late_pieces,
        observation_json(ob.totals ? *ob.totals : ObservationSummary{}));
    const RulesetStat& rs = v.ruleset;
    o += fmt::format(
        ", \"ruleset\": {{\"rules\": {}, \"failed\": {}, \"skipped\": {}, \"groups\": {}, "
        "\"database_bytes\": {}, \"generation\": {}, \"hash\": {}, \"compile_seconds\": {:.6f}, "
        "\"reloads\": {}, \"reload_failures\": {}, \"last_reload_error\": {}}}, "
        "\"generation\": {}, \"tsc_hz\": {}, \"elapsed_seconds\": {:.6f}}}\n",
        v.rules.size(), rs.failed, rs.skipped, rs.groups, rs.db_bytes, rs.generation,
        json_quote(rs.hash), rs.compile_seconds, rs.reloads, rs.reload_failures,
        json_quote(rs.last_error), v.generation, v.tsc_hz, v.elapsed_s);
    return o;
}

std::string render_table(const StatsView& v) {
    std::string o = fmt::format("pktsieve stats ({:.3f} s)\n", v.elapsed_s);
    std::string_view group;
    for (const auto& info : kCounterInfo) {
        if (info.group != group) o += fmt::format("{}:\n", info.group);
        group = info.group;
        o += fmt::format("  {:<18} {:>14}\n", info.key, v.total.*info.field);
    }
    if (v.total.malformed) {
        o += "malformed by reason:\n";
        for (size_t i = 0; i < kMalformedInfo.size(); ++i)
            if (v.total.malformed_by[i])
                o += fmt::format("  {:<30} {:>10}\n", kMalformedInfo[i].name,
                                 v.total.malformed_by[i]);
    }
    o += fmt::format("{:<20} {:>10}\n", "threat", "alerts");
    for (const auto& [name, n] : v.threat_alerts()) o += fmt::format("  {:<18} {:>10}\n", name, n);
    o += fmt::format("{:<20} {:>10}\n", "dest port", "alerts");
    for (const auto& [port, n] : v.port_alerts) o += fmt::format("  {:<18} {:>10}\n", port, n);
    std::vector<const RuleStat*> top;
    for (const auto& r : v.rules)
        if (r.hits) top.push_back(&r);
    std::stable_sort(top.begin(), top.end(), [](auto* a, auto* b) { return a->hits > b->hits; });
    o += fmt::format("{:<20} {:>10} {:>10}  {}\n", "rule (gid:sid)", "hits", "alerts", "msg");
    for (const auto* r : top)
        o += fmt::format("  {:<18} {:>10} {:>10}  {}\n", fmt::format("{}:{}", r->gid, r->sid),
                         r->hits, r->alerts, r->msg);
    o += fmt::format("{:<20} {:>10} {:>10}\n", "worker lcore", "packets", "alerts");
    for (const auto& w : v.workers)
        o += fmt::format("  {:<18} {:>10} {:>10}\n", w.lcore, w.counters.rx_packets,
                         w.counters.alerts);
    if (!v.distribution.empty()) o += fmt::format("distribution: {}\n", v.distribution);
    o += fmt::format(
        "rule set: generation {} ({}), {} rules, {} failed, {} skipped, {} database bytes, "
        "compiled in {:.3f} s; {} reloads, {} rejected\n",
        v.ruleset.generation, v.ruleset.hash, v.rules.size(), v.ruleset.failed, v.ruleset.skipped,
        v.ruleset.db_bytes, v.ruleset.compile_seconds, v.ruleset.reloads,
        v.ruleset.reload_failures);
    for (const auto& d : v.distributors)
        o += fmt::format("rx lcore {}: {} packets, {} waits on full worker rings\n", d.lcore,
                         d.packets, d.ring_full_waits);
    for (const auto& r : v.rates)
        if (r.span_s > 0)
            o +=
                fmt::format("rate {:>3.0f} s: {:>12.1f} pkt/s {:>14.1f} bit/s {:>10.3f} alerts/s\n",
                            r.window_s, r.packets, r.bits, r.alerts);
    for (const auto& d : v.devices)
        o += fmt::format("device {} ({}): ipackets {} imissed {} ierrors {} rx_nombuf {}\n", d.port,
                         d.name, d.ipackets, d.imissed, d.ierrors, d.rx_nombuf);
    if (v.pool.mbufs)
        o += fmt::format("mbuf pool: {} mbufs, {} in use\n", v.pool.mbufs, v.pool.in_use);
    if (v.observations.totals) o += observation_table(*v.observations.totals, 10);
    return o;
}

}  // namespace pktsieve
