// The Telnet side of the pipeline: a client's bytes to a port a telnet.data rule watches go
// through the worker's TelnetSessions (lib/telnet); each line completed has the normalised
// lines so far matched by the group's telnet.data rules, until the first 512 bytes are read.
#include "classify/pipeline.hpp"

namespace pktsieve {

void Pipeline::telnet_stream(std::string_view in, const PortGroup& g, const Packet& p,
                             const Verdict& v, uint64_t ts_us) {
    const TelnetSessions::Fed fed = telnet_.feed(v.flow->telnet, in);
    if (fed.no_follower) ++stats_->counters.telnet_no_buffer;
    if (fed.lines.empty()) return;
    if (recorder_) observe_login(&v.flow->telnet, fed.lines);
    match_telnet(g, fed.lines, p, v, ts_us);
}

// Without flow state (--tcp-matching block): the lines one packet completes.
void Pipeline::telnet_packet(const PortGroup& g, const Packet& p, const Verdict& v,
                             uint64_t ts_us) {
    if (v.dir != FlowDir::to_server) return;
    packet_telnet_.reset();
    if (packet_telnet_.feed({reinterpret_cast<const char*>(p.payload()), p.payload_len}) == 0)
        return;
    if (recorder_) observe_login(nullptr, packet_telnet_.data());
    match_telnet(g, packet_telnet_.data(), p, v, ts_us);
}

void Pipeline::match_telnet(const PortGroup& g, std::string_view data, const Packet& p,
                            const Verdict& v, uint64_t ts_us) {
    ++stats_->counters.telnet_lines;
    match_buffer(g, Buffer::telnet_data, data, g.telnet_always, p, v, ts_us);
}

}  // namespace pktsieve
