// The pipeline's observations (lib/observe): every packet's time moves the recorder's interval;
// TCP connection attempts (SYN without ACK) and UDP datagrams are accesses; each alert counts
// for its rule's threat and attacker; requests and logins the parsers read give intel.
#include "classify/pipeline.hpp"

namespace pktsieve {

void Pipeline::observe_access(Observation& o, const Packet& p) {
    o.access(p.proto, p.dport, p.src, p.dst);
    ++stats_->counters.observe_accesses;
}

void Pipeline::observe_alert(uint32_t rule, const Packet& p, const Verdict& v) {
    static constexpr std::string_view kUnclassified = "unclassified";
    const uint32_t t = rs_->threat_of(rule);
    const std::string_view name = t < rs_->threats().size() ? rs_->threats()[t] : kUnclassified;
    // The attacker is the client: the packet's source unless the packet goes to the client.
    recorder_->current().alert(name, v.dir == FlowDir::to_client ? p.dst : p.src);
}

// Each extractor runs only when a byte it needs is there (most requests have none of them).
void Pipeline::observe_request(const HttpRequest& req, const Packet& p) {
    Observation& o = recorder_->current();
    IntelText t;
    const std::string_view raw = req.uri_raw;
    if ((req.method == "CONNECT" || (!raw.empty() && (raw[0] | 0x20) == 'h')) &&
        proxy_target(req.method, raw, t))
        o.intel(IntelKind::proxy_targets, t);
    if ((raw.find('%') != std::string_view::npos || raw.find("..") != std::string_view::npos) &&
        traversal_target(raw, t))
        o.intel(IntelKind::traversal_targets, t);
    // A script's command: in the URI (?source=...), else in a body sent with the head.
    const std::string_view payload{reinterpret_cast<const char*>(p.payload()), p.payload_len};
    if ((req.uri.find('(') != std::string::npos && exec_command(req.uri, t)) ||
        ((req.content_length > 0 || req.chunked) && exec_command(payload, t)))
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
