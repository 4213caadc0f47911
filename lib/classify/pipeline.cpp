#include "classify/pipeline.hpp"

namespace pktsieve {

namespace {

constexpr uint8_t kSyn = 0x02;
constexpr uint8_t kAck = 0x10;

bool one_way(const Rule& r, const IpAddr& src, uint16_t sport, const IpAddr& dst, uint16_t dport) {
    return r.sport.contains(sport) && r.dport.contains(dport) && r.src.match(src) &&
           r.dst.match(dst);
}

}  // namespace

FlowDir stateless_direction(const Ruleset& rs, const Packet& p) {
    if (p.proto == kProtoTcp && (p.tcp_flags & kSyn))
        return (p.tcp_flags & kAck) ? FlowDir::to_client : FlowDir::to_server;
    const bool d = rs.is_server_port(p.dport), s = rs.is_server_port(p.sport);
    if (d != s) return d ? FlowDir::to_server : FlowDir::to_client;
    return p.dport <= p.sport ? FlowDir::to_server : FlowDir::to_client;
}

bool header_matches(const Rule& r, const Packet& p, FlowDir dir) {
    if (r.flow != FlowDir::any && r.flow != dir) return false;
    return one_way(r, p.src, p.sport, p.dst, p.dport) ||
           (r.bidirectional && one_way(r, p.dst, p.dport, p.src, p.sport));
}

bool Pipeline::count_parse(Malformed m, const Packet& p) {
    Counters& c = stats_->counters;
    if (m != Malformed::none) {
        c.count_malformed(m);
        return false;
    }
    ++c.parsed;
    if (p.l3 == L3::none) {
        ++c.non_ip;
        return false;
    }
    ++(p.l3 == L3::ipv4 ? c.ipv4 : c.ipv6);
    ++(p.proto == kProtoTcp ? c.tcp : p.proto == kProtoUdp ? c.udp : c.other_l4);
    c.fragments += p.fragment;
    c.later_fragments += p.later_fragment;
    return !p.later_fragment && p.payload_len > 0;
}

void Pipeline::process(const uint8_t* data, uint32_t len, uint64_t ts_us) {
    Counters& c = stats_->counters;
    ++c.rx_packets;
    c.rx_bytes += len;
    Packet p;
    if (count_parse(parse(data, len, p), p)) scan(p, ts_us);
}

void Pipeline::scan(const Packet& p, uint64_t ts_us) {
    const hs_database_t* db = rs_->database_for(p.proto, p.dport);
    if (!db) return;
    Matches m;
    auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned,
                       void* ctx) -> int {
        auto* mm = static_cast<Matches*>(ctx);
        if (mm->n < kMaxMatches)
            mm->ids[mm->n++] = id;
        else
            ++mm->overflow;
        return 0;
    };
    Counters& c = stats_->counters;
    ++c.scanned_packets;
    c.scanned_bytes += p.payload_len;
    hs_scan(db, reinterpret_cast<const char*>(p.payload()), p.payload_len, 0, scratch_, on_match,
            &m);
    c.match_overflow += m.overflow;
    if (m.n == 0) return;
    const FlowDir dir = stateless_direction(*rs_, p);
    for (uint32_t i = 0; i < m.n; ++i) on_rule(m.ids[i], p, dir, ts_us);
}

void Pipeline::on_rule(uint32_t rule, const Packet& p, FlowDir dir, uint64_t ts_us) {
    if (!header_matches(rs_->rules()[rule], p, dir)) return;
    RuleCount& rc = stats_->rules[rule];
    ++rc.hits;
    ++rc.alerts;
    ++stats_->counters.alerts;
    stats_->ports.add(p.dport);
    AlertRecord a;
    a.ts_us = ts_us;
    a.rule = rule;
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
