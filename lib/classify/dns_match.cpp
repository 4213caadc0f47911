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
    Counters& c = stats_->counters;
    ++c.dns_queries;
    Buffers b;
    b.set(Buffer::payload, {reinterpret_cast<const char*>(p.payload()), p.payload_len});
    b.set(Buffer::dns_query, dns_name_);
    Matches m;
    if (const hs_database_t* db = g->by_buffer[static_cast<size_t>(Buffer::dns_query)].get()) {
        ++c.scanned_packets;
        c.scanned_bytes += dns_name_.size();
        if (hs_scan(db, dns_name_.data(), static_cast<unsigned>(dns_name_.size()), 0, scratch_,
                    collect, &m) != HS_SUCCESS)
            ++c.scan_errors;
    }
    report(m, p, v, ts_us, &b);
    report_list(g->dns_always, p, v, ts_us, &b);
}

}  // namespace pktsieve
