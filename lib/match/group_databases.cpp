// The port groups' Hyperscan databases: planned per group, built once per distinct (rules,
// mode) — groups often want the same one (the shipped rules and the ET sample: 52 wanted, 20
// distinct) — on several threads, and shared by the groups that want it.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "match/db_cache.hpp"
#include "match/expressions.hpp"
#include "match/lower.hpp"
#include "match/parallel.hpp"
#include "match/ruleset.hpp"

namespace pktsieve {

// One database to build and the group members that get it.
struct Ruleset::DbRequest {
    std::vector<uint32_t> rules;
    unsigned mode = HS_MODE_BLOCK;
    ExprMode expr = ExprMode::block;
    // A shortcut (stream_first): the rules already have a database that decides whether they
    // load, so this one is left out whole if any rule fails in it, and blames none.
    bool optional = false;
    std::vector<SharedHsDatabase*> into;
};

class Ruleset::DbPlan {
  public:
    void want(std::vector<uint32_t> rules, unsigned mode, SharedHsDatabase& into) {
        want(std::move(rules), mode, mode == HS_MODE_BLOCK ? ExprMode::block : ExprMode::stream,
             false, into);
    }
    void want(std::vector<uint32_t> rules, unsigned mode, ExprMode expr, bool optional,
              SharedHsDatabase& into) {
        if (rules.empty()) return;
        auto [it, fresh] = index_.try_emplace({mode, expr, rules}, requests_.size());
        if (fresh) requests_.push_back({std::move(rules), mode, expr, optional, {}});
        requests_[it->second].into.push_back(&into);
    }
    std::vector<DbRequest>& requests() { return requests_; }

  private:
    std::map<std::tuple<unsigned, ExprMode, std::vector<uint32_t>>, size_t> index_;
    std::vector<DbRequest> requests_;
};

void Ruleset::compile_databases(unsigned threads, Failures& failures, CompileProfile& prof) {
    const auto t0 = std::chrono::steady_clock::now();
    DbPlan plan;
    for (size_t i = 0; i < groups_.size(); ++i)
        plan_group(groups_[i], tcp_group_[i] && tcp_ == TcpMatching::stream, plan);
    auto& requests = plan.requests();
    std::vector<Failures> per_request(requests.size());
    std::vector<SharedHsDatabase> built(requests.size());
    parallel_for(requests.size(), threads, [&](size_t i) {
        const DbRequest& r = requests[i];
        hs_database_t* db = compile_db(r.rules, r.mode, r.expr, !r.optional, per_request[i]);
        if (r.optional) per_request[i].clear();
        if (db) built[i] = SharedHsDatabase(db, HsDatabaseDeleter{});
    });
    std::set<const SharedHsDatabase*> lost_rules;  // built without some of their rules
    for (size_t i = 0; i < requests.size(); ++i) {
        failures.insert(per_request[i].begin(), per_request[i].end());
        for (SharedHsDatabase* into : requests[i].into) {
            *into = built[i];
            if (!per_request[i].empty()) lost_rules.insert(into);
        }
    }
    for (size_t i = 0; i < groups_.size(); ++i) {
        PortGroup& g = groups_[i];
        // A rule its stream left out (reported failed) must not match a first segment either.
        for (size_t d = 0; d < 2; ++d)
            if (lost_rules.count(&g.stream[d])) g.stream_first[d].reset();
        const bool flowbits = std::any_of(g.rules.begin(), g.rules.end(),
                                          [&](uint32_t r) { return !rules_[r].flowbits.empty(); });
        g.flow_state = tcp_group_[i] && tcp_ == TcpMatching::stream &&
                       (flowbits || g.stream[0] || g.stream[1] || g.reads_http || g.gathers_heads ||
                        g.request || g.reads_telnet);
    }
    for (const auto& g : groups_) {
        size_t n = 0;
        for (const auto& s : g.stream)
            if (s && hs_stream_size(s.get(), &n) == HS_SUCCESS)
                max_stream_size_ = std::max(max_stream_size_, n);
    }
    prof.databases_built += static_cast<size_t>(
        std::count_if(built.begin(), built.end(), [](const auto& db) { return db != nullptr; }));
    prof.databases += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Where each rule of a group is found: HTTP rules per request (databases by buffer), rules to
// verify on the payload per packet, whole rules in the streaming database of a TCP group in
// stream mode (except `flow:stateless` ones) and per packet otherwise.
void Ruleset::plan_group(PortGroup& g, bool tcp_stream, DbPlan& plan) {
    std::array<std::vector<uint32_t>, 2> stream, packet;  // by direction_index
    std::vector<uint32_t> request;
    std::array<std::vector<uint32_t>, kBufferCount> http;
    for (uint32_t r : g.rules) {
        const Rule& rule = rules_[r];
        g.reads_http = g.reads_http || rule.needs_http || rule.app_http;
        g.reads_dns = g.reads_dns || rule.app_dns;
        if (rule.needs_http || rule.needs_dns || rule.needs_telnet) {
            g.reads_dns = g.reads_dns || rule.needs_dns;
            g.reads_telnet = g.reads_telnet || rule.needs_telnet;
            if (!rule.hs.empty())
                http[static_cast<size_t>(rule.prefilter_buffer)].push_back(r);
            else
                (rule.needs_dns      ? g.dns_always
                 : rule.needs_telnet ? g.telnet_always
                                     : g.http_always)
                    .push_back(r);
        } else if (rule.hs.empty()) {
            g.always.push_back(r);
        } else {
            const bool in_stream = tcp_stream && !rule.verify && !rule.flow_stateless;
            auto& lists = in_stream ? stream : packet;
            for (size_t d = 0; d < 2; ++d) {
                if (rule.flow != FlowDir::any && direction_index(rule.flow) != d) continue;
                lists[d].push_back(r);
                if (in_stream) g.stream_at_eod[d] = g.stream_at_eod[d] || rule.hs_matches_at_eod;
            }
            if (in_stream && rule.flow != FlowDir::to_client && anchored_at_start(rule))
                request.push_back(r);
            g.stateless_in_db = g.stateless_in_db || (tcp_stream && rule.flow_stateless);
            g.gathers_heads =
                g.gathers_heads || (tcp_stream && rule.verify && !rule.flow_stateless);
        }
    }
    for (size_t d = 0; d < 2; ++d) {
        if (!g.stream_at_eod[d])
            plan.want(stream[d], HS_MODE_BLOCK, ExprMode::stream, true, g.stream_first[d]);
        plan.want(std::move(stream[d]), HS_MODE_STREAM, g.stream[d]);
        plan.want(std::move(packet[d]), HS_MODE_BLOCK, g.db[d]);
    }
    plan.want(std::move(request), HS_MODE_BLOCK, g.request);
    for (size_t b = 0; b < kBufferCount; ++b)
        plan.want(std::move(http[b]), HS_MODE_BLOCK, g.by_buffer[b]);
}

// A database of `rules`; a rule Hyperscan blames is recorded in `failures` and the database
// compiled without it. When Hyperscan names no expression, halves are compiled apart until the
// rules at fault are found. Without `blame`: nullptr (and a failure recorded) if any rule fails.
hs_database_t* Ruleset::compile_db(std::vector<uint32_t> rules, unsigned mode, ExprMode m,
                                   bool blame, Failures& failures) {
    // Per packet a rule reports once (SINGLEMATCH); in a stream every match is reported, so
    // each segment that matches counts as a hit.
    auto expressions = [&](const std::vector<uint32_t>& list) {
        std::vector<HsExpression> exprs;
        for (uint32_t r : list) append_expressions(rules_[r], r, first_part_[r], m, exprs);
        return exprs;
    };
    while (!rules.empty()) {
        const auto exprs = expressions(rules);
        std::string description;
        if (cache_) {
            description = DbCache::describe(exprs, mode);
            if (hs_database_t* db = cache_->load(description)) return db;
        }
        CompiledDb c = compile_expressions(exprs, mode);
        if (c.db) {
            if (cache_) cache_->store(description, c.db);
            return c.db;
        }
        if (!blame) {
            failures.emplace(rules.front(), c.error);
            return nullptr;
        }
        std::vector<uint32_t> blamed;
        if (c.expression >= 0 && static_cast<size_t>(c.expression) < exprs.size()) {
            blamed.push_back(exprs[static_cast<size_t>(c.expression)].rule);
            failures.emplace(blamed.back(), c.error);
        } else {
            // Bisect: a list that compiles is innocent; a single rule that fails is blamed.
            std::vector<std::vector<uint32_t>> todo{rules};
            while (!todo.empty()) {
                auto list = std::move(todo.back());
                todo.pop_back();
                CompiledDb part = compile_expressions(expressions(list), mode);
                if (part.db) {
                    hs_free_database(part.db);
                } else if (list.size() == 1) {
                    blamed.push_back(list[0]);
                    failures.emplace(list[0], part.error);
                } else {
                    const auto mid = list.begin() + static_cast<long>(list.size() / 2);
                    todo.emplace_back(list.begin(), mid);
                    todo.emplace_back(mid, list.end());
                }
            }
            if (blamed.empty()) {  // only the whole fails: none of it can be kept
                for (uint32_t r : rules) failures.emplace(r, c.error);
                return nullptr;
            }
        }
        std::erase_if(rules, [&](uint32_t r) {
            return std::find(blamed.begin(), blamed.end(), r) != blamed.end();
        });
    }
    return nullptr;
}

}  // namespace pktsieve
