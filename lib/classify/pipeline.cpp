#include "classify/pipeline.hpp"

#include "packet/flow_hash.hpp"

#include <algorithm>
#include <cstddef>

namespace pktsieve {

namespace {

// Whether a packet without flow state has anything to be matched by (its direction is worked
// out only then).
inline bool worth_scanning(const PortGroup* g, const Packet& p) {
    return g && ((p.payload_len > 0 &&
                  (g->db[0] || g->db[1] || g->reads_http || g->reads_dns || g->reads_telnet)) ||
                 !g->always.empty());
}

// The packet a flow direction's end-of-stream matches are reported as.
Packet as_packet(const Flow& f, bool from_a) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    Packet q;
    q.l3 = std::equal(kMapped, kMapped + 12, f.key.a.begin()) ? L3::ipv4 : L3::ipv6;
    q.proto = f.key.proto;
    q.src = from_a ? f.key.a : f.key.b;
    q.dst = from_a ? f.key.b : f.key.a;
    q.sport = from_a ? f.key.port_a : f.key.port_b;
    q.dport = from_a ? f.key.port_b : f.key.port_a;
    q.vlan_count = f.key.vlan ? 1 : 0;
    q.vlan[0] = f.key.vlan;
    return q;
}

}  // namespace

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
    size_flowbits();
    window_mem_ = ZeroedArray<char>(size_t{kWindowSlots} * kStreamWindow);
    for (uint32_t i = kWindowSlots; i > 0; --i) window_free_.push_back(i - 1);
    // Two directions per flow, plus one stream a gap restart may hold while its old one closes.
    pool_ = std::make_unique<StreamPool>(std::max<size_t>(rs.max_stream_size(), 1),
                                         size_t{flows.capacity} * 2 + 1);
    previous_pool_ = StreamPool::install(pool_.get());
}

Pipeline::~Pipeline() {
    if (!flows_) return;
    // Streams still open go back to the pool without reporting; finish() reports them.
    for (uint32_t i = 0; i < match_ready_; ++i)
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

// A flow's match state from an earlier rule set: its streams are dropped unreported (the old
// databases may be gone) and restart at the flow's next byte under the new set; partial
// matches, alert de-duplication and flowbits start afresh. HTTP parsing carries on.
void Pipeline::adopt_rules(FlowMatch& fm) {
    for (auto& d : fm.dir) {
        if (d.stream) StreamPool::discard(d.stream);
        d.stream = nullptr;
        d.n_parts = 0;
        release_window(d);  // the window starts again with the new stream
        d.window_over = false;
    }
    fm.n_alerted = 0;
    fm.serial = ++next_serial_;
    std::fill_n(flowbits_of(fm), flowbit_words_, 0);
    fm.generation = generation_;
}

// Flows keep their flowbits across a reload only until they adopt the new set (adopt_rules
// clears them), so growing the words per flow may lay the old bits out anew: they are cleared.
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
    if (i == FlowTable::kNone || i >= match_ready_) return;
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

void Pipeline::track_tcp(const Packet& p, uint64_t hash, const PortGroup* g, uint64_t ts_us) {
    const Tracked t =
        flows_->track(p, hash, ts_us, stateless_direction(*rs_, p) == FlowDir::to_server);
    // An index handed out the first time holds zeroed bytes, not yet a FlowMatch.
    while (match_ready_ < flows_->used_indices()) match_[match_ready_++] = FlowMatch{};
    if (t.evicted) close_flow(t.index, t.evicted_flow);  // the new flow reuses its index
    if (t.fresh) {
        close_flow(t.index, *t.flow);  // a reused closed flow may keep one direction open
        renew(match_[t.index]);
    }
    if (match_[t.index].generation != generation_) adopt_rules(match_[t.index]);
    Verdict v;
    v.dir = flows_->is_client(*t.flow, t.from_a) ? FlowDir::to_server : FlowDir::to_client;
    v.established = t.flow->state != FlowState::opening;
    v.flow = &match_[t.index];
    v.http = v.flow->http.is_http;
    if (p.payload_len > 0) scan_stream(p, t, g, v, ts_us);
    v.stream_bytes = window_of(v.flow->dir[t.from_a ? 0 : 1]);
    v.head_pending = v.dir == FlowDir::to_server && HttpFollower::head_pending(v.flow->http);
    if (worth_scanning(g, p)) scan_packet(g, p, v, ts_us);  // stateless, verified, no prefilter
    if (p.tcp_flags & (kTcpFin | kTcpRst)) {
        auto& dirs = v.flow->dir;
        for (int i = 0; i < 2; ++i) {
            const bool from_a = i == 0;
            if (from_a != t.from_a && !(p.tcp_flags & kTcpRst)) continue;  // FIN ends one side
            Verdict dv = v;
            dv.dir = flows_->is_client(*t.flow, from_a) ? FlowDir::to_server : FlowDir::to_client;
            dv.head_pending = false;
            const Packet as = as_packet(*t.flow, from_a);
            if (dv.dir == FlowDir::to_server) http_.flush(v.flow->http, head_sink(as, dv, ts_us));
            end_direction(i, as, dv, ts_us);
            release_window(dirs[i]);
            dirs[i].ended = true;
        }
    }
}

// A new flow's state. The part lists keep their old bytes: n_parts and n_alerted, zero now,
// say none is valid, and their lines are not touched.
void Pipeline::renew(FlowMatch& fm) {
    static_assert(offsetof(FlowMatch, parts) == kFlowMatchHot && sizeof(FlowMatch) == 256);
    fm.dir = {};
    fm.generation = generation_;
    fm.n_alerted = 0;
    fm.serial = ++next_serial_;
    fm.http = {};
    fm.telnet = {};
    std::fill_n(flowbits_of(fm), flowbit_words_, 0);
}

void Pipeline::close_flow(uint32_t index, const Flow& f) {
    FlowMatch& fm = match_[index];
    if (fm.generation != generation_) adopt_rules(fm);  // never report through an old set
    for (auto& d : fm.dir) release_window(d);
    for (int i = 0; i < 2; ++i) {
        if (!fm.dir[i].stream) continue;
        const bool from_a = i == 0;
        Verdict v;
        v.dir = flows_->is_client(f, from_a) ? FlowDir::to_server : FlowDir::to_client;
        v.established = f.state != FlowState::opening;
        v.flow = &fm;
        end_direction(i, as_packet(f, from_a), v, f.last_seen_us);
    }
    if (fm.http.slot != HttpFollower::kNoSlot) {
        const bool client_a = flows_->is_client(f, true);
        Verdict v{FlowDir::to_server,
                  f.state != FlowState::opening,
                  fm.http.is_http,
                  false,
                  &fm,
                  false,
                  {}};
        const Packet as = as_packet(f, client_a);
        http_.flush(fm.http, head_sink(as, v, f.last_seen_us));
    }
    http_.release(fm.http);
    telnet_.release(fm.telnet);
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
    c.flow_memory_bytes = flows_->memory_bytes() + match_.memory_bytes() +
                          flowbits_.memory_bytes() + dedup_.memory_bytes() + pool_->memory_bytes() +
                          http_.memory_bytes() + rates_.memory_bytes() + telnet_.memory_bytes() +
                          window_mem_.memory_bytes() + window_free_.capacity() * sizeof(uint32_t);
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
