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

// A content placed relative to the one before it (distance/within).
struct RelativeContent {
    std::string text;
    bool nocase = false;
    int distance = 0;  // starts at least this many bytes after the previous match's end
    int within = -1;   // ends within this many bytes after previous end + distance; -1: anywhere
};

// One content or pcre. Contents are stored as raw bytes; pcres as Hyperscan-ready regex text.
// A content with a chain must be followed by each chained content at its relative place; the
// whole chain is one Hyperscan expression.
struct Pattern {
    enum class Kind : uint8_t { content, pcre } kind = Kind::content;
    std::string text;
    bool nocase = false;     // content: nocase; pcre: /i
    bool dotall = false;     // pcre /s
    bool multiline = false;  // pcre /m
    int offset = 0;          // content: first byte the match may start at
    int depth = -1;  // content: bytes from `offset` the match must end within; -1 = unbounded
    bool relative = false;  // parsing only: distance/within seen, merged into the chain by finish
    RelativeContent rel;    // parsing only
    std::vector<RelativeContent> chain;
};

struct Rule {
    std::string file;
    int line = 0;
    RuleProto proto = RuleProto::tcp;
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
    std::vector<Pattern> patterns;  // all must match (AND)
};

}  // namespace pktsieve
