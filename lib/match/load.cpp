#include "match/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "match/db_cache.hpp"
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

std::vector<std::string> expand_rule_files(const std::vector<std::string>& paths,
                                           std::vector<RuleError>& errors) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!std::filesystem::is_directory(p, ec)) {
            out.push_back(p);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& e : std::filesystem::directory_iterator(p, ec))
            if (e.path().extension() == ".rules" && e.is_regular_file(ec))
                found.push_back(e.path().string());
        if (found.empty()) errors.push_back({p, 0, "a directory without *.rules files"});
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

std::string classification_path(const std::vector<std::string>& files,
                                const std::string& explicit_file) {
    if (!explicit_file.empty()) return explicit_file;
    if (files.empty()) return "";
    std::error_code ec;
    const auto beside =
        std::filesystem::path(files.front()).parent_path() / "classification.config";
    return std::filesystem::is_regular_file(beside, ec) ? beside.string() : "";
}

RulesetLoad load_ruleset(const std::vector<std::string>& paths, const Vars& vars,
                         const LoadOptions& opts) {
    RulesetLoad out;
    const auto t0 = std::chrono::steady_clock::now();
    out.files = expand_rule_files(paths, out.errors);
    if (!out.errors.empty()) return out;
    const std::vector<std::string>& files = out.files;
    const std::string class_path = classification_path(files, opts.classification_file);
    Classifications classes;
    if (!class_path.empty()) {
        classes = Classifications::load(class_path, out.errors);
        if (!out.errors.empty()) return out;  // a classification file given must be read whole
    }
    const Classifications& table = class_path.empty() ? Classifications::builtin() : classes;
    out.classification_source = table.source();
    std::vector<Rule> rules;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (const auto& f : files) {
        auto load = load_rules(f, vars, table);
        if (!load.readable)
            out.errors.insert(out.errors.end(), load.failed.begin(), load.failed.end());
        else
            out.failed.insert(out.failed.end(), load.failed.begin(), load.failed.end());
        out.skipped.insert(out.skipped.end(), load.skipped.begin(), load.skipped.end());
        for (auto& r : load.rules) {
            if (!seen.emplace(r.gid, r.sid).second)
                out.failed.push_back({r.file, r.line, fmt::format("duplicate sid {}", r.sid)});
            else if (auto why = unsupported_regex(r))
                out.skipped.push_back({r.file, r.line, *why});
            else
                rules.push_back(std::move(r));
        }
    }
    out.parse_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!out.errors.empty()) return out;
    auto reject_if_strict = [&] {
        if (!opts.strict) return false;
        out.errors = out.failed;
        out.errors.insert(out.errors.end(), out.skipped.begin(), out.skipped.end());
        return !out.errors.empty();
    };
    if (reject_if_strict()) return out;
    const auto t1 = std::chrono::steady_clock::now();
    std::optional<DbCache> cache;
    if (!opts.rule_cache.empty()) {
        cache.emplace(opts.rule_cache);
        out.cache_problem = cache->problem();
    }
    out.ruleset = Ruleset::compile(std::move(rules), opts.workers, opts.tcp, out.failed,
                                   &out.profile, cache && cache->usable() ? &*cache : nullptr);
    if (cache) {
        out.profile.cached = cache->hits();
        cache->prune();
    }
    out.compile_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    std::sort(out.failed.begin(), out.failed.end(), [](const RuleError& a, const RuleError& b) {
        return std::tie(a.file, a.line) < std::tie(b.file, b.line);
    });
    if (reject_if_strict()) {
        out.ruleset.reset();
    } else if (out.ruleset->rules().empty() && !out.failed.empty()) {
        out.errors.push_back({files.empty() ? "" : files.front(), 0,
                              fmt::format("every rule failed ({} failed, {} skipped): nothing to "
                                          "load",
                                          out.failed.size(), out.skipped.size())});
        out.ruleset.reset();
    }
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

std::string reason_class(const std::string& reason) {
    // Rule-specific text follows the first ": " of these; the keyword-like reasons stay whole.
    for (const std::string_view prefix :
         {"pattern rejected by Hyperscan", "Hyperscan", "pcre not supported by Hyperscan"}) {
        if (reason.rfind(prefix, 0) == 0 && reason.size() > prefix.size() &&
            reason[prefix.size()] == ':') {
            std::string rest = reason.substr(prefix.size() + 2);
            // "Expression is not valid UTF-8 at index 3." -> without the index
            if (const auto at = rest.find(" at index "); at != std::string::npos) rest.resize(at);
            if (const auto at = rest.find(" at "); at != std::string::npos) rest.resize(at);
            return std::string(prefix) + ": " + rest;
        }
    }
    if (reason.rfind("duplicate sid ", 0) == 0) return "duplicate sid";
    return reason;
}

std::map<std::string, size_t> count_reasons(const std::vector<RuleError>& rules) {
    std::map<std::string, size_t> out;
    for (const auto& e : rules) ++out[reason_class(e.reason)];
    return out;
}

namespace {

void print_by_reason(std::ostream& out, const char* what, const std::vector<RuleError>& rules) {
    std::vector<std::pair<size_t, std::string>> sorted;
    for (const auto& [reason, n] : count_reasons(rules)) sorted.emplace_back(n, reason);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [n, reason] : sorted) out << fmt::format("  {} {:>5}  {}\n", what, n, reason);
}

}  // namespace

int check_rules(const std::vector<std::string>& files, const Vars& vars, const LoadOptions& opts,
                std::ostream& out) {
    const auto load = load_ruleset(files, vars, opts);
    std::string names;
    for (const auto& f : files) names += (names.empty() ? "" : ", ") + f;
    if (!load.ruleset) {
        if (!opts.strict) {  // with --strict they are the errors themselves
            for (const auto& e : load.failed) out << "failed " << e.str() << "\n";
            for (const auto& e : load.skipped) out << "skipped " << e.str() << "\n";
        }
        for (const auto& e : load.errors) out << e.str() << "\n";
        out << fmt::format("{}: rejected ({} error{})\n", names, load.errors.size(),
                           load.errors.size() == 1 ? "" : "s");
        return 1;
    }
    const auto& rs = *load.ruleset;
    const auto& p = load.profile;
    out << fmt::format(
        "{}: {} rules loaded, {} failed, {} skipped; classification {}; {} port groups, "
        "{} databases ({} from the rule cache), {} database bytes, compiled in {:.3f} s\n",
        names, rs.rules().size(), load.failed.size(), load.skipped.size(),
        load.classification_source, rs.group_count(), p.databases_built, p.cached,
        rs.database_bytes(), load.compile_seconds);
    out << fmt::format(
        "  stages: parse {:.3f} s, check {:.3f} s, groups {:.3f} s, databases {:.3f} s, "
        "pcres {:.3f} s, scratch {:.3f} s ({} threads, {} build{})\n",
        load.parse_seconds, p.check, p.groups, p.databases, p.pcres, p.scratch, p.threads,
        p.attempts, p.attempts == 1 ? "" : "s");
    print_by_reason(out, "failed ", load.failed);
    print_by_reason(out, "skipped", load.skipped);
    for (const auto& e : load.failed) out << "  failed " << e.str() << "\n";
    for (const auto& e : load.skipped) out << "  skipped " << e.str() << "\n";
    std::map<std::string, size_t> by_threat;
    for (const auto& r : rs.rules()) ++by_threat[r.threat.empty() ? "unclassified" : r.threat];
    for (const auto& [t, n] : by_threat) out << fmt::format("  threat {:<16} {:>5} rules\n", t, n);
    for (const auto& r : rs.rules())
        out << fmt::format("  {}:{}:{}  {}\n", r.gid, r.sid, r.rev, r.msg);
    return load.failed.empty() ? 0 : 1;
}

}  // namespace pktsieve
