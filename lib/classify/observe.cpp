// The pipeline's observations (lib/observe): every packet's time moves the recorder's interval;
// TCP connection attempts (SYN without ACK) and UDP datagrams are accesses; each alert counts
// for its rule's threat and attacker; requests and logins the parsers read give intel.
#include "classify/pipeline.hpp"

namespace pktsieve {

void Pipeline::observe_packet(const Packet& p, uint64_t ts_us) {
    Observation& o = recorder_->at(ts_us);
    if (p.later_fragment) return;
    if ((p.proto == kProtoTcp && (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn) ||
        p.proto == kProtoUdp) {
        o.access(p.proto, p.dport, p.src, p.dst);
        ++stats_->counters.observe_accesses;
    }
}

void Pipeline::observe_alert(uint32_t rule, const Packet& p, const Verdict& v) {
    static constexpr std::string_view kUnclassified = "unclassified";
    const uint32_t t = rs_->threat_of(rule);
    const std::string_view name = t < rs_->threats().size() ? rs_->threats()[t] : kUnclassified;
    // The attacker is the client: the packet's source unless the packet goes to the client.
    recorder_->current().alert(name, v.dir == FlowDir::to_client ? p.dst : p.src);
}

void Pipeline::observe_request(const HttpRequest& req, const Packet& p) {
    Observation& o = recorder_->current();
    IntelText t;
    if (proxy_target(req.method, req.uri_raw, t)) o.intel(IntelKind::proxy_targets, t);
    if (traversal_target(req.uri_raw, t)) o.intel(IntelKind::traversal_targets, t);
    // A script's command: in the URI (?source=...), else in a body sent with the head.
    if (exec_command(req.uri, t) ||
        ((req.content_length > 0 || req.chunked) &&
         exec_command({reinterpret_cast<const char*>(p.payload()), p.payload_len}, t)))
        o.intel(IntelKind::rce_commands, t);
}

void Pipeline::observe_login(TelnetSessions::Flow* f, std::string_view lines) {
    if (f && f->login_read) return;
    IntelText t;
    if (!telnet_login(lines, t)) return;
    if (f) f->login_read = true;
    recorder_->current().intel(IntelKind::telnet_credentials, t);
}

}  // namespace pktsieve
