// The DNS side of the pipeline: a UDP query to port 53 (where Suricata's DNS detection looks by
// default) has its name matched by the group's dns.query database, then verified.
#include "classify/pipeline.hpp"
#include "dns/query.hpp"

namespace pktsieve {

bool Pipeline::parse_dns(const Packet& p) {
    if (p.proto != kProtoUdp || p.dport != 53) return false;
    return dns_query_name({reinterpret_cast<const char*>(p.payload()), p.payload_len}, dns_name_);
}

void Pipeline::match_dns(const PortGroup* g, const Packet& p, const Verdict& v, uint64_t ts_us) {
    ++stats_->counters.dns_queries;
    match_buffer(*g, Buffer::dns_query, dns_name_, g->dns_always, p, v, ts_us);
}

}  // namespace pktsieve
