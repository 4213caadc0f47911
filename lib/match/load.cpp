#include "match/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "match/expressions.hpp"
#include "rules/parser.hpp"
#include "text/ascii.hpp"

namespace pktsieve {

namespace {

// A regex construct Hyperscan does not implement (backreferences, lookbehind, ...) makes the
// rule unsupported, not wrong; a regex that is malformed stays an error at compile.
std::optional<std::string> unsupported_regex(const Rule& r) {
    for (const auto& p : r.patterns) {
        if (p.kind != Pattern::Kind::pcre) continue;  // contents are always literals
        auto msg = check_pattern(p);
        if (!msg) continue;
        std::string lower(msg->size(), ' ');
        std::transform(msg->begin(), msg->end(), lower.begin(), ascii_lower);
        if (lower.find("unsupported") != std::string::npos ||
            lower.find("not supported") != std::string::npos)
            return "pcre not supported by Hyperscan: " + *msg;
    }
    return std::nullopt;
}

}  // namespace

RulesetLoad load_ruleset(const std::vector<std::string>& files, const Vars& vars, unsigned workers,
                         TcpMatching tcp, bool strict) {
    RulesetLoad out;
    std::vector<Rule> rules;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (const auto& f : files) {
        auto load = load_rules(f, vars);
        out.errors.insert(out.errors.end(), load.errors.begin(), load.errors.end());
        out.skipped.insert(out.skipped.end(), load.skipped.begin(), load.skipped.end());
        for (auto& r : load.rules) {
            if (!seen.emplace(r.gid, r.sid).second)
                out.errors.push_back({r.file, r.line, fmt::format("duplicate sid {}", r.sid)});
            else if (auto why = unsupported_regex(r))
                out.skipped.push_back({r.file, r.line, *why});
            else
                rules.push_back(std::move(r));
        }
    }
    if (strict) {
        out.errors.insert(out.errors.end(), out.skipped.begin(), out.skipped.end());
        out.skipped.clear();
    }
    if (!out.errors.empty()) return out;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        out.ruleset = Ruleset::compile(std::move(rules), workers, tcp);
    } catch (const CompileError& e) {
        // The same rule can sit in several port groups: report it once.
        std::set<std::string> unique;
        for (const auto& err : e.errors())
            if (unique.insert(err.str()).second) out.errors.push_back(err);
    }
    out.compile_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

void SlotRegistry::assign(Ruleset& rs) {
    std::vector<uint32_t> slots;
    for (const auto& r : rs.rules())
        slots.push_back(slots_.emplace(std::pair{r.gid, r.sid}, size()).first->second);
    rs.set_slots(std::move(slots), size());
}

std::string hash_files(const std::vector<std::string>& files) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) return "";
        char buf[65536];
        while (in.read(buf, sizeof buf) || in.gcount() > 0) {
            for (std::streamsize i = 0; i < in.gcount(); ++i)
                h = (h ^ static_cast<unsigned char>(buf[i])) * 0x100000001b3ull;
        }
    }
    return fmt::format("{:016x}", h);
}

std::map<std::string, size_t> skip_reasons(const std::vector<RuleError>& skipped) {
    std::map<std::string, size_t> out;
    for (const auto& e : skipped) ++out[e.reason];
    return out;
}

int check_rules(const std::vector<std::string>& files, const Vars& vars, bool strict,
                std::ostream& out) {
    const auto load = load_ruleset(files, vars, 1, TcpMatching::stream, strict);
    std::string names;
    for (const auto& f : files) names += (names.empty() ? "" : ", ") + f;
    if (!load.ruleset) {
        for (const auto& e : load.errors) out << e.str() << "\n";
        out << fmt::format("{}: rejected ({} error{})\n", names, load.errors.size(),
                           load.errors.size() == 1 ? "" : "s");
        return 1;
    }
    const auto& rs = *load.ruleset;
    std::map<std::string, size_t> by_threat;
    for (const auto& r : rs.rules()) ++by_threat[r.threat.empty() ? "unclassified" : r.threat];
    out << fmt::format(
        "{}: {} rules loaded, {} skipped; {} port groups, {} database bytes, "
        "compiled in {:.3f} s\n",
        names, rs.rules().size(), load.skipped.size(), rs.group_count(), rs.database_bytes(),
        load.compile_seconds);
    for (const auto& [reason, n] : skip_reasons(load.skipped))
        out << fmt::format("  skipped {:>5}  {}\n", n, reason);
    for (const auto& e : load.skipped) out << "  " << e.str() << "\n";
    for (const auto& [t, n] : by_threat) out << fmt::format("  threat {:<16} {:>5} rules\n", t, n);
    for (const auto& r : rs.rules())
        out << fmt::format("  {}:{}:{}  {}\n", r.gid, r.sid, r.rev, r.msg);
    return 0;
}

}  // namespace pktsieve
