// A compiled rule set: the rules, their Hyperscan databases grouped by protocol and
// destination-port group, and one Hyperscan scratch per worker (cloned from a prototype), so a
// set built for a reload brings its own scratch and never shares one with the set it replaces.
// With stream matching, a TCP group has a streaming database (rules scanned over each flow
// direction's reassembled bytes) and a block database for its `flow:stateless` rules; UDP and
// other protocols are always matched per packet.
//
// Thread-safety: immutable once shared (its loader sets `info` and the counter slots first),
// except scratch(w), which belongs to worker w alone.
#pragma once

#include <hs/hs.h>

#include <array>
#include <bitset>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "match/expressions.hpp"
#include "packet/packet.hpp"
#include "rules/error.hpp"
#include "rules/rule.hpp"

namespace pktsieve {

class DbCache;

// Seconds spent in each stage of Ruleset::compile, and what it built (--check-rules prints it).
struct CompileProfile {
    double check = 0;       // lowering rules to Hyperscan patterns, checking each pattern alone
    double groups = 0;      // port groups: which rules each destination port can match
    double databases = 0;   // Hyperscan databases of the port groups (threads in parallel)
    double pcres = 0;       // one block database per pcre of a rule to verify
    double scratch = 0;     // scratch prototype and one clone per worker
    size_t cached = 0;      // databases read from the rule cache instead of compiled
    unsigned threads = 1;   // threads the databases were compiled on
    unsigned attempts = 1;  // builds: a rule that failed inside a group costs one more
    size_t databases_built = 0;
};

struct HsDatabaseDeleter {
    void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
    void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;
// A port group's database: groups that want the same rules in the same mode share one.
using SharedHsDatabase = std::shared_ptr<hs_database_t>;

// The rules of one port group and the databases that find them.
struct PortGroup {
    std::vector<uint32_t> rules;
    // By the direction of the packet or flow side (direction_index): a rule with flow:to_server
    // is only in [0], flow:to_client only in [1], others in both, so a server's responses are
    // not scanned for what only a client can send.
    std::array<SharedHsDatabase, 2> db;  // per packet: whole rules, prefilters of rules to verify
    std::array<SharedHsDatabase, 2> stream;  // per TCP flow direction (stream mode): whole rules
    // Some rule of stream[d] can match at the end of data: closing such a stream must report
    // what it finds; the others' streams are released without a look.
    std::array<bool, 2> stream_at_eod{};
    // stream[d]'s rules compiled in block mode (their parts reported as in the stream), where
    // none can match at the end of data: a direction's first segment is scanned with it, and
    // its stream is opened only if a second segment comes (most flows send one).
    std::array<SharedHsDatabase, 2> stream_first;
    // Stream mode, client side: the whole rules anchored at the payload's start
    // (anchored_at_start), matched on each HTTP request head the client sends, so `^` and
    // depth mean "of this request" for every request of a keep-alive connection.
    SharedHsDatabase request;
    // Per HTTP request or DNS query: prefilters, by the buffer they look in.
    std::array<SharedHsDatabase, kBufferCount> by_buffer;
    std::vector<uint32_t> always;         // payload rules without a prefilter: verified per packet
    std::vector<uint32_t> http_always;    // HTTP rules without a prefilter: verified per request
    std::vector<uint32_t> dns_always;     // DNS rules without a prefilter: verified per query
    std::vector<uint32_t> telnet_always;  // telnet.data rules without a prefilter: per line
    bool reads_telnet = false;            // some rule reads telnet.data
    bool reads_dns = false;               // some rule reads dns.query
    bool reads_http = false;  // some rule reads HTTP buffers or needs the flow to be HTTP
    // Stream mode: payload rules verified per packet also see request heads gathered from
    // pieces, so clients' bytes are followed as HTTP here too.
    bool gathers_heads = false;
    bool stateless_in_db = false;  // stream mode: db[] holds flow:stateless rules (per packet)
    bool flow_state = false;       // stream mode: packets to these ports are tracked as flows
};

enum class TcpMatching : uint8_t { stream, block };

// 0: towards the server (or unknown), 1: towards the client.
inline size_t direction_index(FlowDir d) {
    return d == FlowDir::to_client ? 1 : 0;
}

enum class ProtoClass : uint8_t { tcp, udp, other, count_ };

inline ProtoClass proto_class(uint8_t proto) {
    return proto == kProtoTcp   ? ProtoClass::tcp
           : proto == kProtoUdp ? ProtoClass::udp
                                : ProtoClass::other;
}

// Where a rule set came from, for stats; filled in by whoever loads it, before publishing.
struct RulesetInfo {
    uint64_t generation = 0;  // 1 for the set loaded at start, +1 per successful reload
    std::string hash;         // FNV-1a 64 of the rule files' bytes, hex
    size_t skipped = 0;       // rules left out (unsupported)
    size_t failed = 0;        // rules left out (failed to parse or compile)
    double compile_seconds = 0;
};

class Ruleset {
  public:
    static constexpr uint16_t kNoGroup = 0xffff;
    // Port groups per protocol (TCP, UDP) at most; see build_groups.
    static constexpr size_t kMaxPortGroups = 16;

    // Compiles `rules` for `workers` workers. A rule Hyperscan rejects (alone, or inside its
    // group's database) is left out and reported in `failed` as file:line: reason; the rest is
    // compiled. Throws std::runtime_error only when Hyperscan cannot allocate scratch.
    // `cache`: compiled databases are taken from it when there, and stored in it.
    static std::unique_ptr<Ruleset> compile(std::vector<Rule> rules, unsigned workers,
                                            TcpMatching tcp, std::vector<RuleError>& failed,
                                            CompileProfile* profile = nullptr,
                                            const DbCache* cache = nullptr);
    // Scratch clones up to `workers` workers (a set compiled before the lcore layout was known,
    // for fewer). Throws std::runtime_error when Hyperscan cannot allocate one. Before the set
    // is shared: it is the one call that changes a compiled set.
    void add_scratch(unsigned workers);
    // As compile, but any failed rule throws std::runtime_error naming them all (tests, tools).
    static std::unique_ptr<Ruleset> compile_strict(std::vector<Rule> rules, unsigned workers,
                                                   TcpMatching tcp = TcpMatching::stream);
    ~Ruleset() = default;
    Ruleset(const Ruleset&) = delete;
    Ruleset& operator=(const Ruleset&) = delete;

    const std::vector<Rule>& rules() const { return rules_; }
    // Threat names in first-seen order; rules without one map to index threats().size().
    const std::vector<std::string>& threats() const { return threats_; }
    uint32_t threat_of(uint32_t rule) const { return rule_threat_[rule]; }

    // The group a packet of this protocol and destination port belongs to; nullptr when no
    // rule could match it.
    const PortGroup* group_for(uint8_t proto, uint16_t dport) const {
        const auto c = static_cast<size_t>(proto_class(proto));
        const uint16_t g =
            c == static_cast<size_t>(ProtoClass::other) ? other_group_ : port_group_[c][dport];
        return g == kNoGroup ? nullptr : &groups_[g];
    }
    const hs_database_t* database_for(uint8_t proto, uint16_t dport,
                                      FlowDir dir = FlowDir::to_server) const {
        const PortGroup* g = group_for(proto, dport);
        return g ? g->db[direction_index(dir)].get() : nullptr;
    }
    // TCP in stream mode: the streaming database for a flow direction whose packets go to
    // `dport`; nullptr when no stream rule could match.
    const hs_database_t* stream_database_for(uint16_t dport,
                                             FlowDir dir = FlowDir::to_server) const {
        const uint16_t g = port_group_[0][dport];
        return g == kNoGroup ? nullptr : groups_[g].stream[direction_index(dir)].get();
    }
    TcpMatching tcp_matching() const { return tcp_; }
    // Stream databases report each part of a multi-pattern rule on its own id (ids at or above
    // rules().size()): which rule, which bit of its part mask.
    struct Part {
        uint32_t rule;
        uint32_t bit;
    };
    bool is_part(unsigned id) const { return id >= rules_.size(); }
    Part part(unsigned id) const { return parts_[id - rules_.size()]; }
    uint32_t full_mask(uint32_t rule) const {
        return static_cast<uint32_t>((uint64_t{1} << rules_[rule].hs.size()) - 1);
    }
    // Per pattern of a rule to verify: the block database of that pattern when it is a pcre.
    const hs_database_t* const* pcre_databases(uint32_t rule) const {
        return pcre_dbs_[rule].data();
    }
    // Distinct flowbit names; FlowbitOp::bit indexes them.
    size_t flowbit_count() const { return flowbit_count_; }
    // Rules that set, unset or toggle a flowbit and test none: run first among a packet's
    // matches, so a rule testing the bit in the same packet sees it.
    bool sets_flowbits_only(uint32_t rule) const { return setter_[rule]; }
    // The largest stream state any streaming database needs (hs_stream_size), 0 without any.
    size_t max_stream_size() const { return max_stream_size_; }
    hs_scratch_t* scratch(unsigned worker) const {
        return worker < scratch_.size() ? scratch_[worker].get() : nullptr;
    }
    unsigned workers() const { return static_cast<unsigned>(scratch_.size()); }
    // Ports a stateless packet treats as the server side (see docs/rules.md, flow).
    bool is_server_port(uint16_t port) const { return server_ports_.test(port); }

    // Per-rule counters live at a stable slot per (gid, sid), so counts of rules that stay
    // survive a reload; by default the slot is the rule's index.
    uint32_t slot(uint32_t rule) const { return slots_[rule]; }
    uint32_t slot_count() const { return slot_count_; }
    void set_slots(std::vector<uint32_t> slots, uint32_t count) {
        slots_ = std::move(slots);
        slot_count_ = count;
    }
    RulesetInfo info;

    size_t group_count() const { return groups_.size(); }
    size_t database_bytes() const;

  private:
    Ruleset() = default;
    // Rule index -> why Hyperscan rejected it.
    using Failures = std::map<uint32_t, std::string>;
    void index_rules();
    void build_groups();
    void build_server_ports();
    // The port groups' databases (group_databases.cpp).
    struct DbRequest;
    class DbPlan;
    void compile_databases(unsigned threads, Failures& failures, CompileProfile& prof);
    void plan_group(PortGroup& g, bool tcp_stream, DbPlan& plan);
    hs_database_t* compile_db(std::vector<uint32_t> rules, unsigned mode, ExprMode expr, bool blame,
                              Failures& failures);
    void compile_pcres(unsigned threads, Failures& failures);
    void alloc_scratch(unsigned workers);
    void assign_flowbits();
    template <typename F>
    void for_each_database(F&& f) const;

    std::vector<Rule> rules_;
    std::vector<std::string> threats_;
    std::vector<uint32_t> rule_threat_;
    std::vector<PortGroup> groups_;
    std::array<std::vector<uint16_t>, 2> port_group_;  // tcp, udp: dport -> group
    uint16_t other_group_ = kNoGroup;
    std::vector<bool> tcp_group_;       // group index -> used by TCP packets
    std::vector<unsigned> first_part_;  // rule -> id of its first part
    std::vector<Part> parts_;           // id - rules_.size() -> rule and bit
    TcpMatching tcp_ = TcpMatching::stream;
    size_t max_stream_size_ = 0;
    std::vector<std::vector<HsDatabase>> pcre_owned_;  // per rule
    std::vector<std::vector<const hs_database_t*>> pcre_dbs_;
    size_t flowbit_count_ = 0;
    std::vector<uint32_t> slots_;
    uint32_t slot_count_ = 0;
    std::vector<bool> setter_;
    std::bitset<65536> server_ports_;
    const DbCache* cache_ = nullptr;  // while compiling
    std::unique_ptr<hs_scratch_t, HsScratchDeleter> prototype_;
    std::vector<std::unique_ptr<hs_scratch_t, HsScratchDeleter>> scratch_;
};

}  // namespace pktsieve
