#include "rules/parser.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/list_syntax.hpp"
#include "rules/options.hpp"

namespace pktsieve {

namespace {

// Whitespace-separated header fields; brackets may hold spaces ("[80, 81]").
std::vector<std::string_view> header_fields(std::string_view h) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < h.size()) {
        while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
        if (i == h.size()) break;
        const size_t start = i;
        int depth = 0;
        while (i < h.size() && (depth > 0 || (h[i] != ' ' && h[i] != '\t'))) {
            depth += h[i] == '[' ? 1 : h[i] == ']' ? -1 : 0;
            ++i;
        }
        out.push_back(h.substr(start, i - start));
    }
    return out;
}

void set_proto(Rule& r, std::string_view p) {
    if (p == "tcp" || p == "http" || p == "http1") {
        r.proto = RuleProto::tcp;
        r.app_http = p != "tcp";
    } else if (p == "udp") {
        r.proto = RuleProto::udp;
    } else if (p == "dns") {  // DNS over UDP; DNS over TCP is not followed
        r.proto = RuleProto::udp;
        r.app_dns = true;
    } else if (p == "ip") {
        r.proto = RuleProto::ip;
    } else {
        throw Unsupported("unsupported protocol '" + std::string(p) + "'");
    }
}

}  // namespace

Rule parse_rule(std::string_view text, const Vars& vars, const Classifications& classes) {
    text = trim(text);
    const auto open = text.find('(');
    if (open == std::string_view::npos || text.back() != ')')
        throw SyntaxError("expected 'action proto src sport -> dst dport (options)'");
    const auto f = header_fields(text.substr(0, open));
    if (f.size() != 7)
        throw SyntaxError("header needs 7 fields (action proto src sport dir dst dport), got " +
                          std::to_string(f.size()));
    if (f[0] != "alert")
        throw Unsupported("unsupported action '" + std::string(f[0]) + "' (passive sensor: alert)");
    if (f[4] != "->" && f[4] != "<>")
        throw SyntaxError("direction must be '->' or '<>', got '" + std::string(f[4]) + "'");
    Rule r;
    set_proto(r, f[1]);
    r.src = parse_address(f[2], vars);
    r.sport = parse_ports(f[3], vars);
    r.bidirectional = f[4] == "<>";
    r.dst = parse_address(f[5], vars);
    r.dport = parse_ports(f[6], vars);
    apply_options(text.substr(open + 1, text.size() - open - 2), r, classes);
    return r;
}

RuleLoad parse_rules(std::string_view text, const std::string& file, const Vars& vars,
                     const Classifications& classes) {
    RuleLoad out;
    std::string pending;
    int pending_line = 0, lineno = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t nl = std::min(text.find('\n', pos), text.size());
        std::string_view line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        ++lineno;
        if (pending.empty() && (line.empty() || line.front() == '#')) continue;
        if (pending.empty()) pending_line = lineno;
        if (!line.empty() && line.back() == '\\') {
            pending.append(line.substr(0, line.size() - 1));
            if (pos <= text.size()) continue;
        } else {
            pending.append(line);
        }
        try {
            Rule r = parse_rule(pending, vars, classes);
            r.file = file;
            r.line = pending_line;
            out.rules.push_back(std::move(r));
        } catch (const Unsupported& e) {
            out.skipped.push_back({file, pending_line, e.what()});
        } catch (const SyntaxError& e) {
            out.failed.push_back({file, pending_line, e.what()});
        }
        pending.clear();
    }
    return out;
}

RuleLoad load_rules(const std::string& path, const Vars& vars, const Classifications& classes) {
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
        RuleLoad out;
        out.readable = false;
        out.failed.push_back({path, 0, "cannot open rule file"});
        return out;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_rules(ss.str(), path, vars, classes);
}

}  // namespace pktsieve
