#include "stats/counters.hpp"

#include <algorithm>

namespace pktsieve {

const std::array<CounterInfo, kScalarCounters> kCounterInfo{{
    {"packets", "received", "frames read from the port", CounterKind::counter,
     &Counters::rx_packets},
    {"packets", "bytes", "captured bytes of the frames read", CounterKind::counter,
     &Counters::rx_bytes},
    {"packets", "parsed", "frames parsed without error", CounterKind::counter, &Counters::parsed},
    {"packets", "malformed", "frames rejected by the parser (see malformed)", CounterKind::counter,
     &Counters::malformed},
    {"packets", "non_ip", "parsed frames that carry no IPv4/IPv6", CounterKind::counter,
     &Counters::non_ip},
    {"packets", "ipv4", "parsed IPv4 packets", CounterKind::counter, &Counters::ipv4},
    {"packets", "ipv6", "parsed IPv6 packets", CounterKind::counter, &Counters::ipv6},
    {"packets", "tcp", "parsed TCP segments", CounterKind::counter, &Counters::tcp},
    {"packets", "udp", "parsed UDP datagrams", CounterKind::counter, &Counters::udp},
    {"packets", "other_l4", "parsed IP packets of another protocol", CounterKind::counter,
     &Counters::other_l4},
    {"packets", "fragments", "IP fragments (first and later)", CounterKind::counter,
     &Counters::fragments},
    {"packets", "later_fragments", "non-first fragments, never scanned", CounterKind::counter,
     &Counters::later_fragments},
    {"packets", "multi_segment", "frames that arrived as chained mbufs and were linearised",
     CounterKind::counter, &Counters::multi_segment},
    {"packets", "vlan_restored", "frames whose VLAN tag the port had stripped, put back",
     CounterKind::counter, &Counters::vlan_restored},
    {"flows", "active", "TCP flows in the flow tables now", CounterKind::gauge,
     &Counters::flows_active},
    {"flows", "created", "TCP flows created (new 5-tuple, or reused after close)",
     CounterKind::counter, &Counters::flows_created},
    {"flows", "closed", "TCP flows that saw FIN or RST", CounterKind::counter,
     &Counters::flows_closed},
    {"flows", "evicted", "flows evicted (least recently seen) because the table was full",
     CounterKind::counter, &Counters::flows_evicted},
    {"flows", "timed_out", "flows removed after their state's idle timeout", CounterKind::counter,
     &Counters::flows_timed_out},
    {"flows", "memory_bytes",
     "memory of flow tables, per-flow match state and stream pools "
     "(allocated at start)",
     CounterKind::gauge, &Counters::flow_memory_bytes},
    {"stream", "restarts", "streams restarted at a segment beyond a gap (missing data)",
     CounterKind::counter, &Counters::stream_restarts},
    {"stream", "retransmitted_bytes",
     "payload bytes already scanned, skipped (retransmits, "
     "overlaps)",
     CounterKind::counter, &Counters::stream_retransmitted_bytes},
    {"stream", "alloc_failures", "streams that could not be opened (pool exhausted)",
     CounterKind::counter, &Counters::stream_alloc_failures},
    {"stream", "window_exceeded",
     "flow directions past their first 2048 bytes (or with no window free): later segments "
     "verified alone",
     CounterKind::counter, &Counters::stream_window_exceeded},
    {"http", "requests", "HTTP request heads parsed (their buffers matched)", CounterKind::counter,
     &Counters::http_requests},
    {"http", "truncated", "request heads cut at the head limit (only what fitted was parsed)",
     CounterKind::counter, &Counters::http_truncated},
    {"http", "no_buffer", "request heads split over segments with no free head buffer (skipped)",
     CounterKind::counter, &Counters::http_no_buffer},
    {"http", "anchored_scans",
     "later requests of a connection matched by the rules anchored at the payload start",
     CounterKind::counter, &Counters::http_anchored_scans},
    {"dns", "queries", "DNS queries to port 53 whose name was matched (dns.query)",
     CounterKind::counter, &Counters::dns_queries},
    {"telnet", "lines", "lines Telnet clients completed, matched as telnet.data",
     CounterKind::counter, &Counters::telnet_lines},
    {"telnet", "no_buffer", "Telnet sessions not followed: every follower of the worker in use",
     CounterKind::counter, &Counters::telnet_no_buffer},
    {"verify", "candidates", "rules a prefilter picked that were then checked exactly",
     CounterKind::counter, &Counters::verify_candidates},
    {"verify", "exhausted", "checks stopped at the step limit (counted as no match)",
     CounterKind::counter, &Counters::verify_exhausted},
    {"reload", "switches", "rule sets a worker switched to (once per worker per reload)",
     CounterKind::counter, &Counters::reload_switches},
    {"reload", "max_pause_us",
     "longest worker loop iteration that switched rule sets, microseconds", CounterKind::peak,
     &Counters::reload_max_pause_us},
    {"reload", "max_switch_us",
     "longest time a worker took to adopt a reloaded rule set (before its next burst), "
     "microseconds",
     CounterKind::peak, &Counters::reload_max_switch_us},
    {"scan", "packets", "payloads scanned by Hyperscan", CounterKind::counter,
     &Counters::scanned_packets},
    {"scan", "bytes", "payload bytes scanned by Hyperscan", CounterKind::counter,
     &Counters::scanned_bytes},
    {"scan", "match_overflow", "rule matches beyond the per-packet match buffer (not alerted)",
     CounterKind::counter, &Counters::match_overflow},
    {"scan", "errors", "Hyperscan calls that failed (the payload went unscanned)",
     CounterKind::counter, &Counters::scan_errors},
    {"alerts", "total", "alerts raised", CounterKind::counter, &Counters::alerts},
    {"alerts", "suppressed", "matches held back by threshold or detection_filter",
     CounterKind::counter, &Counters::alerts_suppressed},
    {"alerts", "rate_replaced",
     "threshold/detection_filter entries replaced while live (tracking table full)",
     CounterKind::counter, &Counters::rate_replaced},
    {"alerts", "dedup_replaced",
     "rules remembered for per-flow de-duplication past 8 per flow, forgotten when the table "
     "was full (the rule may alert once more on its flow)",
     CounterKind::counter, &Counters::dedup_replaced},
    {"alerts", "unlogged", "alerts counted but not written to the EVE log (buffer full)",
     CounterKind::counter, &Counters::alerts_unlogged},
}};

Counters& Counters::operator+=(const Counters& o) {
    for (const auto& c : kCounterInfo)
        this->*c.field = c.kind == CounterKind::peak ? std::max(this->*c.field, o.*c.field)
                                                     : this->*c.field + o.*c.field;
    for (size_t i = 0; i < malformed_by.size(); ++i) malformed_by[i] += o.malformed_by[i];
    return *this;
}

}  // namespace pktsieve
