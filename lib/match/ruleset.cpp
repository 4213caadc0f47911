#include "match/ruleset.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "match/expressions.hpp"
#include "match/lower.hpp"

namespace pktsieve {

namespace {

std::string join_errors(const std::vector<RuleError>& errors) {
    std::string s;
    for (const auto& e : errors) s += (s.empty() ? "" : "\n") + e.str();
    return s;
}

// The ports whose packets a rule may match in the scanned direction: "<>" rules both ways.
std::vector<std::pair<uint16_t, uint16_t>> scan_ranges(const Rule& r) {
    auto out = r.dport.ranges();
    if (r.bidirectional) out.insert(out.end(), r.sport.ranges().begin(), r.sport.ranges().end());
    return out;
}

bool in_class(const Rule& r, ProtoClass c) {
    if (r.proto == RuleProto::ip) return true;
    return (r.proto == RuleProto::tcp && c == ProtoClass::tcp) ||
           (r.proto == RuleProto::udp && c == ProtoClass::udp);
}

}  // namespace

CompileError::CompileError(std::vector<RuleError> errors)
    : std::runtime_error(join_errors(errors)), errors_(std::move(errors)) {}

std::unique_ptr<Ruleset> Ruleset::compile(std::vector<Rule> rules, unsigned workers,
                                          TcpMatching tcp) {
    std::unique_ptr<Ruleset> rs(new Ruleset());
    rs->rules_ = std::move(rules);
    rs->tcp_ = tcp;
    rs->slot_count_ = static_cast<uint32_t>(rs->rules_.size());
    for (uint32_t i = 0; i < rs->slot_count_; ++i) rs->slots_.push_back(i);
    std::vector<RuleError> errors;
    for (auto& r : rs->rules_) {
        lower_rule(r);
        for (const auto& p : r.patterns)
            if (p.kind == Pattern::Kind::pcre && r.verify)  // whole rules: checked in r.hs
                if (auto msg = check_pattern(p))
                    errors.push_back({r.file, r.line, "pattern rejected by Hyperscan: " + *msg});
        for (const auto& p : r.hs)
            if (auto msg = check_pattern(p))
                errors.push_back({r.file, r.line, "pattern rejected by Hyperscan: " + *msg});
    }
    if (!errors.empty()) throw CompileError(std::move(errors));
    rs->assign_flowbits(errors);
    if (!errors.empty()) throw CompileError(std::move(errors));

    for (const auto& r : rs->rules_) {
        auto it = std::find(rs->threats_.begin(), rs->threats_.end(), r.threat);
        if (!r.threat.empty() && it == rs->threats_.end())
            it = rs->threats_.insert(rs->threats_.end(), r.threat);
        rs->rule_threat_.push_back(
            r.threat.empty() ? UINT32_MAX : static_cast<uint32_t>(it - rs->threats_.begin()));
    }
    for (auto& t : rs->rule_threat_)
        if (t == UINT32_MAX) t = static_cast<uint32_t>(rs->threats_.size());

    for (uint32_t r = 0; r < rs->rules_.size(); ++r) {
        const auto& rule = rs->rules_[r];
        if (rule.patterns.size() > 32)
            errors.push_back({rule.file, rule.line, "more than 32 contents/pcres in one rule"});
        rs->first_part_.push_back(static_cast<unsigned>(rs->rules_.size() + rs->parts_.size()));
        if (rule.hs.size() > 1)
            for (uint32_t b = 0; b < rule.hs.size(); ++b) rs->parts_.push_back({r, b});
    }
    if (!errors.empty()) throw CompileError(std::move(errors));
    rs->build_groups();
    rs->build_server_ports();
    for (size_t i = 0; i < rs->groups_.size(); ++i)
        rs->compile_group(rs->groups_[i], rs->tcp_group_[i] && tcp == TcpMatching::stream, errors);
    rs->compile_pcres(errors);
    if (!errors.empty()) throw CompileError(std::move(errors));

    // One scratch serves every database of the set (Hyperscan sizes it for the largest).
    hs_scratch_t* proto = nullptr;
    bool failed = false;
    rs->for_each_database([&](const hs_database_t* db) {
        failed = failed || hs_alloc_scratch(db, &proto) != HS_SUCCESS;
    });
    if (failed) throw std::runtime_error("hs_alloc_scratch failed");
    rs->prototype_.reset(proto);
    for (unsigned w = 0; w < workers && proto; ++w) {
        hs_scratch_t* s = nullptr;
        if (hs_clone_scratch(proto, &s) != HS_SUCCESS)
            throw std::runtime_error("hs_clone_scratch failed");
        rs->scratch_.emplace_back(s);
    }
    return rs;
}

// Membership only changes at range boundaries, so the port space is cut into segments and each
// distinct rule list becomes one group (and one database).
void Ruleset::build_groups() {
    // Key: the rules, and whether TCP uses the group (TCP groups get a streaming database).
    std::map<std::pair<std::vector<uint32_t>, bool>, uint16_t> by_key;
    auto group_of = [&](std::vector<uint32_t> members, bool tcp) -> uint16_t {
        if (members.empty()) return kNoGroup;
        auto [it, fresh] =
            by_key.emplace(std::pair{members, tcp}, static_cast<uint16_t>(groups_.size()));
        if (fresh) {
            groups_.push_back(PortGroup{});
            groups_.back().rules = std::move(members);
            tcp_group_.push_back(tcp);
        }
        return it->second;
    };
    for (size_t c = 0; c < 2; ++c) {
        const auto cls = static_cast<ProtoClass>(c);
        std::set<uint32_t> cuts{0, 65536};
        for (const auto& r : rules_)
            if (in_class(r, cls))
                for (auto [lo, hi] : scan_ranges(r)) cuts.insert({lo, uint32_t{hi} + 1});
        port_group_[c].assign(65536, kNoGroup);
        for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
            const uint32_t lo = *it, hi = *std::next(it);
            std::vector<uint32_t> members;
            for (uint32_t i = 0; i < rules_.size(); ++i) {
                if (!in_class(rules_[i], cls)) continue;
                for (auto [a, b] : scan_ranges(rules_[i]))
                    if (lo >= a && lo <= b) {
                        members.push_back(i);
                        break;
                    }
            }
            const uint16_t g = group_of(std::move(members), cls == ProtoClass::tcp);
            std::fill(port_group_[c].begin() + lo, port_group_[c].begin() + hi, g);
        }
    }
    std::vector<uint32_t> other;
    for (uint32_t i = 0; i < rules_.size(); ++i)
        if (in_class(rules_[i], ProtoClass::other)) other.push_back(i);
    other_group_ = group_of(std::move(other), false);
}

void Ruleset::build_server_ports() {
    for (unsigned p = 1; p < 1024; ++p) server_ports_.set(p);
    for (const auto& r : rules_) {
        const PortSet* server = r.flow == FlowDir::to_client   ? &r.sport
                                : r.flow == FlowDir::to_server ? &r.dport
                                                               : nullptr;
        if (!server || server->is_any()) continue;
        for (auto [lo, hi] : server->ranges())
            for (uint32_t p = lo; p <= hi; ++p) server_ports_.set(p);
    }
}

// Where each rule of a group is found: HTTP rules per request (databases by buffer), rules to
// verify on the payload per packet, whole rules in the streaming database of a TCP group in
// stream mode (except `flow:stateless` ones) and per packet otherwise.
void Ruleset::compile_group(PortGroup& g, bool tcp_stream, std::vector<RuleError>& errors) {
    std::vector<uint32_t> stream, packet;
    std::array<std::vector<uint32_t>, kBufferCount> http;
    for (uint32_t r : g.rules) {
        const Rule& rule = rules_[r];
        g.reads_http = g.reads_http || rule.needs_http || rule.app_http;
        g.flow_state = g.flow_state || !rule.flowbits.empty();
        if (rule.needs_http) {
            if (rule.hs.empty())
                g.http_always.push_back(r);
            else
                http[static_cast<size_t>(rule.prefilter_buffer)].push_back(r);
        } else if (rule.hs.empty()) {
            g.always.push_back(r);
        } else {
            (tcp_stream && !rule.verify && !rule.flow_stateless ? stream : packet).push_back(r);
            g.gathers_heads =
                g.gathers_heads || (tcp_stream && rule.verify && !rule.flow_stateless);
        }
    }
    if (!stream.empty()) {
        g.stream.reset(compile_db(stream, HS_MODE_STREAM, errors));
        size_t n = 0;
        if (g.stream && hs_stream_size(g.stream.get(), &n) == HS_SUCCESS)
            max_stream_size_ = std::max(max_stream_size_, n);
    }
    if (!packet.empty()) g.db.reset(compile_db(packet, HS_MODE_BLOCK, errors));
    for (size_t b = 0; b < kBufferCount; ++b)
        if (!http[b].empty()) g.http[b].reset(compile_db(http[b], HS_MODE_BLOCK, errors));
    g.flow_state = tcp_stream && (g.flow_state || g.stream || g.reads_http || g.gathers_heads);
}

// Each pcre of a rule to verify is its own database: the verifier scans it from wherever the
// rule's previous match ended.
void Ruleset::compile_pcres(std::vector<RuleError>& errors) {
    pcre_dbs_.resize(rules_.size());
    for (uint32_t r = 0; r < rules_.size(); ++r) {
        const Rule& rule = rules_[r];
        if (!rule.verify) continue;
        pcre_dbs_[r].assign(rule.patterns.size(), nullptr);
        for (size_t i = 0; i < rule.patterns.size(); ++i) {
            const Pattern& p = rule.patterns[i];
            if (p.kind != Pattern::Kind::pcre) continue;
            const unsigned flags = (p.nocase ? HS_FLAG_CASELESS : 0) |
                                   (p.dotall ? HS_FLAG_DOTALL : 0) |
                                   (p.multiline ? HS_FLAG_MULTILINE : 0) | HS_FLAG_ALLOWEMPTY;
            hs_database_t* db = nullptr;
            hs_compile_error_t* err = nullptr;
            if (hs_compile(p.text.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &err) !=
                HS_SUCCESS) {
                errors.push_back(
                    {rule.file, rule.line,
                     std::string("Hyperscan: ") + (err ? err->message : "compile failed")});
                hs_free_compile_error(err);
                continue;
            }
            pcre_owned_.emplace_back(db);
            pcre_dbs_[r][i] = db;
        }
    }
}

void Ruleset::assign_flowbits(std::vector<RuleError>& errors) {
    std::map<std::string, uint32_t> bits;
    setter_.assign(rules_.size(), false);
    for (uint32_t r = 0; r < rules_.size(); ++r) {
        bool sets = false, tests = false;
        for (auto& op : rules_[r].flowbits) {
            auto [it, fresh] = bits.emplace(op.name, static_cast<uint32_t>(bits.size()));
            if (it->second >= 64) {
                errors.push_back({rules_[r].file, rules_[r].line, "more than 64 flowbit names"});
                bits.erase(it);
                continue;
            }
            op.bit = it->second;
            const bool test = op.op == FlowbitOp::Op::isset || op.op == FlowbitOp::Op::isnotset;
            (test ? tests : sets) = true;
        }
        setter_[r] = sets && !tests;
    }
    flowbit_count_ = bits.size();
}

template <typename F>
void Ruleset::for_each_database(F&& f) const {
    for (const auto& g : groups_) {
        for (const auto* db : {g.db.get(), g.stream.get()})
            if (db) f(db);
        for (const auto& db : g.http)
            if (db) f(db.get());
    }
    for (const auto& db : pcre_owned_) f(db.get());
}

hs_database_t* Ruleset::compile_db(const std::vector<uint32_t>& rules, unsigned mode,
                                   std::vector<RuleError>& errors) {
    std::vector<HsExpression> exprs;
    // Per packet a rule reports once (SINGLEMATCH); in a stream every match is reported, so
    // each segment that matches counts as a hit.
    const ExprMode m = mode == HS_MODE_BLOCK ? ExprMode::block : ExprMode::stream;
    for (uint32_t r : rules) append_expressions(rules_[r], r, first_part_[r], m, exprs);
    std::vector<const char*> text;
    std::vector<unsigned> flags, ids;
    std::vector<const hs_expr_ext_t*> ext;
    for (const auto& e : exprs) {
        text.push_back(e.regex.c_str());
        flags.push_back(e.flags);
        ids.push_back(e.id);
        ext.push_back(&e.ext);
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_ext_multi(text.data(), flags.data(), ids.data(), ext.data(),
                             static_cast<unsigned>(exprs.size()), mode, nullptr, &db,
                             &err) != HS_SUCCESS) {
        const int at = err ? err->expression : -1;
        const Rule& r = rules_[at >= 0 ? exprs[at].rule : rules.front()];
        errors.push_back(
            {r.file, r.line, std::string("Hyperscan: ") + (err ? err->message : "compile failed")});
        hs_free_compile_error(err);
        return nullptr;
    }
    return db;
}

size_t Ruleset::database_bytes() const {
    size_t total = 0;
    for_each_database([&](const hs_database_t* db) {
        size_t n = 0;
        if (hs_database_size(db, &n) == HS_SUCCESS) total += n;
    });
    return total;
}

}  // namespace pktsieve
