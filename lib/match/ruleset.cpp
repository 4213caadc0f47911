#include "match/ruleset.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "match/expressions.hpp"

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
    std::vector<RuleError> errors;
    for (const auto& r : rs->rules_)
        for (const auto& p : r.patterns)
            if (auto msg = check_pattern(p))
                errors.push_back({r.file, r.line, "pattern rejected by Hyperscan: " + *msg});
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
        if (rule.patterns.size() > 1)
            for (uint32_t b = 0; b < rule.patterns.size(); ++b) rs->parts_.push_back({r, b});
    }
    if (!errors.empty()) throw CompileError(std::move(errors));
    rs->build_groups();
    rs->build_server_ports();
    for (size_t i = 0; i < rs->groups_.size(); ++i)
        rs->compile_group(rs->groups_[i], rs->tcp_group_[i] && tcp == TcpMatching::stream, errors);
    if (!errors.empty()) throw CompileError(std::move(errors));

    hs_scratch_t* proto = nullptr;
    for (const auto& g : rs->groups_)
        for (const hs_database_t* db : {g.db.get(), g.stream.get()})
            if (db && hs_alloc_scratch(db, &proto) != HS_SUCCESS)
                throw std::runtime_error("hs_alloc_scratch failed");
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
            groups_.push_back(PortGroup{std::move(members), nullptr, nullptr});
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

// A TCP group in stream mode: stream rules in a streaming database, `flow:stateless` rules in a
// block database (per packet); other groups: everything per packet.
void Ruleset::compile_group(PortGroup& g, bool tcp_stream, std::vector<RuleError>& errors) {
    if (!tcp_stream) {
        g.db.reset(compile_db(g.rules, HS_MODE_BLOCK, errors));
        return;
    }
    std::vector<uint32_t> stream, stateless;
    for (uint32_t r : g.rules) (rules_[r].flow_stateless ? stateless : stream).push_back(r);
    if (!stream.empty()) {
        g.stream.reset(compile_db(stream, HS_MODE_STREAM, errors));
        size_t n = 0;
        if (g.stream && hs_stream_size(g.stream.get(), &n) == HS_SUCCESS)
            max_stream_size_ = std::max(max_stream_size_, n);
    }
    if (!stateless.empty()) g.db.reset(compile_db(stateless, HS_MODE_BLOCK, errors));
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
    for (const auto& g : groups_)
        for (const hs_database_t* db : {g.db.get(), g.stream.get()}) {
            size_t n = 0;
            if (db && hs_database_size(db, &n) == HS_SUCCESS) total += n;
        }
    return total;
}

}  // namespace pktsieve
