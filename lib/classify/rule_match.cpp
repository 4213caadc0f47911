// What happens once a rule is a candidate for a packet or request: exact verification where
// the rule needs it, the header and flow conditions, flowbits, rate limits, per-flow
// de-duplication, counting and the alert record.
#include <algorithm>

#include "classify/pipeline.hpp"

namespace pktsieve {

namespace {

bool one_way(const Rule& r, const IpAddr& src, uint16_t sport, const IpAddr& dst, uint16_t dport) {
    return r.sport.contains(sport) && r.dport.contains(dport) && r.src.match(src) &&
           r.dst.match(dst);
}

}  // namespace

bool header_matches(const Rule& r, const Packet& p, FlowDir dir) {
    if (r.flow != FlowDir::any && r.flow != dir) return false;
    return one_way(r, p.src, p.sport, p.dst, p.dport) ||
           (r.bidirectional && one_way(r, p.dst, p.dport, p.src, p.sport));
}

void Pipeline::report(const Matches& m, const Packet& p, const Verdict& v, uint64_t ts_us,
                      const Buffers* bufs) {
    stats_->counters.match_overflow += m.overflow;
    if (rs_->flowbit_count() == 0) {
        for (uint32_t i = 0; i < m.n; ++i)
            if (candidate_holds(m.ids[i], p, v, bufs)) on_rule(m.ids[i], p, v, ts_us);
        return;
    }
    // Rules that only set flowbits go first, so a rule testing the bit in the same packet sees it.
    for (const bool setters : {true, false})
        for (uint32_t i = 0; i < m.n; ++i)
            if (rs_->sets_flowbits_only(m.ids[i]) == setters &&
                candidate_holds(m.ids[i], p, v, bufs))
                on_rule(m.ids[i], p, v, ts_us);
}

void Pipeline::report_list(const std::vector<uint32_t>& rules, const Packet& p, const Verdict& v,
                           uint64_t ts_us, const Buffers* bufs) {
    Matches m;
    for (size_t i = 0; i < rules.size(); i += kMaxMatches) {
        m.n = static_cast<uint32_t>(std::min<size_t>(kMaxMatches, rules.size() - i));
        std::copy_n(rules.begin() + static_cast<long>(i), m.n, m.ids);
        report(m, p, v, ts_us, bufs);
    }
}

bool Pipeline::verified(uint32_t rule, const Packet& p, const Verdict& v, const Buffers* bufs) {
    const Rule& r = rs_->rules()[rule];
    if (!r.verify) return true;
    // A piece of a request head: the gathered head is verified once complete (match_gathered).
    if (v.head_pending && !bufs && !r.needs_http) return false;
    Counters& c = stats_->counters;
    ++c.verify_candidates;
    Buffers payload;  // built only here: most scans nominate no rule to verify
    if (!bufs) {
        // The stream's bytes so far where its window holds them (flow:stateless: the packet).
        payload.set(
            Buffer::payload,
            !v.stream_bytes.empty() && !r.flow_stateless
                ? v.stream_bytes
                : std::string_view{reinterpret_cast<const char*>(p.payload()), p.payload_len});
        bufs = &payload;
    }
    const VerifyResult res = verify_rule(r, rs_->pcre_databases(rule), *bufs, scratch_);
    c.verify_exhausted += res.exhausted;
    return res.matched;
}

bool Pipeline::rate_limited(uint32_t rule, const Rule& r, const Packet& p, uint64_t ts_us) {
    const auto& df = r.detection_filter;
    const auto& th = r.threshold;
    if (df.type == RateLimit::Type::none && th.type == RateLimit::Type::none) return false;
    return !rates_.pass(rule, df, df.by_dst ? p.dst : p.src, ts_us) ||
           !rates_.pass(rule, th, th.by_dst ? p.dst : p.src, ts_us);
}

bool Pipeline::conditions_hold(const Rule& r, const Packet& p, const Verdict& v) const {
    if (!header_matches(r, p, v.dir)) return false;
    if (r.flow_established && !v.established) return false;
    if (r.app_http && !v.http) return false;
    if (r.app_dns && !v.dns) return false;
    if (!r.dsize.matches(p.payload_len) || !r.flags.matches(p.tcp_flags)) return false;
    const uint64_t* bits = v.flow ? flowbits_of(*v.flow) : nullptr;
    for (const auto& op : r.flowbits) {
        const bool set = bits && (bits[op.bit / 64] >> (op.bit % 64) & 1);
        if ((op.op == FlowbitOp::Op::isset && !set) || (op.op == FlowbitOp::Op::isnotset && set))
            return false;
    }
    return true;
}

// The cheap tests first (header, flow, sizes, flags, flowbits): in a large set most candidates
// are rules of other ports sharing a merged port group, or rules without a prefilter.
bool Pipeline::candidate_holds(uint32_t rule, const Packet& p, const Verdict& v,
                               const Buffers* bufs) {
    return conditions_hold(rs_->rules()[rule], p, v) && verified(rule, p, v, bufs);
}

void Pipeline::on_rule(uint32_t rule, const Packet& p, const Verdict& v, uint64_t ts_us) {
    const Rule& r = rs_->rules()[rule];
    RuleCount& rc = stats_->rules[rs_->slot(rule)];
    ++rc.hits;
    if (v.flow && !r.flowbits.empty()) {
        uint64_t* bits = flowbits_for_update(*v.flow);
        for (const auto& op : r.flowbits) {
            uint64_t& word = bits[op.bit / 64];
            const uint64_t bit = uint64_t{1} << (op.bit % 64);
            if (op.op == FlowbitOp::Op::set) word |= bit;
            if (op.op == FlowbitOp::Op::unset) word &= ~bit;
            if (op.op == FlowbitOp::Op::toggle) word ^= bit;
        }
    }
    if (r.noalert) return;
    if (rate_limited(rule, r, p, ts_us)) {
        ++stats_->counters.alerts_suppressed;
        return;
    }
    if (v.flow) {  // one alert per flow and rule
        auto& fm = *v.flow;
        const auto end = fm.alerted.begin() + fm.n_alerted;
        if (std::find(fm.alerted.begin(), end, rule) != end) return;
        if (fm.n_alerted < kAlertSlots)
            fm.alerted[fm.n_alerted++] = rule;
        else if (dedup_.seen(fm.serial, rule))
            return;
    }
    ++rc.alerts;
    ++stats_->counters.alerts;
    if (recorder_) observe_alert(rule, p, v);
    stats_->ports.add(p.dport, rs_->slot(rule));
    AlertRecord a;
    a.ts_us = ts_us;
    a.rule = rule;
    a.generation = static_cast<uint32_t>(rs_->info.generation);
    a.sport = p.sport;
    a.dport = p.dport;
    a.src = p.src;
    a.dst = p.dst;
    a.vlan = p.vlan;
    a.vlan_count = p.vlan_count;
    a.l3 = p.l3;
    a.proto = p.proto;
    if (!alerts_->push(a)) ++stats_->counters.alerts_unlogged;
}

}  // namespace pktsieve
