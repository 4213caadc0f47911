// The client side of TCP flows as HTTP requests: each flow's bytes (in order, each once) cut
// into request heads and skipped bodies (Content-Length, chunked). A head that one segment holds
// whole is handed out in place; one that arrives in pieces is gathered in one of the worker's
// head slots first. Every head goes to a sink, which matches it (the pipeline). After a body,
// the next request. Empty lines and control bytes before a request line are skipped, as servers
// skip them (request_filler). A flow whose bytes stop looking like HTTP (a capture begun inside a
// body, a head too long to keep) is picked up again at the next segment that begins a request.
// Thread-safety: one HttpFollower per worker (its head slots); a Flow belongs to one flow.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "http/chunked.hpp"
#include "http/request.hpp"
#include "memory/slot_pool.hpp"
#include "stats/counters.hpp"

namespace pktsieve {

// A request head longer than this is matched on its first kHttpHead bytes (http.truncated).
inline constexpr uint32_t kHttpHead = 2048;
// Heads arriving in pieces at once, per worker (a head that fits one segment needs none).
inline constexpr uint32_t kHttpSlots = 4096;

class HttpFollower {
  public:
    static constexpr uint32_t kNoSlot = SlotPool::kNone;
    struct Flow {  // one flow's client side
        enum class Phase : uint8_t { start, head, body, chunked, not_http } phase = Phase::start;
        bool is_http = false;  // a request began like one
        bool fresh = true;     // no byte followed since the client's stream (re)started
        bool head_at_stream_start = false;  // the head being gathered began the stream
        uint32_t slot = kNoSlot;            // head slot while a head arrives in pieces
        uint32_t len = 0;                   // bytes in it
        uint64_t body_left = 0;
        ChunkedBody chunks;
    };
    struct Head {
        std::string_view bytes;
        bool gathered = false;                 // from pieces (a slot), not one segment
        bool at_stream_start = false;          // began at the stream's first byte
        const HttpRequest* request = nullptr;  // parsed; nullptr when it does not parse
    };
    // What a head is handed to: a function and its context (no allocation per packet).
    struct Sink {
        void (*fn)(void* ctx, const Head& head);
        void* ctx;
        void operator()(const Head& h) const { fn(ctx, h); }
    };

    // `slots` head slots (0 where no flow is followed: block mode).
    HttpFollower(Counters& counters, uint32_t slots);

    // The flow's next client bytes, in order.
    void feed(Flow& f, std::string_view in, Sink sink);
    // The client's bytes end (FIN, RST, expiry, eviction, exit): a head still arriving goes to
    // the sink as far as it got; the flow is no longer followed.
    void flush(Flow& f, Sink sink);
    // Bytes were lost: what was being gathered is dropped; the stream restarts at the next bytes.
    void restart(Flow& f);
    void release(Flow& f);
    // A head of this flow is arriving in pieces (its pieces are not requests of their own).
    static bool head_pending(const Flow& f) { return f.is_http && f.slot != kNoSlot; }
    size_t memory_bytes() const { return heads_.memory_bytes(); }

  private:
    bool accumulate(Flow& f, std::string_view& in, Sink sink);
    // Hands `head` to the sink, then expects what follows it (a body, or the next request).
    void deliver(Flow& f, std::string_view head, bool gathered, Sink sink);
    char* slot(uint32_t s) { return heads_.at(s); }

    Counters* counters_;
    SlotPool heads_;       // head slots of kHttpHead bytes
    HttpRequest request_;  // the head being handed out (capacity reused)
};

}  // namespace pktsieve
