// Contents, pcres, isdataat, their modifiers, and the buffers they look in.
#include "rules/list_syntax.hpp"
#include "rules/option_syntax.hpp"
#include "rules/options.hpp"

namespace pktsieve {

namespace {

// The content a modifier applies to: the rule's last content, even with a pcre or isdataat
// after it (Suricata: `content:"x"; depth:35; isdataat:30,relative; fast_pattern;`).
Pattern& last_content(ParseState& s, std::string_view key) {
    auto& ps = s.rule.patterns;
    for (auto it = ps.rbegin(); it != ps.rend(); ++it)
        if (it->kind == Pattern::Kind::content) return *it;
    throw SyntaxError("'" + std::string(key) + "' must follow a content");
}

// A quoted value, optionally negated: !"x".
std::string_view negatable(std::string_view v, std::string_view key, bool& negated) {
    negated = !v.empty() && v.front() == '!';
    if (negated) v = trim(v.substr(1));
    if (v.size() < 2 || v.front() != '"' || v.back() != '"')
        throw SyntaxError("'" + std::string(key) + "' needs a quoted value");
    return v.substr(1, v.size() - 2);
}

void add_content(ParseState& s, std::string_view v) {
    Pattern p;
    p.buffer = s.sticky;
    p.text = decode_content(negatable(v, "content", p.negated));
    if (p.text.empty()) throw SyntaxError("empty content");
    s.rule.patterns.push_back(std::move(p));
}

// PCRE flags pktsieve implements: i s m x, R (relative), B (accepted: no separate raw buffer)
// and the legacy buffer flags U I M H V W.
void pcre_flag(Pattern& p, char f, bool& extended) {
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
        case 'R':
            p.relative = true;
            break;
        case 'B':
            break;
        case 'U':
            p.buffer = Buffer::http_uri;
            break;
        case 'I':
            p.buffer = Buffer::http_uri_raw;
            break;
        case 'M':
            p.buffer = Buffer::http_method;
            break;
        case 'H':
            p.buffer = Buffer::http_header;
            break;
        case 'V':
            p.buffer = Buffer::http_user_agent;
            break;
        case 'W':
            p.buffer = Buffer::http_host;
            break;
        default:
            throw Unsupported(std::string("unsupported pcre flag '") + f + "'");
    }
}

void add_pcre(ParseState& s, std::string_view v) {
    Pattern p;
    p.kind = Pattern::Kind::pcre;
    p.buffer = s.sticky;
    const auto body = negatable(v, "pcre", p.negated);
    const auto last = body.rfind('/');
    if (body.empty() || body.front() != '/' || last == 0)
        throw SyntaxError("'pcre' must look like \"/regex/flags\"");
    p.text = std::string(body.substr(1, last - 1));
    bool extended = false;
    for (char f : body.substr(last + 1)) pcre_flag(p, f, extended);
    // Hyperscan wants a comment ended by a newline, PCRE also accepts the end of the pattern.
    if (extended) p.text = "(?x)" + p.text + "\n";
    if (p.text.empty()) throw SyntaxError("empty pcre");
    s.rule.patterns.push_back(std::move(p));
}

// isdataat:[!]N[,relative]
void add_isdataat(ParseState& s, std::string_view key, std::string_view v) {
    Pattern p;
    p.kind = Pattern::Kind::isdataat;
    p.buffer = s.sticky;
    p.negated = !v.empty() && v.front() == '!';
    if (p.negated) v = trim(v.substr(1));
    const auto parts = split_commas(v);
    p.position = static_cast<int>(parse_int(parts[0], key, 0, 65535));
    for (size_t i = 1; i < parts.size(); ++i) {
        if (parts[i] == "relative")
            p.relative = true;
        else if (parts[i] != "rawbytes")
            throw SyntaxError("'isdataat' option '" + std::string(parts[i]) + "' not known");
    }
    s.rule.patterns.push_back(std::move(p));
}

// bsize:N | <N | >N | N<>M : the length of the sticky buffer it follows.
void add_bsize(ParseState& s, std::string_view v) {
    Pattern p;
    p.kind = Pattern::Kind::bsize;
    p.buffer = s.sticky;
    p.size = parse_size(v, "bsize");
    s.rule.patterns.push_back(std::move(p));
}

void set_relative(ParseState& s, std::string_view k, std::string_view v, bool distance) {
    auto& p = last_content(s, k);
    p.relative = true;
    if (distance)
        p.distance = static_cast<int>(parse_int(v, k, -65535, 65535));
    else
        p.within = static_cast<int>(parse_int(v, k, 1, 65535));
}

OptionHandler sticky(Buffer b) {
    return [b](ParseState& s, auto, auto) { s.sticky = b; };
}
// Legacy content modifiers: move the content before them into the buffer.
OptionHandler modifier(Buffer b) {
    return [b](ParseState& s, auto k, auto) { last_content(s, k).buffer = b; };
}

}  // namespace

const OptionTable& payload_options() {
    static const OptionTable h{
        {"content", [](ParseState& s, auto, auto v) { add_content(s, v); }},
        {"pcre", [](ParseState& s, auto, auto v) { add_pcre(s, v); }},
        {"isdataat", [](ParseState& s, auto k, auto v) { add_isdataat(s, k, v); }},
        {"bsize", [](ParseState& s, auto, auto v) { add_bsize(s, v); }},
        {"nocase", [](ParseState& s, auto k, auto) { last_content(s, k).nocase = true; }},
        {"depth",
         [](ParseState& s, auto k, auto v) {
             last_content(s, k).depth = static_cast<int>(parse_int(v, k, 1, 65535));
         }},
        {"offset",
         [](ParseState& s, auto k, auto v) {
             last_content(s, k).offset = static_cast<int>(parse_int(v, k, 0, 65535));
         }},
        {"distance", [](ParseState& s, auto k, auto v) { set_relative(s, k, v, true); }},
        {"within", [](ParseState& s, auto k, auto v) { set_relative(s, k, v, false); }},
        {"startswith",
         [](ParseState& s, auto k, auto) {
             auto& p = last_content(s, k);
             p.offset = 0;
             p.depth = static_cast<int>(p.text.size());
         }},
        {"endswith", [](ParseState& s, auto k, auto) { last_content(s, k).endswith = true; }},
        // "fast_pattern", "fast_pattern:only", "fast_pattern:3,4": which content prefilters.
        {"fast_pattern",
         [](ParseState& s, auto k, auto) { last_content(s, k).fast_pattern = true; }},
        // Contents already see the bytes as sent: there is no normalised payload to bypass.
        {"rawbytes", [](ParseState& s, auto k, auto) { last_content(s, k); }},
        {"raw_data", [](ParseState&, auto, auto) {}},
        {"http.method", sticky(Buffer::http_method)},
        {"http.uri", sticky(Buffer::http_uri)},
        {"http.uri.raw", sticky(Buffer::http_uri_raw)},
        {"http.request_line", sticky(Buffer::http_request_line)},
        {"http.host", sticky(Buffer::http_host)},
        {"http.user_agent", sticky(Buffer::http_user_agent)},
        {"http.header", sticky(Buffer::http_header)},
        {"http.header_names", sticky(Buffer::http_header_names)},
        {"pkt_data", sticky(Buffer::payload)},
        {"dns.query", sticky(Buffer::dns_query)},
        {"dns_query", sticky(Buffer::dns_query)},
        {"telnet.data", sticky(Buffer::telnet_data)},
        {"http_method", modifier(Buffer::http_method)},
        {"http_uri", modifier(Buffer::http_uri)},
        {"http_raw_uri", modifier(Buffer::http_uri_raw)},
        {"http_header", modifier(Buffer::http_header)},
        {"http_host", modifier(Buffer::http_host)},
        {"http_user_agent", modifier(Buffer::http_user_agent)},
    };
    return h;
}

}  // namespace pktsieve
