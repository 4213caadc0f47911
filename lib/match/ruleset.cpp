#include "match/ruleset.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "match/expressions.hpp"
#include "match/lower.hpp"
#include "match/parallel.hpp"
#include "match/verify.hpp"

namespace pktsieve {

namespace {

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

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A whole rule of several parts is a logical combination in block mode; Hyperscan refuses some
// parts inside one (a pcre that can match at end of data: "unordered match in
// sub-expressions"). Such a rule is matched by prefilter and verification instead.
void lower_checked(Rule& r) {
    lower_rule(r);
    if (r.verify || r.hs.size() < 2) return;
    if (std::none_of(r.hs.begin(), r.hs.end(),
                     [](const Pattern& p) { return p.kind == Pattern::Kind::pcre; }))
        return;
    std::vector<HsExpression> exprs;
    append_expressions(r, 0, 1, ExprMode::block, exprs);
    if (const CompiledDb c = compile_expressions(exprs, HS_MODE_BLOCK); c.db) {
        hs_free_database(c.db);
        return;
    }
    lower_rule(r, false);
}

// Hyperscan's verdict on each pattern of a lowered rule, alone; and the verifier's bound.
// Records whether the rule's expressions can match at the end of data.
std::optional<std::string> check_rule(Rule& r) {
    std::array<size_t, kBufferCount> per_buffer{};
    for (const auto& p : r.patterns)
        if (++per_buffer[static_cast<size_t>(p.buffer)] > kMaxPatternsPerBuffer)
            return "more than " + std::to_string(kMaxPatternsPerBuffer) +
                   " contents/pcres/isdataat/bsize in one buffer";
    for (const auto& p : r.patterns)
        if (p.kind == Pattern::Kind::pcre && r.verify)  // whole rules: checked in r.hs
            if (auto msg = check_pattern(p)) return "pattern rejected by Hyperscan: " + *msg;
    r.hs_matches_at_eod = false;
    for (const auto& p : r.hs) {
        bool at_eod = true;
        if (auto msg = check_pattern(p, &at_eod)) return "pattern rejected by Hyperscan: " + *msg;
        r.hs_matches_at_eod = r.hs_matches_at_eod || at_eod;
    }
    return std::nullopt;
}

}  // namespace

std::unique_ptr<Ruleset> Ruleset::compile(std::vector<Rule> rules, unsigned workers,
                                          TcpMatching tcp, std::vector<RuleError>& failed,
                                          CompileProfile* profile, const DbCache* cache) {
    CompileProfile prof;
    prof.threads = std::max(1u, std::thread::hardware_concurrency());
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::optional<std::string>> why(rules.size());
    parallel_for(rules.size(), prof.threads, [&](size_t i) {
        lower_checked(rules[i]);
        why[i] = check_rule(rules[i]);
    });
    std::vector<Rule> good;
    for (size_t i = 0; i < rules.size(); ++i) {
        if (why[i])
            failed.push_back({rules[i].file, rules[i].line, *why[i]});
        else
            good.push_back(std::move(rules[i]));
    }
    rules = std::move(good);
    prof.check = seconds_since(t0);

    // A rule Hyperscan accepts alone can still fail inside a group's database; it is left out
    // and the set built again without it (rule indices are the databases' match ids).
    for (;; ++prof.attempts) {
        std::unique_ptr<Ruleset> rs(new Ruleset());
        rs->rules_ = std::move(rules);
        rs->tcp_ = tcp;
        rs->cache_ = cache;
        rs->index_rules();
        t0 = std::chrono::steady_clock::now();
        rs->build_groups();
        rs->build_server_ports();
        prof.groups += seconds_since(t0);
        Failures failures;
        rs->compile_databases(prof.threads, failures, prof);
        t0 = std::chrono::steady_clock::now();
        rs->compile_pcres(prof.threads, failures);
        prof.pcres += seconds_since(t0);
        if (failures.empty()) {
            rs->cache_ = nullptr;
            t0 = std::chrono::steady_clock::now();
            rs->alloc_scratch(workers);
            prof.scratch = seconds_since(t0);
            if (profile) *profile = prof;
            return rs;
        }
        rules = std::move(rs->rules_);
        std::vector<Rule> kept;
        for (uint32_t i = 0; i < rules.size(); ++i) {
            const auto f = failures.find(i);
            if (f == failures.end())
                kept.push_back(std::move(rules[i]));
            else
                failed.push_back({rules[i].file, rules[i].line, f->second});
        }
        rules = std::move(kept);
    }
}

std::unique_ptr<Ruleset> Ruleset::compile_strict(std::vector<Rule> rules, unsigned workers,
                                                 TcpMatching tcp) {
    std::vector<RuleError> failed;
    auto rs = compile(std::move(rules), workers, tcp, failed);
    std::string msg;
    for (const auto& e : failed) msg += (msg.empty() ? "" : "\n") + e.str();
    if (!failed.empty()) throw std::runtime_error(msg);
    return rs;
}

void Ruleset::index_rules() {
    slot_count_ = static_cast<uint32_t>(rules_.size());
    for (uint32_t i = 0; i < slot_count_; ++i) slots_.push_back(i);
    assign_flowbits();
    for (const auto& r : rules_) {
        auto it = std::find(threats_.begin(), threats_.end(), r.threat);
        if (!r.threat.empty() && it == threats_.end())
            it = threats_.insert(threats_.end(), r.threat);
        rule_threat_.push_back(r.threat.empty() ? UINT32_MAX
                                                : static_cast<uint32_t>(it - threats_.begin()));
    }
    for (auto& t : rule_threat_)
        if (t == UINT32_MAX) t = static_cast<uint32_t>(threats_.size());
    for (uint32_t r = 0; r < rules_.size(); ++r) {
        first_part_.push_back(static_cast<unsigned>(rules_.size() + parts_.size()));
        if (rules_[r].hs.size() > 1)
            for (uint32_t b = 0; b < rules_[r].hs.size(); ++b) parts_.push_back({r, b});
    }
}

// One scratch serves every database of the set (Hyperscan sizes it for the largest).
void Ruleset::alloc_scratch(unsigned workers) {
    hs_scratch_t* proto = nullptr;
    bool failed = false;
    for_each_database([&](const hs_database_t* db) {
        failed = failed || hs_alloc_scratch(db, &proto) != HS_SUCCESS;
    });
    prototype_.reset(proto);
    if (failed) throw std::runtime_error("hs_alloc_scratch failed");
    add_scratch(workers);
}

void Ruleset::add_scratch(unsigned workers) {
    while (prototype_ && scratch_.size() < workers) {
        hs_scratch_t* s = nullptr;
        if (hs_clone_scratch(prototype_.get(), &s) != HS_SUCCESS)
            throw std::runtime_error("hs_clone_scratch failed");
        scratch_.emplace_back(s);
    }
}

// Membership only changes at range boundaries, so the port space is cut into segments and each
// distinct rule list becomes one group (and its databases). A large set (ET Open names hundreds
// of ports) would make hundreds of groups, each compiling the rules every port shares; as
// Suricata does, only the kMaxPortGroups - 1 largest lists keep a group of their own and the
// other ports share one group with the union of their lists. A rule found on a port it does not
// name is dropped by the header check after the hit.
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
        // Rules starting and ending at each cut, so a sweep keeps the live set.
        std::map<uint32_t, std::pair<std::vector<uint32_t>, std::vector<uint32_t>>> events;
        events[0];
        events[65536];
        for (uint32_t i = 0; i < rules_.size(); ++i) {
            if (!in_class(rules_[i], cls)) continue;
            auto ranges = scan_ranges(rules_[i]);
            std::sort(ranges.begin(), ranges.end());
            uint32_t open_lo = 0, open_hi = 0;
            bool open = false;
            for (auto [lo, hi] : ranges) {  // merged, so a rule enters each segment once
                if (open && lo <= open_hi + 1) {
                    open_hi = std::max<uint32_t>(open_hi, hi);
                    continue;
                }
                if (open) {
                    events[open_lo].first.push_back(i);
                    events[open_hi + 1].second.push_back(i);
                }
                open = true;
                open_lo = lo;
                open_hi = hi;
            }
            if (open) {
                events[open_lo].first.push_back(i);
                events[open_hi + 1].second.push_back(i);
            }
        }
        struct Segment {
            uint32_t lo, hi;
            size_t list;
        };
        std::vector<Segment> segments;
        std::map<std::vector<uint32_t>, size_t> list_index;
        std::vector<std::vector<uint32_t>> lists;
        std::set<uint32_t> live;
        for (auto it = events.begin(); std::next(it) != events.end(); ++it) {
            for (uint32_t r : it->second.second) live.erase(r);
            for (uint32_t r : it->second.first) live.insert(r);
            if (live.empty()) continue;
            std::vector<uint32_t> members(live.begin(), live.end());
            auto [li, fresh] = list_index.emplace(members, lists.size());
            if (fresh) lists.push_back(std::move(members));
            segments.push_back({it->first, std::next(it)->first, li->second});
        }
        std::vector<size_t> target(lists.size());
        for (size_t i = 0; i < lists.size(); ++i) target[i] = i;
        if (lists.size() > kMaxPortGroups) {
            std::vector<size_t> by_size(lists.size());
            for (size_t i = 0; i < lists.size(); ++i) by_size[i] = i;
            std::stable_sort(by_size.begin(), by_size.end(),
                             [&](size_t a, size_t b) { return lists[a].size() > lists[b].size(); });
            std::set<uint32_t> merged;
            for (size_t k = kMaxPortGroups - 1; k < by_size.size(); ++k) {
                merged.insert(lists[by_size[k]].begin(), lists[by_size[k]].end());
                target[by_size[k]] = lists.size();
            }
            lists.emplace_back(merged.begin(), merged.end());
        }
        std::vector<uint16_t> group(lists.size(), kNoGroup);
        port_group_[c].assign(65536, kNoGroup);
        for (const auto& seg : segments) {
            const size_t l = target[seg.list];
            if (group[l] == kNoGroup) group[l] = group_of(lists[l], cls == ProtoClass::tcp);
            std::fill(port_group_[c].begin() + seg.lo, port_group_[c].begin() + seg.hi, group[l]);
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

// Each pcre of a rule to verify is its own database: the verifier scans it from wherever the
// rule's previous match ended.
void Ruleset::compile_pcres(unsigned threads, Failures& failures) {
    pcre_dbs_.resize(rules_.size());
    pcre_owned_.resize(rules_.size());
    std::vector<std::string> why(rules_.size());
    parallel_for(rules_.size(), threads, [&](size_t r) {
        const Rule& rule = rules_[r];
        if (!rule.verify) return;
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
                why[r] = std::string("Hyperscan: ") + (err ? err->message : "compile failed");
                hs_free_compile_error(err);
                return;
            }
            pcre_owned_[r].emplace_back(db);
            pcre_dbs_[r][i] = db;
        }
    });
    for (uint32_t r = 0; r < rules_.size(); ++r)
        if (!why[r].empty()) failures.emplace(r, why[r]);
}

void Ruleset::assign_flowbits() {
    std::map<std::string, uint32_t> bits;
    setter_.assign(rules_.size(), false);
    for (uint32_t r = 0; r < rules_.size(); ++r) {
        bool sets = false, tests = false;
        for (auto& op : rules_[r].flowbits) {
            op.bit = bits.emplace(op.name, static_cast<uint32_t>(bits.size())).first->second;
            const bool test = op.op == FlowbitOp::Op::isset || op.op == FlowbitOp::Op::isnotset;
            (test ? tests : sets) = true;
        }
        setter_[r] = sets && !tests;
    }
    flowbit_count_ = bits.size();
}

template <typename F>
void Ruleset::for_each_database(F&& f) const {
    std::set<const hs_database_t*> seen;  // groups share databases: each is visited once
    for (const auto& g : groups_) {
        for (const auto* db : {g.db[0].get(), g.db[1].get(), g.stream[0].get(), g.stream[1].get(),
                               g.stream_first[0].get(), g.stream_first[1].get(), g.request.get()})
            if (db && seen.insert(db).second) f(db);
        for (const auto& db : g.by_buffer)
            if (db && seen.insert(db.get()).second) f(db.get());
    }
    for (const auto& dbs : pcre_owned_)
        for (const auto& db : dbs) f(db.get());
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
