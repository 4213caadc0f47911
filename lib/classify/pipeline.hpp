// The per-packet way through pktsieve: parse -> pick the port group's database -> scan the
// payload -> verify each matched rule's header -> count and alert. Pure C++ (no DPDK): the
// dataplane calls process() for each frame of a burst; tests call it on byte arrays.
//
// Thread-safety: one Pipeline per worker; it writes only that worker's WorkerStats, alert
// buffer and Hyperscan scratch.
#pragma once

#include <hs/hs.h>

#include "classify/alert.hpp"
#include "match/ruleset.hpp"
#include "packet/packet.hpp"
#include "stats/worker_stats.hpp"

namespace pktsieve {

inline constexpr size_t kAlertBufferSize = 4096;
using BurstAlerts = AlertBuffer<kAlertBufferSize>;

class Pipeline {
  public:
    // `worker` selects the rule set's scratch; stats.rules must be sized to the rule count.
    Pipeline(const Ruleset& rs, unsigned worker, WorkerStats& stats, BurstAlerts& alerts)
        : rs_(&rs), scratch_(rs.scratch(worker)), stats_(&stats), alerts_(&alerts) {}

    void process(const uint8_t* data, uint32_t len, uint64_t ts_us);

  private:
    static constexpr uint32_t kMaxMatches = 64;
    struct Matches {
        uint32_t n = 0;
        uint64_t overflow = 0;
        uint32_t ids[kMaxMatches];
    };

    bool count_parse(Malformed m, const Packet& p);
    void scan(const Packet& p, uint64_t ts_us);
    void on_rule(uint32_t rule, const Packet& p, FlowDir dir, uint64_t ts_us);

    const Ruleset* rs_;
    hs_scratch_t* scratch_;
    WorkerStats* stats_;
    BurstAlerts* alerts_;
};

// Direction of a packet when no flow state is known: SYN / SYN-ACK when present; else the side
// on a server port (ports < 1024 and the ports the rules name as servers); else the lower port.
FlowDir stateless_direction(const Ruleset& rs, const Packet& p);

// The rule's header (addresses, ports, "<>", flow direction) against the packet.
bool header_matches(const Rule& r, const Packet& p, FlowDir dir);

}  // namespace pktsieve
