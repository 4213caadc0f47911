// A tracked TCP flow's match state (FlowMatch): made valid the first time a packet of the flow
// has something to match, adopted by a reloaded rule set, and closed with the flow. A flow
// that never carries data (a scan's SYN, the RST that answers it) is counted and observed
// without it.
#include <algorithm>
#include <cstddef>

#include "classify/pipeline.hpp"

namespace pktsieve {

namespace {

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

void Pipeline::track_tcp(const Packet& p, uint64_t hash, const PortGroup* g, uint64_t ts_us) {
    const Tracked t = flows_->track(
        p, hash, ts_us, [&] { return stateless_direction(*rs_, p) == FlowDir::to_server; });
    if (t.evicted) close_flow(t.index, *t.evicted);  // the new flow reuses its index
    if (t.fresh) close_flow(t.index, *t.flow);       // a reused closed flow may keep a side open
    const bool scans = worth_scanning(g, p);
    uint8_t& marks = marks_[t.index];
    if (!(marks & kMatchLive) && p.payload_len == 0 && !scans) {
        // Nothing to match and nothing kept: only which sides ended is remembered.
        if (p.tcp_flags & kTcpRst) marks |= kEndedA | kEndedB;
        if (p.tcp_flags & kTcpFin) marks |= t.from_a ? kEndedA : kEndedB;
        return;
    }
    Verdict v;
    v.dir = flows_->is_client(*t.flow, t.from_a) ? FlowDir::to_server : FlowDir::to_client;
    v.established = t.flow->state != FlowState::opening;
    v.flow = &live_match(t.index);
    v.http = v.flow->http.is_http;
    if (p.payload_len > 0) scan_stream(p, t, g, v, ts_us);
    v.stream_bytes = window_of(v.flow->dir[t.from_a ? 0 : 1]);
    v.head_pending = v.dir == FlowDir::to_server && HttpFollower::head_pending(v.flow->http);
    if (scans) scan_packet(g, p, v, ts_us);  // stateless, verified, no prefilter
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

Pipeline::FlowMatch& Pipeline::live_match(uint32_t index) {
    FlowMatch& fm = match_[index];
    uint8_t& marks = marks_[index];
    if (!(marks & kMatchLive)) {
        renew(fm);
        fm.dir[0].ended = marks & kEndedA;
        fm.dir[1].ended = marks & kEndedB;
        marks = kMatchLive;
    } else if (fm.generation != generation_) {
        adopt_rules(fm);
    }
    return fm;
}

// A flow's state, written where it was zeros or another flow's. The part lists keep their old
// bytes: n_parts and n_alerted, zero now, say none is valid, and their lines are not touched.
void Pipeline::renew(FlowMatch& fm) {
    static_assert(offsetof(FlowMatch, parts) == kFlowMatchHot && sizeof(FlowMatch) == 256);
    fm.dir = {};
    fm.generation = generation_;
    fm.n_alerted = 0;
    fm.flowbits_live = false;
    fm.serial = ++next_serial_;
    fm.http = {};
    fm.telnet = {};
}

// A flow's match state from an earlier rule set: its streams are dropped unreported (the old
// databases may be gone) and restart at the flow's next byte under the new set; partial
// matches, alert de-duplication and flowbits start afresh. HTTP parsing carries on.
void Pipeline::adopt_rules(FlowMatch& fm) {
    for (auto& d : fm.dir) {
        if (d.stream) StreamPool::discard(d.stream);
        d.stream = nullptr;
        release_first(d);
        d.n_parts = 0;
        release_window(d);  // the window starts again with the new stream
        d.window_over = false;
    }
    fm.n_alerted = 0;
    fm.flowbits_live = false;
    fm.serial = ++next_serial_;
    fm.generation = generation_;
}

// The flow at `index` ends (closed, expired, evicted, or its tuple reused): what its streams
// and a pending request head decide is reported, and its buffers go back.
void Pipeline::close_flow(uint32_t index, const Flow& f) {
    const bool live = marks_[index] & kMatchLive;
    marks_[index] = 0;
    if (!live) return;
    FlowMatch& fm = match_[index];
    if (fm.generation != generation_) adopt_rules(fm);  // never report through an old set
    for (auto& d : fm.dir) {
        release_window(d);
        release_first(d);
    }
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

}  // namespace pktsieve
