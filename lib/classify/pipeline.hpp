// The per-packet way through pktsieve: parse -> (TCP: flow, stream) -> pick the port group's
// database -> scan -> verify each matched rule's header -> count and alert. Pure C++ (no DPDK):
// the dataplane calls process() for each frame of a burst; tests call it on byte arrays.
//
// With stream matching (the default), each TCP flow direction is a Hyperscan stream fed its
// in-order bytes once, so attacks split across segments are seen; a rule alerts once per flow
// and counts a hit for every segment it matches in. UDP, other protocols, `flow:stateless`
// rules and --tcp-matching block are matched per packet. Rules a prefilter only nominates are
// verified exactly (match/verify) on the packet, or on the HTTP request a flow's client sent
// (parsed from the stream, its head kept in a bounded per-worker buffer while it arrives).
//
// Code: pipeline.cpp (the packet's way, flows), stream_match.cpp (TCP streams, windows),
// http_flow.cpp (the request heads an HttpFollower cuts, matched), telnet_flow.cpp (the lines a
// TelnetFollower reads, matched), dns_match.cpp (DNS queries), rule_match.cpp (from a
// candidate rule to an alert).
//
// Thread-safety: one Pipeline per worker, constructed on the worker's thread (it installs the
// worker's stream pool); it writes only that worker's WorkerStats, alert buffer and scratch.
#pragma once

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "classify/alert.hpp"
#include "classify/alert_dedup.hpp"
#include "classify/http_follower.hpp"
#include "classify/rate_limit.hpp"
#include "flow/flow_table.hpp"
#include "flow/tcp_seq.hpp"
#include "http/chunked.hpp"
#include "http/request.hpp"
#include "match/ruleset.hpp"
#include "match/stream_pool.hpp"
#include "match/verify.hpp"
#include "memory/slot_pool.hpp"
#include "observe/recorder.hpp"
#include "packet/packet.hpp"
#include "stats/worker_stats.hpp"
#include "telnet/sessions.hpp"

namespace pktsieve {

inline constexpr size_t kAlertBufferSize = 4096;
// Telnet sessions followed at once, per worker (each until its first 512 bytes of lines).
inline constexpr uint32_t kTelnetSlots = 4096;
// Rules that are verified see a flow direction's first kStreamWindow bytes (its "window"), not
// only the segment their prefilter matched in; kWindowSlots windows per worker.
inline constexpr uint32_t kStreamWindow = 2048;
inline constexpr uint32_t kWindowSlots = 4096;
// A direction's first segment, when it is at most kFirstBytes long, is scanned in block mode
// and kept; its Hyperscan stream (costly to open and write for a few bytes) is opened only when
// a second segment comes. One slot per flow the table holds.
inline constexpr uint32_t kFirstBytes = 128;
static_assert(kFirstBytes <= UINT8_MAX, "Direction::first_len");
using BurstAlerts = AlertBuffer<kAlertBufferSize>;

class Pipeline {
  public:
    // `worker` selects the rule set's scratch; stats.rules must be sized to the rule count.
    Pipeline(const Ruleset& rs, unsigned worker, WorkerStats& stats, BurstAlerts& alerts,
             const FlowTableConfig& flows = {});
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    void process(const uint8_t* data, uint32_t len, uint64_t ts_us);
    // The same in stages, for a burst (l3fwd, VPP): stage every packet (parsed; for one whose
    // flow is looked up, its hash computed and its table slot prefetched), then
    // process_burst: each packet's flow prefetched a few packets ahead, each processed in
    // order. The frames must stay in place until processed; the rule set must not change in
    // between.
    struct Staged {
        Packet p;
        uint32_t len = 0;
        Malformed m = Malformed::none;
        bool tracked = false;              // a TCP packet whose flow is looked up
        uint64_t hash = 0;                 // symmetric_flow_hash, when tracked
        const PortGroup* group = nullptr;  // of its protocol and destination port
    };
    void stage(const uint8_t* data, uint32_t len, Staged& s) const;
    void prefetch(const Staged& s) const;
    void process(const Staged& s, uint64_t ts_us);
    // A staged burst processed in order, each packet's flow state prefetched kFlowAhead
    // packets before it is processed (all of a burst's at once would exceed the lines a core
    // can have in flight and stall it).
    static constexpr uint32_t kFlowAhead = 6;
    void process_burst(const Staged* s, const uint64_t* ts_us, uint32_t n) {
        for (uint32_t i = 0; i < std::min(n, kFlowAhead); ++i) prefetch(s[i]);
        for (uint32_t i = 0; i < n; ++i) {
            if (i + kFlowAhead < n) prefetch(s[i + kFlowAhead]);
            process(s[i], ts_us[i]);
        }
    }
    // What the frames begin with (default Ethernet; a capture of `tcpdump -i any` is SLL).
    void set_link(LinkType link) { link_ = link; }
    // Where observations go (accesses, alerts per threat, intel); none: nothing observed.
    void set_recorder(ObservationRecorder* r) { recorder_ = r; }
    // Adopts a reloaded rule set (see docs/rules.md, reload): its scratch from now on, per-rule
    // counters at the new set's slots, and each flow's match state reset the next time the
    // flow is seen, its streams restarting under the new set. Call between bursts.
    void switch_rules(const Ruleset& rs);
    // Expires idle flows (bounded work); call on a timer. Uses packet time, not wall time.
    void housekeeping();
    // Closes every flow's streams (end-of-data matches are reported); call once at the end.
    void finish();
    // Copies flow-table figures into the counters; call before publishing a snapshot.
    void sync_counters();

  private:
    static constexpr uint32_t kMaxMatches = 64;
    static constexpr uint32_t kAlertSlots = 8;
    struct Matches {
        uint32_t n = 0;
        uint64_t overflow = 0;
        uint32_t ids[kMaxMatches];
    };
    static constexpr uint32_t kPartSlots = 6;
    struct Progress {  // which parts of a multi-pattern rule this direction has matched
        uint32_t rule = 0;
        uint32_t mask = 0;
    };
    static constexpr uint32_t kNoSlot = SlotPool::kNone;
    using Parts = std::array<Progress, kPartSlots>;
    struct Direction {
        hs_stream_t* stream = nullptr;
        SeqTrack seq;
        uint32_t window = kNoSlot;
        // A first segment scanned with the group's stream_first database, its bytes kept here
        // (a slot of kFirstBytes) until a second segment opens the stream and replays them.
        uint32_t first = kNoSlot;
        uint16_t window_len = 0;   // bytes in the window slot
        bool ended = false;        // FIN seen: nothing more is scanned in this direction
        bool window_over = false;  // its first kStreamWindow bytes passed (or no slot was free)
        uint8_t n_parts = 0;       // of FlowMatch::parts[its side]
        // Its group's stream_at_eod for this direction, copied when the stream opens: closing
        // then needs no port-table lookup (for a reply's ephemeral port, often a miss).
        bool eod_matches = false;
        uint8_t first_len = 0;  // bytes in the first slot
    };
    using HttpFlow = HttpFollower::Flow;
    // 256 bytes: what every packet of a flow reads and a new flow writes fills the first two
    // cache lines (the array is mapped, so page-aligned, at a worker's sizes); the
    // partial-match and alerted lists, read only
    // up to n_parts and n_alerted, fill the last two, untouched by most flows.
    struct FlowMatch {
        std::array<Direction, 2> dir;  // [0]: from endpoint a, [1]: from b
        uint32_t generation = 0;       // of the rule set this state belongs to
        uint16_t n_alerted = 0;
        // Whether the flow's flowbits words hold its bits; until a rule sets one they are read
        // as zeros and not touched (another array: clearing them per new flow cost a miss).
        bool flowbits_live = false;
        uint64_t serial = 0;  // this flow's key in dedup_ (new per flow and per rule set)
        HttpFlow http;
        TelnetSessions::Flow telnet;  // the client's login, while it is read
        std::array<Parts, 2> parts{};
        std::array<uint32_t, kAlertSlots> alerted{};
    };
    static constexpr size_t kFlowMatchHot = 128;  // bytes renew() writes and prefetch() reads
    struct Verdict {  // what a match needs to know about the flow it came from
        FlowDir dir = FlowDir::any;
        bool established = true;
        bool http = false;          // the flow (or, without flow state, the packet) is HTTP
        bool head_pending = false;  // a client segment of a request head still arriving
        FlowMatch* flow = nullptr;
        bool dns = false;  // the packet is a DNS query (its name in dns_name_)
        // The direction's bytes from its stream's start to this segment's end, while they fit
        // its window: what payload rules that are verified look at (empty: the packet).
        std::string_view stream_bytes;
    };

    static int collect(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                       void* ctx);
    bool count_parse(Malformed m, const Packet& p);
    // Observations (observe.cpp): the packet's interval, accesses; alerts; intel. Every packet
    // passes here: the common case (no access) stays inline and short.
    void observe_packet(const Packet& p, uint64_t ts_us) {
        Observation& o = recorder_->at(ts_us);
        if ((p.proto == kProtoTcp && (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn) ||
            (p.proto == kProtoUdp && !p.later_fragment))
            observe_access(o, p);
    }
    void observe_access(Observation& o, const Packet& p);
    void observe_alert(uint32_t rule, const Packet& p, const Verdict& v);
    void observe_request(const HttpRequest& req, const Packet& p);
    void observe_login(TelnetSessions::Flow* f, std::string_view lines);
    Verdict stateless(const PortGroup* g, const Packet& p);
    void scan_packet(const PortGroup* g, const Packet& p, const Verdict& v, uint64_t ts_us);
    // Which candidates of a block scan count: all, the rules matched over the stream's window,
    // or the flow:stateless ones (always per packet).
    enum class Scope : uint8_t { all, in_stream, stateless };
    void scan_block(const hs_database_t* db, std::string_view bytes, Scope scope, const Packet& p,
                    const Verdict& v, uint64_t ts_us);
    void match_buffer(const PortGroup& g, Buffer which, std::string_view bytes,
                      const std::vector<uint32_t>& always, const Packet& p, const Verdict& v,
                      uint64_t ts_us);
    void track_tcp(const Packet& p, uint64_t hash, const PortGroup* g, uint64_t ts_us);
    void scan_stream(const Packet& p, const Tracked& t, const PortGroup* g, Verdict& v,
                     uint64_t ts_us);
    // HTTP (http_flow.cpp): each request head the follower hands out, or one packet's.
    static void on_head(void* ctx, const HttpFollower::Head& head);
    HttpFollower::Sink head_sink(const Packet& p, const Verdict& v, uint64_t ts_us);
    void http_packet(const Packet& p, const Verdict& v, uint64_t ts_us);
    void match_anchored(const PortGroup& g, std::string_view head, const Packet& p,
                        const Verdict& v, uint64_t ts_us);
    // Telnet (telnet_flow.cpp): a client's lines, negotiation removed, matched as telnet.data.
    void telnet_stream(std::string_view in, const PortGroup& g, const Packet& p, const Verdict& v,
                       uint64_t ts_us);
    void telnet_packet(const PortGroup& g, const Packet& p, const Verdict& v, uint64_t ts_us);
    void match_telnet(const PortGroup& g, std::string_view data, const Packet& p, const Verdict& v,
                      uint64_t ts_us);
    // DNS (dns_match.cpp): a query's name matched by the dns.query databases.
    bool parse_dns(const Packet& p);
    void match_dns(const PortGroup* g, const Packet& p, const Verdict& v, uint64_t ts_us);
    void match_request(const HttpFollower::Head& head, const Packet& p, const Verdict& v,
                       uint64_t ts_us);
    void match_gathered(std::string_view head, const Packet& p, const Verdict& v, uint64_t ts_us);
    // Ends the stream of `side` (0: from endpoint a) of the verdict's flow.
    void end_direction(int side, const Packet& as, const Verdict& v, uint64_t ts_us);
    // The direction's bytes to its stream: a first segment kept, or scanned and kept
    // (stream_first), or this one after the kept ones replayed.
    void scan_stream_bytes(const PortGroup& g, Direction& d, int side, std::string_view bytes,
                           const Packet& p, const Verdict& v, uint64_t ts_us);
    bool open_stream(const PortGroup& g, Direction& d, size_t dir);
    void release_first(Direction& d);
    void keep_window(Direction& d, std::string_view bytes);
    void release_window(Direction& d);
    std::string_view window_of(const Direction& d) const;
    void close_flow(uint32_t index, const Flow& f);
    void adopt_rules(FlowMatch& fm);
    void resolve_parts(Matches& m, Direction& d, Parts& parts);
    void renew(FlowMatch& fm);
    FlowMatch& live_match(uint32_t index);  // the flow's match state, made valid when it is not
    // `bufs`: what rules to verify are checked against (nullptr: the packet's payload).
    void report(const Matches& m, const Packet& p, const Verdict& v, uint64_t ts_us,
                const Buffers* bufs = nullptr);
    void report_list(const std::vector<uint32_t>& rules, const Packet& p, const Verdict& v,
                     uint64_t ts_us, const Buffers* bufs);
    bool verified(uint32_t rule, const Packet& p, const Verdict& v, const Buffers* bufs);
    bool conditions_hold(const Rule& r, const Packet& p, const Verdict& v) const;
    bool candidate_holds(uint32_t rule, const Packet& p, const Verdict& v, const Buffers* bufs);
    bool rate_limited(uint32_t rule, const Rule& r, const Packet& p, uint64_t ts_us);
    void on_rule(uint32_t rule, const Packet& p, const Verdict& v, uint64_t ts_us);
    // A flow's flowbits: flowbit_words_ words per flow, as many as the rule set has names.
    // Readers: nullptr while none is set (flowbits_live). Writers: flowbits_for_update.
    const uint64_t* flowbits_of(const FlowMatch& fm) const {
        if (!fm.flowbits_live) return nullptr;
        return flowbits_.data() + size_t(&fm - match_.data()) * flowbit_words_;
    }
    uint64_t* flowbits_for_update(FlowMatch& fm) {
        uint64_t* bits = flowbits_.data() + size_t(&fm - match_.data()) * flowbit_words_;
        if (!fm.flowbits_live) std::fill_n(bits, flowbit_words_, 0);
        fm.flowbits_live = true;
        return bits;
    }
    void size_flowbits();

    const Ruleset* rs_;
    unsigned worker_;
    uint32_t generation_ = 0;  // rule sets adopted, counted by this pipeline
    hs_scratch_t* scratch_;
    WorkerStats* stats_;
    BurstAlerts* alerts_;
    std::optional<FlowTable> flows_;  // stream matching only
    ZeroedArray<FlowMatch> match_;    // per flow index, valid where marks_ says kMatchLive
    // Per flow index: whether match_ holds the flow's state, and which sides a FIN or RST ended
    // before it did. A connection attempt without data (most of a sensor's traffic) never
    // needs match state: its 256 bytes (and flowbits) are then not touched at all.
    enum : uint8_t { kMatchLive = 1, kEndedA = 2, kEndedB = 4 };
    ZeroedArray<uint8_t> marks_;
    ZeroedArray<uint64_t> flowbits_;  // per flow index, flowbit_words_ words each
    uint32_t flowbit_words_ = 1;
    std::unique_ptr<StreamPool> pool_;
    std::vector<std::unique_ptr<StreamPool>> retired_pools_;  // too small for a reloaded set
    StreamPool* previous_pool_ = nullptr;                     // restored when this pipeline goes
    uint64_t latest_ts_ = 0;
    LinkType link_ = LinkType::ethernet;
    ObservationRecorder* recorder_ = nullptr;
    HttpFollower http_;    // clients' bytes as requests (stream mode)
    HttpRequest request_;  // without flow state: the request a packet begins
    struct HeadContext {   // what on_head needs besides the head: the segment being followed
        Pipeline* self;
        const Packet* p;
        const Verdict* v;
        uint64_t ts_us;
    } head_ctx_{};
    std::string dns_name_;          // the DNS query being matched (capacity reused)
    TelnetSessions telnet_;         // clients' logins (stream mode)
    TelnetFollower packet_telnet_;  // without flow state: one packet's lines
    SlotPool windows_;              // kWindowSlots windows of kStreamWindow bytes
    SlotPool first_segments_;       // a slot of kFirstBytes per flow the table holds
    RateTracker rates_;
    AlertDedup dedup_;          // alerted rules of flows past kAlertSlots
    uint64_t next_serial_ = 0;  // FlowMatch::serial
};

// Whether a packet has anything to be matched by per packet (its direction is worked out only
// then): payload for a database or parser of its group, or rules without a prefilter.
inline bool worth_scanning(const PortGroup* g, const Packet& p) {
    return g && ((p.payload_len > 0 &&
                  (g->db[0] || g->db[1] || g->reads_http || g->reads_dns || g->reads_telnet)) ||
                 !g->always.empty());
}

// Direction of a packet when no flow state is known: SYN / SYN-ACK when present; else the side
// on a server port (ports < 1024 and the ports the rules name as servers); else the lower port.
FlowDir stateless_direction(const Ruleset& rs, const Packet& p);

// The rule's header (addresses, ports, "<>", flow direction) against the packet.
bool header_matches(const Rule& r, const Packet& p, FlowDir dir);

}  // namespace pktsieve
