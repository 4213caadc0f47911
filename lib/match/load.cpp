#include "match/load.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <set>

#include "rules/parser.hpp"

namespace pktsieve {

RulesetLoad load_ruleset(const std::vector<std::string>& files, const Vars& vars, unsigned workers,
                         TcpMatching tcp) {
    RulesetLoad out;
    std::vector<Rule> rules;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (const auto& f : files) {
        auto load = load_rules(f, vars);
        out.errors.insert(out.errors.end(), load.errors.begin(), load.errors.end());
        for (auto& r : load.rules) {
            if (!seen.emplace(r.gid, r.sid).second)
                out.errors.push_back({r.file, r.line, fmt::format("duplicate sid {}", r.sid)});
            else
                rules.push_back(std::move(r));
        }
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

int check_rules(const std::string& file, const Vars& vars, std::ostream& out) {
    const auto load = load_ruleset({file}, vars, 1);
    if (!load.ruleset) {
        for (const auto& e : load.errors) out << e.str() << "\n";
        out << fmt::format("{}: rejected ({} error{})\n", file, load.errors.size(),
                           load.errors.size() == 1 ? "" : "s");
        return 1;
    }
    const auto& rs = *load.ruleset;
    std::map<std::string, size_t> by_threat;
    for (const auto& r : rs.rules()) ++by_threat[r.threat.empty() ? "unclassified" : r.threat];
    out << fmt::format(
        "{}: {} rules loaded, 0 skipped; {} port groups, {} database bytes, "
        "compiled in {:.3f} s\n",
        file, rs.rules().size(), rs.group_count(), rs.database_bytes(), load.compile_seconds);
    for (const auto& [t, n] : by_threat) out << fmt::format("  threat {:<16} {:>5} rules\n", t, n);
    for (const auto& r : rs.rules())
        out << fmt::format("  {}:{}:{}  {}\n", r.gid, r.sid, r.rev, r.msg);
    return 0;
}

}  // namespace pktsieve
