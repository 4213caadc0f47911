#include "rules/options.hpp"

#include <charconv>
#include <functional>
#include <map>

#include "rules/classification.hpp"
#include "rules/error.hpp"
#include "rules/list_syntax.hpp"

namespace pktsieve {

namespace {

struct Option {
    std::string_view key, value;
};

// Splits at ';' outside quotes; a backslash escapes the next character everywhere.
std::vector<Option> split_options(std::string_view body) {
    std::vector<Option> out;
    size_t start = 0;
    bool quoted = false;
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\\') {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ';' && !quoted) {
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
    if (quoted) throw SyntaxError("unterminated quoted string");
    if (!trim(body.substr(start)).empty())
        throw SyntaxError("option '" + std::string(trim(body.substr(start))) +
                          "' is not terminated by ';'");
    return out;
}

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

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void decode_hex(std::string_view hex, std::string& out) {
    int hi = -1;
    for (char c : hex) {
        if (c == ' ') {
            if (hi >= 0) throw SyntaxError("odd hex digit in content |" + std::string(hex) + "|");
            continue;
        }
        const int d = hex_digit(c);
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

Pattern& last_content(Rule& r, std::string_view key) {
    if (r.patterns.empty() || r.patterns.back().kind != Pattern::Kind::content)
        throw SyntaxError("'" + std::string(key) + "' must follow a content");
    return r.patterns.back();
}

void add_content(Rule& r, std::string_view v) {
    if (!v.empty() && v.front() == '!') throw SyntaxError("negated content not supported yet");
    if (v.size() < 2 || v.front() != '"' || v.back() != '"')
        throw SyntaxError("'content' needs a quoted value");
    Pattern p;
    p.text = decode_content(v.substr(1, v.size() - 2));
    if (p.text.empty()) throw SyntaxError("empty content");
    r.patterns.push_back(std::move(p));
}

void add_pcre(Rule& r, std::string_view v) {
    if (!v.empty() && v.front() == '!') throw SyntaxError("negated pcre not supported yet");
    if (v.size() < 2 || v.front() != '"' || v.back() != '"')
        throw SyntaxError("'pcre' needs a quoted value");
    const auto body = v.substr(1, v.size() - 2);
    const auto last = body.rfind('/');
    if (body.empty() || body.front() != '/' || last == 0)
        throw SyntaxError("'pcre' must look like \"/regex/flags\"");
    Pattern p;
    p.kind = Pattern::Kind::pcre;
    p.text = std::string(body.substr(1, last - 1));
    bool extended = false;
    for (char f : body.substr(last + 1)) {
        switch (f) {
            case 'i':
                p.nocase = true;
                break;
            case 's':
                p.dotall = true;
                break;
            case 'm':
                p.multiline = true;
                break;
            case 'x':
                extended = true;
                break;
            default:
                throw SyntaxError(std::string("flag '") + f + "' not supported (i s m x)");
        }
    }
    // Hyperscan wants a comment ended by a newline, PCRE also accepts the end of the pattern.
    if (extended) p.text = "(?x)" + p.text + "\n";
    if (p.text.empty()) throw SyntaxError("empty pcre");
    r.patterns.push_back(std::move(p));
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
        else
            throw SyntaxError("option '" + std::string(item) + "' not supported");
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

using Handler = std::function<void(Rule&, std::string_view key, std::string_view value)>;

const std::map<std::string_view, Handler>& handlers() {
    static const std::map<std::string_view, Handler> h{
        {"msg", [](Rule& r, auto k, auto v) { r.msg = unquote(v, k); }},
        {"sid", [](Rule& r, auto k, auto v) { r.sid = parse_int(v, k, 1, UINT32_MAX); }},
        {"rev", [](Rule& r, auto k, auto v) { r.rev = parse_int(v, k, 0, UINT32_MAX); }},
        {"gid", [](Rule& r, auto k, auto v) { r.gid = parse_int(v, k, 0, UINT32_MAX); }},
        {"priority", [](Rule& r, auto k, auto v) { r.severity = parse_int(v, k, 1, 255); }},
        {"classtype", [](Rule& r, auto, auto v) { r.classtype = v; }},
        {"reference", [](Rule& r, auto, auto v) { add_reference(r, v); }},
        {"metadata", [](Rule& r, auto, auto v) { add_metadata(r, v); }},
        {"flow", [](Rule& r, auto, auto v) { set_flow(r, v); }},
        {"content", [](Rule& r, auto, auto v) { add_content(r, v); }},
        {"pcre", [](Rule& r, auto, auto v) { add_pcre(r, v); }},
        {"nocase", [](Rule& r, auto k, auto) { last_content(r, k).nocase = true; }},
        {"depth",
         [](Rule& r, auto k, auto v) { last_content(r, k).depth = parse_int(v, k, 1, 65535); }},
        {"offset",
         [](Rule& r, auto k, auto v) { last_content(r, k).offset = parse_int(v, k, 0, 65535); }},
        // A performance hint only: every content of a rule is a Hyperscan literal already.
        {"fast_pattern", [](Rule& r, auto k, auto) { last_content(r, k); }},
        {"distance",
         [](Rule& r, auto k, auto v) {
             auto& p = last_content(r, k);
             p.relative = true;
             p.rel.distance = parse_int(v, k, -65535, 65535);
         }},
        {"within",
         [](Rule& r, auto k, auto v) {
             auto& p = last_content(r, k);
             p.relative = true;
             p.rel.within = parse_int(v, k, 1, 65535);
         }},
        {"startswith",
         [](Rule& r, auto k, auto) {
             auto& p = last_content(r, k);
             p.offset = 0;
             p.depth = static_cast<int>(p.text.size());
         }},
        // Pktsieve has no normalised buffers yet: every content already sees raw bytes.
        {"rawbytes", [](Rule& r, auto k, auto) { last_content(r, k); }},
    };
    return h;
}

// Folds each relative content into the content before it, so a chain becomes one pattern.
void merge_relative(Rule& r) {
    std::vector<Pattern> out;
    for (auto& p : r.patterns) {
        if (!p.relative) {
            out.push_back(std::move(p));
            continue;
        }
        if (out.empty() || out.back().kind != Pattern::Kind::content)
            throw SyntaxError("distance/within must follow a content");
        if (p.offset != 0 || p.depth >= 0)
            throw SyntaxError("a content cannot have both offset/depth and distance/within");
        if (p.rel.distance < 0) throw SyntaxError("negative distance not supported yet");
        if (p.rel.within >= 0 && p.rel.within < static_cast<int>(p.text.size()))
            throw SyntaxError("within " + std::to_string(p.rel.within) +
                              " is shorter than its content");
        p.rel.text = std::move(p.text);
        p.rel.nocase = p.nocase;
        out.back().chain.push_back(std::move(p.rel));
    }
    r.patterns = std::move(out);
}

void finish(Rule& r, bool priority_set) {
    if (r.sid == 0) throw SyntaxError("rule has no 'sid'");
    merge_relative(r);
    if (r.patterns.empty()) throw SyntaxError("rule needs at least one content or pcre");
    for (const auto& p : r.patterns)
        if (p.depth >= 0 && p.depth < static_cast<int>(p.text.size()))
            throw SyntaxError("depth " + std::to_string(p.depth) + " is shorter than its content");
    if (!r.classtype.empty()) {
        const auto* c = find_classification(r.classtype);
        if (!c) throw SyntaxError("unknown classtype '" + r.classtype + "'");
        r.category = c->description;
        if (!priority_set) r.severity = c->priority;
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

void apply_options(std::string_view body, Rule& r) {
    bool priority_set = false;
    for (const auto& [key, value] : split_options(body)) {
        const auto it = handlers().find(key);
        if (it == handlers().end()) throw SyntaxError("unknown keyword '" + std::string(key) + "'");
        try {
            it->second(r, key, value);
        } catch (const SyntaxError& e) {
            // "'depth' needs an integer" already names the keyword; other reasons get it prefixed.
            const std::string what = e.what();
            if (what.rfind('\'' + std::string(key) + '\'', 0) == 0) throw;
            throw SyntaxError(std::string(key) + ": " + what);
        }
        priority_set = priority_set || key == "priority";
    }
    finish(r, priority_set);
}

}  // namespace pktsieve
