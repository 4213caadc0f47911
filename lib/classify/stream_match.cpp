// TCP stream matching: each flow direction's in-order bytes fed once to its Hyperscan stream
// (restarted at a gap), the HTTP and Telnet followers of the client side, the window of the
// first bytes that rules to verify look at, and the parts of multi-pattern rules.
#include <algorithm>
#include <cstring>

#include "classify/pipeline.hpp"

namespace pktsieve {

namespace {

// Bytes replayed to a stream were matched already. (A null handler would do the same, but
// the API leaves open whether a scan without one keeps all its state.)
int ignore(unsigned, unsigned long long, unsigned long long, unsigned, void*) {
    return 0;
}

}  // namespace

void Pipeline::scan_stream(const Packet& p, const Tracked& t, const PortGroup* g, Verdict& v,
                           uint64_t ts_us) {
    const int side = t.from_a ? 0 : 1;
    Direction& d = v.flow->dir[side];
    if (d.ended) return;
    Counters& c = stats_->counters;
    const NewBytes nb = new_bytes(d.seq, p.seq, p.payload_len, p.tcp_flags & kTcpSyn, false);
    c.stream_retransmitted_bytes += nb.skip;
    if (nb.gap) {
        if (d.stream || d.first != kNoSlot) {
            ++c.stream_restarts;
            end_direction(side, p, v, ts_us);
        }
        release_window(d);  // the window restarts with the stream, at these bytes
        d.window_over = false;
        if (v.dir == FlowDir::to_server) {  // a request cut by the gap is not matched
            http_.restart(v.flow->http);
            telnet_.restart(v.flow->telnet);  // lines cut by the gap: read anew from here
        }
    }
    if (nb.len == 0 || !g) return;
    const auto* bytes = reinterpret_cast<const char*>(p.payload() + nb.skip);
    if ((g->reads_http || g->gathers_heads || g->request) && v.dir == FlowDir::to_server) {
        http_.feed(v.flow->http, {bytes, nb.len}, head_sink(p, v, ts_us));
        v.http = v.flow->http.is_http;
    }
    if (g->reads_telnet && v.dir == FlowDir::to_server)
        telnet_stream({bytes, nb.len}, *g, p, v, ts_us);
    // Rules verified on this side see the stream's bytes; a client speaking HTTP has its
    // requests gathered instead (after the follower above has seen these bytes).
    if (g->gathers_heads) {
        if (v.dir == FlowDir::to_server && v.flow->http.is_http) {
            release_window(d);
            d.window_over = true;
        } else {
            keep_window(d, {bytes, nb.len});
        }
    }
    if (g->stream[direction_index(v.dir)])
        scan_stream_bytes(*g, d, side, {bytes, nb.len}, p, v, ts_us);
}

// Matches are the same either way: the block database holds the stream's rules (parts reported
// alone), none of which can match at the end of data, and the replay below reports nothing, so
// what spans the two segments is found in the second, as a stream alone would find it.
void Pipeline::scan_stream_bytes(const PortGroup& g, Direction& d, int side, std::string_view bytes,
                                 const Packet& p, const Verdict& v, uint64_t ts_us) {
    Counters& c = stats_->counters;
    const size_t dir = direction_index(v.dir);
    Matches m;
    ++c.scanned_packets;
    c.scanned_bytes += bytes.size();
    hs_error_t rc;
    if (!d.stream && d.first == kNoSlot && g.stream_first[dir] && bytes.size() <= kFirstBytes &&
        (d.first = first_segments_.take()) != kNoSlot) {
        d.first_len = static_cast<uint8_t>(bytes.size());
        std::memcpy(first_segments_.at(d.first), bytes.data(), bytes.size());
        rc = hs_scan(g.stream_first[dir].get(), bytes.data(), static_cast<unsigned>(bytes.size()),
                     0, scratch_, collect, &m);
    } else {
        if (!d.stream && !open_stream(g, d, dir)) return;
        if (d.first != kNoSlot) {  // already scanned: replayed to the stream, nothing reported
            if (hs_scan_stream(d.stream, first_segments_.at(d.first), d.first_len, 0, scratch_,
                               ignore, nullptr) != HS_SUCCESS)
                ++c.scan_errors;
            release_first(d);
        }
        rc = hs_scan_stream(d.stream, bytes.data(), static_cast<unsigned>(bytes.size()), 0,
                            scratch_, collect, &m);
    }
    if (rc != HS_SUCCESS) ++c.scan_errors;
    resolve_parts(m, d, v.flow->parts[side]);
    report(m, p, v, ts_us);
}

bool Pipeline::open_stream(const PortGroup& g, Direction& d, size_t dir) {
    if (hs_open_stream(g.stream[dir].get(), 0, &d.stream) != HS_SUCCESS) {
        d.stream = nullptr;
        ++stats_->counters.stream_alloc_failures;
        return false;
    }
    d.eod_matches = g.stream_at_eod[dir];
    return true;
}

void Pipeline::release_first(Direction& d) {
    if (d.first != kNoSlot) first_segments_.give(d.first);
    d.first = kNoSlot;
    d.first_len = 0;
}

// A direction's first kStreamWindow bytes, kept while they fit: verified rules are checked on
// them, so a rule whose parts fall in different segments holds, and `^` is the stream's start
// as for rules compiled whole. Past the window (or with no slot free) a segment is verified
// alone (stream.window_exceeded).
void Pipeline::keep_window(Direction& d, std::string_view bytes) {
    if (d.window_over) return;
    if (d.window == kNoSlot) {
        if (bytes.size() > kStreamWindow || (d.window = windows_.take()) == kNoSlot) {
            d.window_over = true;
            ++stats_->counters.stream_window_exceeded;
            return;
        }
        d.window_len = 0;
    }
    if (bytes.size() > kStreamWindow - d.window_len) {
        release_window(d);
        d.window_over = true;
        ++stats_->counters.stream_window_exceeded;
        return;
    }
    std::memcpy(windows_.at(d.window) + d.window_len, bytes.data(), bytes.size());
    d.window_len = static_cast<uint16_t>(d.window_len + bytes.size());
}

void Pipeline::release_window(Direction& d) {
    if (d.window != kNoSlot) windows_.give(d.window);
    d.window = kNoSlot;
    d.window_len = 0;
}

std::string_view Pipeline::window_of(const Direction& d) const {
    if (d.window == kNoSlot) return {};
    return {windows_.at(d.window), d.window_len};
}

// Closing a stream reports what only the end of data decides (e.g. `$` anchors). A stream whose
// database has no such pattern is released unread: hs_close_stream would read its state, by
// then usually out of cache, to find nothing.
void Pipeline::end_direction(int side, const Packet& as, const Verdict& v, uint64_t ts_us) {
    Direction& d = v.flow->dir[side];
    release_first(d);  // its database cannot match at the end of data: nothing to report
    if (!d.stream) return;
    if (!d.eod_matches) {
        StreamPool::discard(d.stream);
        d.stream = nullptr;
        return;
    }
    Matches m;
    hs_close_stream(d.stream, scratch_, collect, &m);
    d.stream = nullptr;
    resolve_parts(m, d, v.flow->parts[side]);
    report(m, as, v, ts_us);
}

// Turns the parts a stream reported into the rules whose every part has now matched in this
// direction (in any order, at any distance: the AND of block mode).
void Pipeline::resolve_parts(Matches& m, Direction& d, Parts& parts) {
    uint32_t out = 0;
    for (uint32_t i = 0; i < m.n; ++i) {
        const unsigned id = m.ids[i];
        if (!rs_->is_part(id)) {
            m.ids[out++] = id;
            continue;
        }
        const auto part = rs_->part(id);
        auto end = parts.begin() + d.n_parts;
        auto slot = std::find_if(parts.begin(), end, [&](auto& p) { return p.rule == part.rule; });
        if (slot == end) {
            if (d.n_parts == kPartSlots) {  // more partial rules than slots: forget the oldest
                ++stats_->counters.match_overflow;
                std::move(parts.begin() + 1, end, parts.begin());
                --d.n_parts;
                --end;
            }
            slot = end;
            *slot = {part.rule, 0};
            ++d.n_parts;
        }
        slot->mask |= 1u << part.bit;
        const bool complete = slot->mask == rs_->full_mask(part.rule);
        if (complete && std::find(m.ids, m.ids + out, part.rule) == m.ids + out)
            m.ids[out++] = part.rule;
    }
    m.n = out;
}

}  // namespace pktsieve
