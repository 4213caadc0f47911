// The HTTP side of the pipeline: the request heads an HttpFollower cuts from a flow's client
// bytes (or a packet begins, without flow state), each matched by the rules that read HTTP
// buffers, the rules anchored at a request's start, and the payload rules to verify.
#include "classify/pipeline.hpp"

namespace pktsieve {

HttpFollower::Sink Pipeline::head_sink(const Packet& p, const Verdict& v, uint64_t ts_us) {
    head_ctx_ = {this, &p, &v, ts_us};
    return {&Pipeline::on_head, &head_ctx_};
}

void Pipeline::on_head(void* ctx, const HttpFollower::Head& head) {
    const auto& c = *static_cast<const HeadContext*>(ctx);
    c.self->match_request(head, *c.p, *c.v, c.ts_us);
    if (head.gathered) c.self->match_gathered(head.bytes, *c.p, *c.v, c.ts_us);
}

// Without flow state: a packet that begins a request is matched as one (head up to its end).
// (v.http already says whether the payload begins like a request: Pipeline::stateless.)
void Pipeline::http_packet(const Packet& p, const Verdict& v, uint64_t ts_us) {
    if (!v.http) return;
    std::string_view in(reinterpret_cast<const char*>(p.payload()), p.payload_len);
    const size_t filler = request_filler(in);  // what servers skip before a request line
    in.remove_prefix(filler);
    const size_t end = head_end(in);
    HttpFollower::Head head;
    head.bytes = end == std::string_view::npos ? in : in.substr(0, end);
    head.at_stream_start = true;
    if (parse_request(head.bytes, request_)) head.request = &request_;
    match_request(head, p, v, ts_us);
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

void Pipeline::match_request(const HttpFollower::Head& head, const Packet& p, const Verdict& v,
                             uint64_t ts_us) {
    const PortGroup* g = rs_->group_for(kProtoTcp, p.dport);
    if (!g) return;
    if (g->request && v.flow && !head.at_stream_start) match_anchored(*g, head.bytes, p, v, ts_us);
    if (!head.request) return;
    const HttpRequest& req = *head.request;
    Counters& c = stats_->counters;
    ++c.http_requests;
    if (recorder_) observe_request(req, p);
    Buffers b;
    b.set(Buffer::payload, {reinterpret_cast<const char*>(p.payload()), p.payload_len});
    b.set(Buffer::http_method, req.method);
    b.set(Buffer::http_uri, req.uri);
    b.set(Buffer::http_uri_raw, req.uri_raw);
    b.set(Buffer::http_request_line, req.request_line);
    if (!req.host.empty()) b.set(Buffer::http_host, req.host);
    if (!req.user_agent.empty()) b.set(Buffer::http_user_agent, req.user_agent);
    b.set(Buffer::http_header, req.header);
    b.set(Buffer::http_header_names, req.header_names);
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
