// The HTTP side of the pipeline: a flow's client bytes cut into request heads (and skipped
// bodies), each head parsed once and matched by the rules that read HTTP buffers.
#include <cstring>

#include "classify/pipeline.hpp"

namespace pktsieve {

// What follows a head: its body (chunked, or Content-Length bytes), then the next request.
void Pipeline::after_head(HttpFlow& h) const {
    h.body_left = request_.content_length;
    h.chunks = {};
    h.phase = request_.chunked ? HttpFlow::Phase::chunked
              : h.body_left    ? HttpFlow::Phase::body
                               : HttpFlow::Phase::start;
}

void Pipeline::release_http(HttpFlow& h) {
    if (h.slot != kNoSlot) http_free_.push_back(h.slot);
    h.slot = kNoSlot;
    h.len = 0;
}

// Client bytes of a flow in order, each once. A head that one segment holds whole is parsed
// in place; one that arrives in pieces is gathered in a head slot.
void Pipeline::http_stream(std::string_view in, const Packet& p, const Verdict& v, uint64_t ts_us) {
    HttpFlow& h = v.flow->http;
    const char* const begin = in.data();
    const bool fresh = h.fresh;
    h.fresh = false;
    // Not followed (the capture began inside a body, a head too long to keep, ...): a segment
    // that begins a request is followed again from there.
    if (h.phase == HttpFlow::Phase::not_http && h.slot == kNoSlot &&
        http_start(in) == HttpStart::request)
        h.phase = HttpFlow::Phase::start;
    while (!in.empty() && h.phase != HttpFlow::Phase::not_http) {
        if (h.phase == HttpFlow::Phase::body) {
            const size_t n = std::min<uint64_t>(h.body_left, in.size());
            h.body_left -= n;
            in.remove_prefix(n);
            if (h.body_left == 0) h.phase = HttpFlow::Phase::start;
            continue;
        }
        if (h.phase == HttpFlow::Phase::chunked) {
            const auto r = h.chunks.feed(in);
            if (r == ChunkedBody::Result::malformed) h.phase = HttpFlow::Phase::not_http;
            if (r == ChunkedBody::Result::done) h.phase = HttpFlow::Phase::start;
            continue;
        }
        if (h.slot == kNoSlot && h.phase == HttpFlow::Phase::start) {
            const size_t end = head_end(in);
            if (end != std::string_view::npos) {
                if (http_start(in) != HttpStart::request) {
                    h.phase = HttpFlow::Phase::not_http;
                    return;
                }
                h.is_http = true;
                h.head_at_stream_start = fresh && in.data() == begin;
                match_request(in.substr(0, end), p, v, ts_us);
                in.remove_prefix(end);
                after_head(h);
                continue;
            }
        }
        if (!http_accumulate(in, fresh && in.data() == begin, p, v, ts_us)) return;
    }
}

// Adds what fits of `in` to the flow's head slot; matches the head once it is complete (or the
// slot is full). Returns false when the flow's bytes are no longer followed.
bool Pipeline::http_accumulate(std::string_view& in, bool at_stream_start, const Packet& p,
                               const Verdict& v, uint64_t ts_us) {
    HttpFlow& h = v.flow->http;
    Counters& c = stats_->counters;
    if (h.slot == kNoSlot) {
        h.head_at_stream_start = at_stream_start;
        if (http_free_.empty()) {
            ++c.http_no_buffer;
            h.phase = HttpFlow::Phase::not_http;
            return false;
        }
        h.slot = http_free_.back();
        http_free_.pop_back();
        h.len = 0;
    }
    char* buf = http_slot(h.slot);
    const size_t take = std::min<size_t>(in.size(), kHttpHead - h.len);
    std::memcpy(buf + h.len, in.data(), take);
    const size_t search_from = h.len >= 3 ? h.len - 3 : 0, before = h.len;
    h.len += static_cast<uint32_t>(take);
    const std::string_view head(buf, h.len);
    if (h.phase == HttpFlow::Phase::start) {
        const HttpStart s = http_start(head);
        if (s == HttpStart::not_http) {
            release_http(h);
            h.phase = HttpFlow::Phase::not_http;
            return false;
        }
        if (s == HttpStart::request) {
            h.is_http = true;
            h.phase = HttpFlow::Phase::head;
        }
    }
    size_t end = head_end(head, search_from);
    if (end == std::string_view::npos && h.len < kHttpHead) {
        in.remove_prefix(take);
        return true;
    }
    const bool truncated = end == std::string_view::npos;
    if (truncated) {
        ++c.http_truncated;
        end = h.len;
    }
    if (h.phase == HttpFlow::Phase::head) {
        match_request(head.substr(0, end), p, v, ts_us);
        match_gathered(head.substr(0, end), p, v, ts_us);
    }
    in.remove_prefix(end - before);
    release_http(h);
    after_head(h);
    // The rest of a head too long to keep cannot be told from a body: stop following.
    if (truncated) h.phase = HttpFlow::Phase::not_http;
    return !truncated;
}

// The client's bytes end (FIN, RST, expiry, eviction, exit) inside a request head: what arrived
// of it is matched as the head.
void Pipeline::flush_http(const Packet& as, const Verdict& v, uint64_t ts_us) {
    HttpFlow& h = v.flow->http;
    if (h.slot != kNoSlot && h.phase == HttpFlow::Phase::head) {
        const std::string_view head(http_slot(h.slot), h.len);
        match_request(head, as, v, ts_us);
        match_gathered(head, as, v, ts_us);
    }
    release_http(h);
    h.phase = HttpFlow::Phase::not_http;
}

// Without flow state: a packet that begins a request is matched as one (head up to its end).
// (v.http already says whether the payload begins like a request: Pipeline::stateless.)
void Pipeline::http_packet(const Packet& p, const Verdict& v, uint64_t ts_us) {
    if (!v.http) return;
    const std::string_view in(reinterpret_cast<const char*>(p.payload()), p.payload_len);
    const size_t end = head_end(in);
    match_request(end == std::string_view::npos ? in : in.substr(0, end), p, v, ts_us);
}

// A head that arrived in pieces is also one payload for the payload rules that are verified
// per packet (negations, negative distances, ...), which no single piece could satisfy. Whole
// rules already saw these bytes in the stream; de-duplication per flow keeps one alert.
void Pipeline::match_gathered(std::string_view head, const Packet& p, const Verdict& v,
                              uint64_t ts_us) {
    const PortGroup* g = rs_->group_for(kProtoTcp, p.dport);
    const hs_database_t* db = g ? g->db[direction_index(FlowDir::to_server)].get() : nullptr;
    if (!db || !g->gathers_heads) return;
    Matches m;
    if (hs_scan(db, head.data(), static_cast<unsigned>(head.size()), 0, scratch_, collect, &m) !=
        HS_SUCCESS)
        ++stats_->counters.scan_errors;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < m.n; ++i) {
        const Rule& r = rs_->rules()[m.ids[i]];
        if (r.verify && !r.needs_http && !r.flow_stateless) m.ids[kept++] = m.ids[i];
    }
    m.n = kept;
    Buffers b;
    b.set(Buffer::payload, head);
    Verdict hv = v;
    hv.http = true;
    report(m, p, hv, ts_us, &b);
}

// Rules anchored at the payload's start, on a request that is not the stream's first: `^` and
// depth count from this request (the stream database counted them from the first one).
void Pipeline::match_anchored(const PortGroup& g, std::string_view head, const Packet& p,
                              const Verdict& v, uint64_t ts_us) {
    Matches m;
    Counters& c = stats_->counters;
    ++c.http_anchored_scans;
    if (hs_scan(g.request.get(), head.data(), static_cast<unsigned>(head.size()), 0, scratch_,
                collect, &m) != HS_SUCCESS)
        ++c.scan_errors;
    Buffers b;
    b.set(Buffer::payload, head);
    report(m, p, v, ts_us, &b);
}

void Pipeline::match_request(std::string_view head, const Packet& p, const Verdict& v,
                             uint64_t ts_us) {
    const PortGroup* g = rs_->group_for(kProtoTcp, p.dport);
    if (!g) return;
    if (g->request && v.flow && !v.flow->http.head_at_stream_start)
        match_anchored(*g, head, p, v, ts_us);
    if (!parse_request(head, request_)) return;
    Counters& c = stats_->counters;
    ++c.http_requests;
    Buffers b;
    b.set(Buffer::payload, {reinterpret_cast<const char*>(p.payload()), p.payload_len});
    b.set(Buffer::http_method, request_.method);
    b.set(Buffer::http_uri, request_.uri);
    b.set(Buffer::http_uri_raw, request_.uri_raw);
    b.set(Buffer::http_request_line, request_.request_line);
    if (!request_.host.empty()) b.set(Buffer::http_host, request_.host);
    if (!request_.user_agent.empty()) b.set(Buffer::http_user_agent, request_.user_agent);
    b.set(Buffer::http_header, request_.header);
    b.set(Buffer::http_header_names, request_.header_names);
    Verdict hv = v;
    hv.http = true;
    Matches m;
    for (size_t i = 0; i < kBufferCount; ++i) {
        const hs_database_t* db = g->by_buffer[i].get();
        if (!db || !b.present[i]) continue;
        ++c.scanned_packets;
        c.scanned_bytes += b.view[i].size();
        if (hs_scan(db, b.view[i].data(), static_cast<unsigned>(b.view[i].size()), 0, scratch_,
                    collect, &m) != HS_SUCCESS)
            ++c.scan_errors;
    }
    report(m, p, hv, ts_us, &b);
    report_list(g->http_always, p, hv, ts_us, &b);
}

}  // namespace pktsieve
