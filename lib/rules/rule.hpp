// The rule model: what one signature line means, independent of how it is matched.
// Thread-safety: immutable once loaded; shared read-only by all workers.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rules/address.hpp"
#include "rules/ports.hpp"

namespace pktsieve {

enum class RuleProto : uint8_t { tcp, udp, ip };

enum class FlowDir : uint8_t { any, to_server, to_client };

// Where a content or pcre looks: the packet (or stream) payload, or one buffer of the HTTP
// request the flow carries (docs/rules.md lists what each holds).
enum class Buffer : uint8_t {
    payload,
    http_method,
    http_uri,  // normalised: percent-decoded, dot segments resolved
    http_uri_raw,
    http_request_line,
    http_host,  // lower-cased, without port
    http_user_agent,
    http_header,        // "Name: value\r\n" per header line
    http_header_names,  // "\r\nName1\r\nName2\r\n\r\n"
    dns_query,          // the name a DNS query asks for ("www.example.com")
    telnet_data,        // pktsieve: a Telnet client's lines, negotiation removed (lib/telnet)
    count_
};
inline constexpr size_t kBufferCount = static_cast<size_t>(Buffer::count_);

// dsize and bsize: a payload or buffer size compared with one or two values.
struct SizeTest {
    enum class Op : uint8_t { none, eq, lt, gt, range, ne } op = Op::none;
    uint32_t lo = 0, hi = 0;
    bool matches(uint32_t n) const {
        switch (op) {
            case Op::none:
                return true;
            case Op::eq:
                return n == lo;
            case Op::ne:
                return n != lo;
            case Op::lt:
                return n < lo;
            case Op::gt:
                return n > lo;
            case Op::range:
                return n > lo && n < hi;
        }
        return false;
    }
};

// A content placed relative to the one before it (distance/within), as folded into one
// Hyperscan expression.
struct RelativeContent {
    std::string text;
    bool nocase = false;
    int distance = 0;  // starts at least this many bytes after the previous match's end
    int within = -1;   // ends within this many bytes after previous end + distance; -1: anywhere
};

// One content, pcre, isdataat or bsize, in rule order. Contents are raw bytes; pcres
// Hyperscan-ready regex text.
struct Pattern {
    enum class Kind : uint8_t { content, pcre, isdataat, bsize } kind = Kind::content;
    Buffer buffer = Buffer::payload;
    std::string text;
    bool nocase = false;     // content: nocase; pcre: /i
    bool dotall = false;     // pcre /s
    bool multiline = false;  // pcre /m
    bool negated = false;    // content:!"x", pcre:!"/x/", isdataat:!n
    bool relative = false;   // distance/within, pcre /R, isdataat ...,relative
    bool endswith = false;   // content must end where the buffer ends
    bool fast_pattern = false;
    int offset = 0;    // content: first byte the match may start at
    int depth = -1;    // content: bytes from `offset` the match must end within; -1 = unbounded
    int distance = 0;  // relative content: start at least this far after the previous match end
    int within = -1;   // relative content: end within this many bytes of prev end + distance
    int position = 0;  // isdataat: the byte that must (or must not) exist
    SizeTest size;     // bsize: the buffer's length
    std::vector<RelativeContent> chain;  // Hyperscan form only: contents folded into this one
};

// flags: which TCP flags must be set, how the others count, and which to ignore.
struct FlagsTest {
    enum class Mode : uint8_t { none, exact, all, any, not_ } mode = Mode::none;
    uint8_t flags = 0, ignore = 0;
    bool matches(uint8_t tcp_flags) const {
        const uint8_t f = static_cast<uint8_t>(tcp_flags & ~ignore);
        switch (mode) {
            case Mode::none:
                return true;
            case Mode::exact:
                return f == flags;
            case Mode::all:
                return (f & flags) == flags;
            case Mode::any:
                return (f & flags) != 0;
            case Mode::not_:
                return (f & flags) == 0;
        }
        return false;
    }
};

struct FlowbitOp {
    enum class Op : uint8_t { set, unset, toggle, isset, isnotset } op = Op::set;
    std::string name;
    uint32_t bit = 0;  // assigned by the rule set: one bit per distinct name
};

// threshold / detection_filter: which events of a rule alert, tracked per source or destination.
struct RateLimit {
    enum class Type : uint8_t { none, limit, threshold, both, detection_filter } type = Type::none;
    bool by_dst = false;
    uint32_t count = 0, seconds = 0;
};

struct Rule {
    std::string file;
    int line = 0;
    RuleProto proto = RuleProto::tcp;
    bool app_http = false;  // "alert http": TCP whose client side speaks HTTP
    bool app_dns = false;   // "alert dns": DNS queries (UDP to port 53)
    AddrExpr src, dst;
    PortSet sport = PortSet::any(), dport = PortSet::any();
    bool bidirectional = false;  // "<>"

    std::string msg;
    uint32_t sid = 0;
    uint32_t rev = 1;
    uint32_t gid = 1;
    std::string classtype;
    std::string category;  // classtype's description, as EVE shows it
    int severity = 3;      // priority: explicit, else the classtype's, else 3
    std::vector<std::pair<std::string, std::string>> references;
    std::vector<std::pair<std::string, std::string>> metadata;  // key, value (in order)
    std::string threat;  // value of "metadata: threat X", empty when absent

    FlowDir flow = FlowDir::any;
    bool flow_established = false;  // only on flows past the handshake (or picked up midstream)
    bool flow_stateless = false;    // matched per packet, even where TCP is matched as a stream
    SizeTest dsize;
    FlagsTest flags;
    std::vector<FlowbitOp> flowbits;
    bool noalert = false;  // flowbits:noalert: its actions happen, it never alerts
    RateLimit threshold, detection_filter;

    std::vector<Pattern> patterns;  // contents, pcres, isdataats in rule order; all must hold
    // How Hyperscan finds the rule (see lower_rule): the whole rule as its expressions, or
    // one prefilter pattern after which `verify` decides exactly; empty: no prefilter, every
    // packet (or HTTP request) of the rule's ports is verified.
    std::vector<Pattern> hs;
    bool verify = false;
    Buffer prefilter_buffer = Buffer::payload;
    bool needs_http = false;    // some pattern reads an HTTP buffer: matched per HTTP request
    bool needs_dns = false;     // some pattern reads dns.query: matched per DNS query
    bool needs_telnet = false;  // some pattern reads telnet.data: matched per line typed
    // Some expression of `hs` can match at the end of data (`$`, a trailing `\b`, ...), which a
    // stream reports only when it is closed. Until the rule set's checks ask Hyperscan, assumed.
    bool hs_matches_at_eod = true;
};

}  // namespace pktsieve
