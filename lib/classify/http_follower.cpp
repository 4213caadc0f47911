#include "classify/http_follower.hpp"

#include <algorithm>
#include <cstring>

namespace pktsieve {

HttpFollower::HttpFollower(Counters& counters, uint32_t slots)
    : counters_(&counters), heads_(slots, kHttpHead) {}

void HttpFollower::release(Flow& f) {
    if (f.slot != kNoSlot) heads_.give(f.slot);
    f.slot = kNoSlot;
    f.len = 0;
}

void HttpFollower::restart(Flow& f) {
    release(f);
    f.fresh = true;  // the stream restarts with the next bytes
    if (f.phase != Flow::Phase::not_http) f.phase = Flow::Phase::start;
}

void HttpFollower::deliver(Flow& f, std::string_view head, bool gathered, Sink sink) {
    const bool parsed = parse_request(head, request_);
    sink({head, gathered, f.head_at_stream_start, parsed ? &request_ : nullptr});
    f.body_left = parsed ? request_.content_length : 0;
    f.chunks = {};
    f.phase = parsed && request_.chunked ? Flow::Phase::chunked
              : f.body_left              ? Flow::Phase::body
                                         : Flow::Phase::start;
}

void HttpFollower::feed(Flow& f, std::string_view in, Sink sink) {
    const char* const begin = in.data();
    const bool fresh = f.fresh;
    f.fresh = false;
    // Not followed (the capture began inside a body, a head too long to keep, ...): a segment
    // that begins a request is followed again from there.
    if (f.phase == Flow::Phase::not_http && f.slot == kNoSlot &&
        http_start(in.substr(request_filler(in))) == HttpStart::request)
        f.phase = Flow::Phase::start;
    while (!in.empty() && f.phase != Flow::Phase::not_http) {
        if (f.phase == Flow::Phase::body) {
            const size_t n = std::min<uint64_t>(f.body_left, in.size());
            f.body_left -= n;
            in.remove_prefix(n);
            if (f.body_left == 0) f.phase = Flow::Phase::start;
            continue;
        }
        if (f.phase == Flow::Phase::chunked) {
            const auto r = f.chunks.feed(in);
            if (r == ChunkedBody::Result::malformed) f.phase = Flow::Phase::not_http;
            if (r == ChunkedBody::Result::done) f.phase = Flow::Phase::start;
            continue;
        }
        if (f.slot == kNoSlot && f.phase == Flow::Phase::start) {
            in.remove_prefix(request_filler(in));  // what servers skip before a request line
            if (in.empty()) break;
            f.head_at_stream_start = fresh && in.data() == begin;
            const size_t end = head_end(in);
            if (end != std::string_view::npos) {  // whole in this segment: in place
                if (http_start(in) != HttpStart::request) {
                    f.phase = Flow::Phase::not_http;
                    return;
                }
                f.is_http = true;
                deliver(f, in.substr(0, end), false, sink);
                in.remove_prefix(end);
                continue;
            }
        }
        if (!accumulate(f, in, sink)) return;
    }
}

// Adds what fits of `in` to the flow's head slot; delivers the head once it is complete (or the
// slot is full). Returns false when the flow's bytes are no longer followed.
bool HttpFollower::accumulate(Flow& f, std::string_view& in, Sink sink) {
    if (f.slot == kNoSlot) {
        if ((f.slot = heads_.take()) == kNoSlot) {
            ++counters_->http_no_buffer;
            f.phase = Flow::Phase::not_http;
            return false;
        }
        f.len = 0;
    }
    char* buf = slot(f.slot);
    const size_t take = std::min<size_t>(in.size(), kHttpHead - f.len);
    std::memcpy(buf + f.len, in.data(), take);
    const size_t search_from = f.len >= 3 ? f.len - 3 : 0, before = f.len;
    f.len += static_cast<uint32_t>(take);
    const std::string_view head(buf, f.len);
    if (f.phase == Flow::Phase::start) {
        const HttpStart s = http_start(head);
        if (s == HttpStart::not_http) {
            release(f);
            f.phase = Flow::Phase::not_http;
            return false;
        }
        if (s == HttpStart::request) {
            f.is_http = true;
            f.phase = Flow::Phase::head;
        }
    }
    size_t end = head_end(head, search_from);
    if (end == std::string_view::npos && f.len < kHttpHead) {
        in.remove_prefix(take);
        return true;
    }
    const bool truncated = end == std::string_view::npos;
    if (truncated) {
        ++counters_->http_truncated;
        end = f.len;
    }
    in.remove_prefix(end - before);
    if (f.phase == Flow::Phase::head) {
        deliver(f, head.substr(0, end), true, sink);
    } else {
        f.phase = Flow::Phase::start;
    }
    release(f);
    // The rest of a head too long to keep cannot be told from a body: stop following.
    if (truncated) f.phase = Flow::Phase::not_http;
    return !truncated;
}

void HttpFollower::flush(Flow& f, Sink sink) {
    if (f.slot != kNoSlot && f.phase == Flow::Phase::head) {
        const bool parsed = parse_request({slot(f.slot), f.len}, request_);
        sink({{slot(f.slot), f.len}, true, f.head_at_stream_start, parsed ? &request_ : nullptr});
    }
    release(f);
    f.phase = Flow::Phase::not_http;
}

}  // namespace pktsieve
