#include "rules/options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <map>

#include "rules/classification.hpp"
#include "rules/error.hpp"
#include "rules/keywords.hpp"
#include "rules/list_syntax.hpp"
#include "rules/option_syntax.hpp"
#include "text/ascii.hpp"

namespace pktsieve {

std::string unquote(std::string_view v, std::string_view key) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"')
        throw SyntaxError("'" + std::string(key) + "' needs a quoted value");
    std::string out;
    v = v.substr(1, v.size() - 2);
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        out.push_back(v[i]);
    }
    return out;
}

long parse_int(std::string_view v, std::string_view key, long lo, long hi) {
    long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || n < lo || n > hi)
        throw SyntaxError("'" + std::string(key) + "' needs an integer in [" + std::to_string(lo) +
                          ", " + std::to_string(hi) + "], got '" + std::string(v) + "'");
    return n;
}

namespace {

struct Option {
    std::string_view key, value;
};

// Splits at every ';' not escaped by a backslash, as Suricata does: quotes do not protect a ';'
// (a content writes it as \; or |3b|), and a quote inside a pcre ("/^["']?x/") is just a byte.
std::vector<Option> split_options(std::string_view body) {
    std::vector<Option> out;
    size_t start = 0;
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\\') {
            ++i;
        } else if (c == ';') {
            const auto opt = trim(body.substr(start, i - start));
            start = i + 1;
            if (opt.empty()) continue;
            const auto colon = opt.find(':');
            if (colon == std::string_view::npos)
                out.push_back({opt, {}});
            else
                out.push_back({trim(opt.substr(0, colon)), trim(opt.substr(colon + 1))});
        }
    }
    if (!trim(body.substr(start)).empty())
        throw SyntaxError("option '" + std::string(trim(body.substr(start))) +
                          "' is not terminated by ';'");
    return out;
}

void decode_hex(std::string_view hex, std::string& out) {
    int hi = -1;
    for (char c : hex) {
        if (c == ' ') {
            if (hi >= 0) throw SyntaxError("odd hex digit in content |" + std::string(hex) + "|");
            continue;
        }
        const int d = hex_value(c);
        if (d < 0) throw SyntaxError("bad hex in content |" + std::string(hex) + "|");
        if (hi < 0) {
            hi = d;
        } else {
            out.push_back(static_cast<char>(hi << 4 | d));
            hi = -1;
        }
    }
    if (hi >= 0) throw SyntaxError("odd hex digit in content |" + std::string(hex) + "|");
}

void set_flow(Rule& r, std::string_view v) {
    for (const auto item : split_commas(v)) {
        if (item == "to_server" || item == "from_client")
            r.flow = FlowDir::to_server;
        else if (item == "to_client" || item == "from_server")
            r.flow = FlowDir::to_client;
        else if (item == "established")
            r.flow_established = true;
        else if (item == "stateless")
            r.flow_stateless = true;
        else if (item == "not_established" || item == "only_stream" || item == "no_stream" ||
                 item == "only_frag" || item == "no_frag")
            throw Unsupported("unsupported flow option '" + std::string(item) + "'");
        else
            throw SyntaxError("option '" + std::string(item) + "' not known");
    }
}

// "key value, key value": pairs kept in order; "threat X" also names the rule's threat.
void add_metadata(Rule& r, std::string_view v) {
    for (const auto item : split_commas(v)) {
        if (item.empty()) continue;
        const auto sp = item.find(' ');
        const auto key = std::string(item.substr(0, sp));
        const auto val =
            sp == std::string_view::npos ? std::string() : std::string(trim(item.substr(sp)));
        if (key == "threat") {
            if (!r.threat.empty() && r.threat != val)
                throw SyntaxError("two threats named ('" + r.threat + "', '" + val + "')");
            r.threat = val;
        }
        r.metadata.emplace_back(key, val);
    }
}

void add_reference(Rule& r, std::string_view v) {
    const auto comma = v.find(',');
    if (comma == std::string_view::npos) throw SyntaxError("'reference' needs 'type,value'");
    r.references.emplace_back(trim(v.substr(0, comma)), trim(v.substr(comma + 1)));
}

const OptionTable& rule_options() {
    static const OptionTable h = [] {
        OptionTable t{
            {"msg", [](ParseState& s, auto k, auto v) { s.rule.msg = unquote(v, k); }},
            {"sid",
             [](ParseState& s, auto k, auto v) { s.rule.sid = parse_int(v, k, 1, UINT32_MAX); }},
            {"rev",
             [](ParseState& s, auto k, auto v) { s.rule.rev = parse_int(v, k, 0, UINT32_MAX); }},
            {"gid",
             [](ParseState& s, auto k, auto v) { s.rule.gid = parse_int(v, k, 0, UINT32_MAX); }},
            {"priority",
             [](ParseState& s, auto k, auto v) {
                 s.rule.severity = parse_int(v, k, 1, 255);
                 s.priority_set = true;
             }},
            {"classtype", [](ParseState& s, auto, auto v) { s.rule.classtype = v; }},
            {"reference", [](ParseState& s, auto, auto v) { add_reference(s.rule, v); }},
            {"metadata", [](ParseState& s, auto, auto v) { add_metadata(s.rule, v); }},
            {"flow", [](ParseState& s, auto, auto v) { set_flow(s.rule, v); }},
            // Which side is the target, for EVE's source/target objects (not written yet).
            {"target",
             [](ParseState&, auto, auto v) {
                 if (v != "src_ip" && v != "dest_ip")
                     throw SyntaxError("needs src_ip or dest_ip, got '" + std::string(v) + "'");
             }},
        };
        for (const auto& [k, f] : payload_options()) t.emplace(k, f);
        for (const auto& [k, f] : condition_options()) t.emplace(k, f);
        return t;
    }();
    return h;
}

// distance/within on the first content of a buffer count from the buffer's start (the previous
// match "ends" at 0 in Suricata's inspection): offset = distance, the end bound distance + within.
void absolute_from_start(Pattern& p) {
    if (p.offset != 0 || p.depth >= 0)
        throw SyntaxError("a content cannot have both offset/depth and distance/within");
    const int len = static_cast<int>(p.text.size());
    const int end = p.within >= 0 ? p.distance + p.within : -1;
    if (p.within >= 0 && p.within < len)
        throw SyntaxError("within " + std::to_string(p.within) + " is shorter than its content");
    p.relative = false;
    p.offset = std::max(p.distance, 0);
    p.depth = end < 0 ? -1 : std::max(end - p.offset, 0);
    p.distance = 0;
    p.within = -1;
    if (p.depth >= 0 && p.depth < len)
        throw SyntaxError("distance/within leave no room for the content at the buffer's start");
}

// What Suricata itself rejects, checked once the whole rule is known.
void check_patterns(Rule& r) {
    std::array<bool, kBufferCount> seen{};
    for (auto& p : r.patterns) {
        const auto b = static_cast<size_t>(p.buffer);
        const auto len = static_cast<int>(p.text.size());
        if (p.kind == Pattern::Kind::content && p.relative && !seen[b]) {
            // The first content of its buffer: Suricata places it from the buffer's start.
            absolute_from_start(p);
        } else if (p.kind == Pattern::Kind::content && p.relative) {
            if (p.offset != 0 || p.depth >= 0)
                throw SyntaxError("a content cannot have both offset/depth and distance/within");
            if (p.within >= 0 && p.within < len)
                throw SyntaxError("within " + std::to_string(p.within) +
                                  " is shorter than its content");
        }
        if (p.kind == Pattern::Kind::content && p.depth >= 0 && p.depth < len)
            throw SyntaxError("depth " + std::to_string(p.depth) + " is shorter than its content");
        if (p.kind != Pattern::Kind::isdataat && p.kind != Pattern::Kind::bsize) seen[b] = true;
        if (p.kind == Pattern::Kind::bsize && p.buffer == Buffer::payload)
            throw SyntaxError("'bsize' needs a sticky buffer before it");
        r.needs_dns |= p.buffer == Buffer::dns_query;
        r.needs_telnet |= p.buffer == Buffer::telnet_data;
        r.needs_http |= p.buffer != Buffer::payload && p.buffer != Buffer::dns_query &&
                        p.buffer != Buffer::telnet_data;
    }
}

void finish(const ParseState& s) {
    Rule& r = s.rule;
    if (r.sid == 0) throw SyntaxError("rule has no 'sid'");
    check_patterns(r);
    if (r.needs_http && r.proto != RuleProto::tcp)
        throw SyntaxError("HTTP buffers need a tcp or http rule");
    if (r.needs_telnet && (r.proto != RuleProto::tcp || r.app_http))
        throw SyntaxError("telnet.data needs a tcp rule");
    if (r.needs_dns && r.proto != RuleProto::udp)
        throw Unsupported("dns.query on a protocol other than dns/udp (DNS over TCP)");
    if (r.needs_dns && r.needs_http) throw SyntaxError("a rule cannot read both HTTP and DNS");
    if (!r.classtype.empty()) {
        const auto* c = s.classes.find(r.classtype);
        if (!c)
            throw SyntaxError("unknown classtype '" + r.classtype + "' (not in " +
                              s.classes.source() + ")");
        r.category = c->description;
        if (!s.priority_set) r.severity = c->priority;
    }
}

}  // namespace

std::string decode_content(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '|') {
            const auto end = s.find('|', i + 1);
            if (end == std::string_view::npos) throw SyntaxError("unterminated |hex| in content");
            decode_hex(s.substr(i + 1, end - i - 1), out);
            i = end;
        } else if (s[i] == '\\') {
            if (i + 1 == s.size()) throw SyntaxError("content ends with a lone backslash");
            out.push_back(s[++i]);
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

void apply_options(std::string_view body, Rule& r, const Classifications& classes) {
    ParseState state{r, classes};
    for (const auto& [key, value] : split_options(body)) {
        const auto it = rule_options().find(key);
        if (it == rule_options().end() && is_suricata_keyword(key))
            throw Unsupported("unsupported keyword '" + std::string(key) + "'");
        if (it == rule_options().end())
            throw SyntaxError("unknown keyword '" + std::string(key) + "'");
        try {
            it->second(state, key, value);
        } catch (const Unsupported&) {
            throw;
        } catch (const SyntaxError& e) {
            // "'depth' needs an integer" already names the keyword; other reasons get it prefixed.
            const std::string what = e.what();
            if (what.rfind('\'' + std::string(key) + '\'', 0) == 0) throw;
            throw SyntaxError(std::string(key) + ": " + what);
        }
    }
    finish(state);
}

}  // namespace pktsieve
