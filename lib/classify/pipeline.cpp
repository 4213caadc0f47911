#include "classify/pipeline.hpp"

#include "packet/flow_hash.hpp"

#include <algorithm>
#include <cstddef>

namespace pktsieve {

FlowDir stateless_direction(const Ruleset& rs, const Packet& p) {
    if (p.proto == kProtoTcp && (p.tcp_flags & kTcpSyn))
        return (p.tcp_flags & kTcpAck) ? FlowDir::to_client : FlowDir::to_server;
    const bool d = rs.is_server_port(p.dport), s = rs.is_server_port(p.sport);
    if (d != s) return d ? FlowDir::to_server : FlowDir::to_client;
    return p.dport <= p.sport ? FlowDir::to_server : FlowDir::to_client;
}

Pipeline::Pipeline(const Ruleset& rs, unsigned worker, WorkerStats& stats, BurstAlerts& alerts,
                   const FlowTableConfig& flows)
    : rs_(&rs),
      worker_(worker),
      scratch_(rs.scratch(worker)),
      stats_(&stats),
      alerts_(&alerts),
      http_(stats.counters, rs.tcp_matching() == TcpMatching::stream ? kHttpSlots : 0),
      telnet_(rs.tcp_matching() == TcpMatching::stream ? kTelnetSlots : 0) {
    if (stats.rules.size() < rs.slot_count()) stats.rules.resize(rs.slot_count());
    if (rs.tcp_matching() != TcpMatching::stream) return;
    flows_.emplace(flows);
    match_ = ZeroedArray<FlowMatch>(flows.capacity);
    marks_ = ZeroedArray<uint8_t>(flows.capacity);
    size_flowbits();
    windows_ = SlotPool(kWindowSlots, kStreamWindow);
    first_segments_ = SlotPool(flows.capacity, kFirstBytes);
    // Two directions per flow, plus one stream a gap restart may hold while its old one closes.
    pool_ = std::make_unique<StreamPool>(std::max<size_t>(rs.max_stream_size(), 1),
                                         size_t{flows.capacity} * 2 + 1);
    previous_pool_ = StreamPool::install(pool_.get());
}

Pipeline::~Pipeline() {
    if (!flows_) return;
    // Streams still open go back to the pool without reporting; finish() reports them.
    for (uint32_t i = 0; i < flows_->used_indices(); ++i)
        if (marks_[i] & kMatchLive)
            for (auto& d : match_[i].dir)
                if (d.stream) hs_close_stream(d.stream, nullptr, nullptr, nullptr);
    // Restore only if nobody installed another pool since (pipelines on one thread need not
    // end in the order they began).
    if (StreamPool::current() == pool_.get()) StreamPool::install(previous_pool_);
}

void Pipeline::switch_rules(const Ruleset& rs) {
    rs_ = &rs;
    scratch_ = rs.scratch(worker_);
    ++generation_;
    ++stats_->counters.reload_switches;
    if (stats_->rules.size() < rs.slot_count()) stats_->rules.resize(rs.slot_count());
    rates_.clear();  // keyed by rule index, which the new set renumbers
    if (flows_) size_flowbits();
    if (!flows_ || rs.max_stream_size() + 16 <= pool_->block_size()) return;
    // Streams of the old pool go back to it as their flows move on; it is freed once empty.
    retired_pools_.push_back(std::move(pool_));
    pool_ = std::make_unique<StreamPool>(rs.max_stream_size(), size_t{flows_->capacity()} * 2 + 1);
    StreamPool::install(pool_.get());
}

// Flows keep their flowbits across a reload only until they adopt the new set (adopt_rules
// marks them unset), so growing the words per flow may lay the old bits out anew: they are
// cleared.
void Pipeline::size_flowbits() {
    const auto words = static_cast<uint32_t>(std::max<size_t>(1, (rs_->flowbit_count() + 63) / 64));
    if (words == flowbit_words_ && !flowbits_.empty()) return;
    flowbit_words_ = words;
    flowbits_ = ZeroedArray<uint64_t>(match_.size() * words);
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
    return !p.later_fragment;
}

void Pipeline::process(const uint8_t* data, uint32_t len, uint64_t ts_us) {
    Staged s;
    stage(data, len, s);
    process(s, ts_us);
}

void Pipeline::stage(const uint8_t* data, uint32_t len, Staged& s) const {
    s.len = len;
    s.m = parse(data, len, s.p, link_);
    const Packet& p = s.p;
    s.tracked = false;
    s.group = s.m == Malformed::none ? rs_->group_for(p.proto, p.dport) : nullptr;
    if (s.m != Malformed::none || !flows_ || p.proto != kProtoTcp || p.l3 == L3::none ||
        p.later_fragment)
        return;
    // No flow lookup for what needs no flow state: a bare ACK (the first data segment
    // completes the handshake just as well), or data towards a port whose group has no
    // stream, HTTP or flowbits rule (e.g. server responses to ephemeral ports). SYN, FIN and
    // RST always count.
    const PortGroup* g = s.group;
    s.tracked =
        (p.tcp_flags & (kTcpSyn | kTcpFin | kTcpRst)) || (p.payload_len > 0 && g && g->flow_state);
    if (!s.tracked) return;
    s.hash = symmetric_flow_hash(p);
    flows_->prefetch_slot(s.hash);
}

void Pipeline::prefetch(const Staged& s) const {
    if (!s.tracked) return;
    const uint32_t i = flows_->prefetch_flow(s.hash);
    if (i == FlowTable::kNone) return;
    // Its mark and match state whether or not they will be needed: reading the mark here to
    // decide waited for a miss in this loop (stage_cost on the mix: 80.7 ns a frame with the
    // read, 78.1 without); a flow without match state (a scan's repeated SYN) costs two lines
    // fetched for nothing.
    __builtin_prefetch(&marks_[i]);
    // Only the lines every packet reads: prefetching all of a burst's state at once would
    // fill the core's line fill buffers and stall the burst instead.
    const auto* m = reinterpret_cast<const char*>(&match_[i]);
    for (size_t at = 0; at < kFlowMatchHot; at += 64) __builtin_prefetch(m + at);
}

void Pipeline::process(const Staged& s, uint64_t ts_us) {
    Counters& c = stats_->counters;
    ++c.rx_packets;
    c.rx_bytes += s.len;
    const Packet& p = s.p;
    if (!count_parse(s.m, p)) return;
    latest_ts_ = std::max(latest_ts_, ts_us);
    if (recorder_) observe_packet(p, ts_us);
    const PortGroup* g = s.group;
    if (s.tracked) return track_tcp(p, s.hash, g, ts_us);
    if (worth_scanning(g, p)) scan_packet(g, p, stateless(g, p), ts_us);
}

Pipeline::Verdict Pipeline::stateless(const PortGroup* g, const Packet& p) {
    Verdict v{stateless_direction(*rs_, p), true, false, false, nullptr, false, {}};
    if (g && g->reads_dns && p.payload_len) v.dns = parse_dns(p);
    if (g && g->reads_http && p.payload_len) {
        const std::string_view in(reinterpret_cast<const char*>(p.payload()), p.payload_len);
        v.http = http_start(in.substr(request_filler(in))) == HttpStart::request;
    }
    return v;
}

// What is matched per packet: whole rules and prefilters of the packet database, the group's
// rules without prefilter, and (without flow state) HTTP requests the packet begins.
void Pipeline::scan_packet(const PortGroup* g, const Packet& p, const Verdict& v, uint64_t ts_us) {
    if (!g) return;
    if (p.payload_len > 0) {
        const hs_database_t* db = g->db[direction_index(v.dir)].get();
        const std::string_view payload{reinterpret_cast<const char*>(p.payload()), p.payload_len};
        if (v.stream_bytes.empty()) {
            scan_block(db, payload, Scope::all, p, v, ts_us);
        } else {
            // Prefilters are found in the stream's window too, across segment boundaries;
            // flow:stateless rules still look at the packet alone.
            scan_block(db, v.stream_bytes, Scope::in_stream, p, v, ts_us);
            if (g->stateless_in_db) scan_block(db, payload, Scope::stateless, p, v, ts_us);
        }
        if (!flows_ && g->reads_http) http_packet(p, v, ts_us);
        if (!flows_ && g->reads_telnet) telnet_packet(*g, p, v, ts_us);
        if (v.dns) match_dns(g, p, v, ts_us);
    }
    if (!g->always.empty()) report_list(g->always, p, v, ts_us, nullptr);
}

void Pipeline::scan_block(const hs_database_t* db, std::string_view bytes, Scope scope,
                          const Packet& p, const Verdict& v, uint64_t ts_us) {
    if (!db || bytes.empty()) return;
    Matches m;
    Counters& c = stats_->counters;
    ++c.scanned_packets;
    c.scanned_bytes += bytes.size();
    if (hs_scan(db, bytes.data(), static_cast<unsigned>(bytes.size()), 0, scratch_, collect, &m) !=
        HS_SUCCESS)
        ++c.scan_errors;
    if (scope != Scope::all) {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < m.n; ++i)
            if (rs_->rules()[m.ids[i]].flow_stateless == (scope == Scope::stateless))
                m.ids[kept++] = m.ids[i];
        m.n = kept;
    }
    report(m, p, v, ts_us, nullptr);
}

// One buffer of a packet (a DNS query's name, a Telnet client's lines): its database's
// candidates and the group's rules without a prefilter for it, with the payload beside it.
void Pipeline::match_buffer(const PortGroup& g, Buffer which, std::string_view bytes,
                            const std::vector<uint32_t>& always, const Packet& p, const Verdict& v,
                            uint64_t ts_us) {
    Counters& c = stats_->counters;
    Buffers b;
    b.set(Buffer::payload, {reinterpret_cast<const char*>(p.payload()), p.payload_len});
    b.set(which, bytes);
    Matches m;
    if (const hs_database_t* db = g.by_buffer[static_cast<size_t>(which)].get()) {
        ++c.scanned_packets;
        c.scanned_bytes += bytes.size();
        if (hs_scan(db, bytes.data(), static_cast<unsigned>(bytes.size()), 0, scratch_, collect,
                    &m) != HS_SUCCESS)
            ++c.scan_errors;
    }
    report(m, p, v, ts_us, &b);
    report_list(always, p, v, ts_us, &b);
}

void Pipeline::housekeeping() {
    if (!flows_) return;
    std::erase_if(retired_pools_, [](const auto& p) { return p->in_use() == 0; });
    flows_->expire(latest_ts_, 256, [this](uint32_t i, const Flow& f) { close_flow(i, f); });
}

void Pipeline::finish() {
    if (!flows_) return;
    flows_->for_each([this](uint32_t i, const Flow& f) { close_flow(i, f); });
}

void Pipeline::sync_counters() {
    Counters& c = stats_->counters;
    c.rate_replaced = rates_.replaced();
    c.dedup_replaced = dedup_.replaced();
    stats_->packet_time_us = latest_ts_;
    if (!flows_) return;
    const FlowCounts& fc = flows_->counts();
    c.flows_active = flows_->active();
    c.flows_created = fc.created;
    c.flows_closed = fc.closed;
    c.flows_evicted = fc.evicted;
    c.flows_timed_out = fc.timed_out;
    c.flow_memory_bytes = flows_->memory_bytes() + match_.memory_bytes() + marks_.memory_bytes() +
                          flowbits_.memory_bytes() + dedup_.memory_bytes() + pool_->memory_bytes() +
                          http_.memory_bytes() + rates_.memory_bytes() + telnet_.memory_bytes() +
                          windows_.memory_bytes() + first_segments_.memory_bytes();
}

int Pipeline::collect(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
    auto* m = static_cast<Matches*>(ctx);
    for (uint32_t i = 0; i < m->n; ++i)
        if (m->ids[i] == id) return 0;  // a stream reports every match: one hit per segment
    if (m->n < kMaxMatches)
        m->ids[m->n++] = id;
    else
        ++m->overflow;
    return 0;
}

}  // namespace pktsieve
