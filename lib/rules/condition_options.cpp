// Conditions beside the payload: flowbits, threshold, detection_filter, flags, dsize.
#include <map>

#include "rules/list_syntax.hpp"
#include "rules/option_syntax.hpp"

namespace pktsieve {

namespace {

// flowbits:set,name | unset,name | toggle,name | isset,name | isnotset,name | noalert
void add_flowbits(Rule& r, std::string_view v) {
    const auto parts = split_commas(v);
    if (parts.size() == 1 && parts[0] == "noalert") {
        r.noalert = true;
        return;
    }
    static const std::map<std::string_view, FlowbitOp::Op> kOps{
        {"set", FlowbitOp::Op::set},
        {"unset", FlowbitOp::Op::unset},
        {"toggle", FlowbitOp::Op::toggle},
        {"isset", FlowbitOp::Op::isset},
        {"isnotset", FlowbitOp::Op::isnotset}};
    const auto op = kOps.find(parts[0]);
    if (op == kOps.end())
        throw Unsupported("unsupported flowbits command '" + std::string(parts[0]) + "'");
    if (parts.size() != 2 || parts[1].empty()) throw SyntaxError("'flowbits' needs 'command,name'");
    if (parts[1].find_first_of("|&") != std::string_view::npos)
        throw Unsupported("unsupported flowbits expression '" + std::string(parts[1]) + "'");
    r.flowbits.push_back({op->second, std::string(parts[1]), 0});
}

// "type limit, track by_src, count 1, seconds 60" (detection_filter has no type).
RateLimit parse_rate(std::string_view v, std::string_view key, bool typed) {
    RateLimit rl;
    bool track = false, count = false, seconds = false;
    for (const auto item : split_commas(v)) {
        const auto sp = item.find(' ');
        const auto name = item.substr(0, sp);
        const auto val = sp == std::string_view::npos ? std::string_view() : trim(item.substr(sp));
        if (name == "type" && typed) {
            static const std::map<std::string_view, RateLimit::Type> kTypes{
                {"limit", RateLimit::Type::limit},
                {"threshold", RateLimit::Type::threshold},
                {"both", RateLimit::Type::both}};
            const auto t = kTypes.find(val);
            if (t == kTypes.end()) throw SyntaxError("unknown type '" + std::string(val) + "'");
            rl.type = t->second;
        } else if (name == "track") {
            if (val != "by_src" && val != "by_dst")
                throw Unsupported("unsupported " + std::string(key) + " track '" +
                                  std::string(val) + "'");
            rl.by_dst = val == "by_dst";
            track = true;
        } else if (name == "count") {
            rl.count = static_cast<uint32_t>(parse_int(val, "count", 1, UINT32_MAX));
            count = true;
        } else if (name == "seconds") {
            rl.seconds = static_cast<uint32_t>(parse_int(val, "seconds", 1, 86400 * 365));
            seconds = true;
        } else {
            throw SyntaxError("unknown part '" + std::string(item) + "'");
        }
    }
    if (!typed) rl.type = RateLimit::Type::detection_filter;
    if (rl.type == RateLimit::Type::none || !track || !count || !seconds)
        throw SyntaxError(std::string(typed ? "type, " : "") +
                          "track, count and seconds are all needed");
    return rl;
}

// flags:[modifier]FLAGS[modifier][,IGNORED]; modifiers + (these and maybe others), * (any of
// these), ! (none of these); without one, exactly these.
uint8_t flag_bits(std::string_view letters) {
    static constexpr std::string_view kLetters = "FSRPAUEC";  // bit 0 .. bit 7
    uint8_t bits = 0;
    for (char c : letters) {
        const char u = c == '1' ? 'C' : c == '2' ? 'E' : static_cast<char>(c & ~0x20);
        if (c == '0') continue;
        const auto i = kLetters.find(u);
        if (i == std::string_view::npos)
            throw SyntaxError(std::string("unknown TCP flag '") + c + "'");
        bits = static_cast<uint8_t>(bits | (1u << i));
    }
    return bits;
}

FlagsTest parse_flags(std::string_view v) {
    FlagsTest t;
    const auto comma = v.find(',');
    std::string_view f = trim(v.substr(0, comma));
    if (comma != std::string_view::npos) t.ignore = flag_bits(trim(v.substr(comma + 1)));
    t.mode = FlagsTest::Mode::exact;
    for (const bool front : {true, false}) {
        if (f.empty()) break;
        const char m = front ? f.front() : f.back();
        const auto mode = m == '+'   ? FlagsTest::Mode::all
                          : m == '*' ? FlagsTest::Mode::any
                          : m == '!' ? FlagsTest::Mode::not_
                                     : FlagsTest::Mode::none;
        if (mode == FlagsTest::Mode::none) continue;
        t.mode = mode;
        f = front ? f.substr(1) : f.substr(0, f.size() - 1);
    }
    if (f.empty()) throw SyntaxError("'flags' needs flags");
    t.flags = flag_bits(f);
    return t;
}

}  // namespace

// N | !N | <N | >N | N<>M (dsize, bsize)
SizeTest parse_size(std::string_view v, std::string_view key) {
    SizeTest t;
    auto num = [key](std::string_view s) {
        return static_cast<uint32_t>(parse_int(trim(s), key, 0, 65535));
    };
    if (const auto r = v.find("<>"); r != std::string_view::npos) {
        t = {SizeTest::Op::range, num(v.substr(0, r)), num(v.substr(r + 2))};
        if (t.hi <= t.lo) throw SyntaxError("range needs its lower bound first");
    } else if (!v.empty() && (v[0] == '<' || v[0] == '>' || v[0] == '!')) {
        const auto op = v[0] == '<'   ? SizeTest::Op::lt
                        : v[0] == '>' ? SizeTest::Op::gt
                                      : SizeTest::Op::ne;
        t = {op, num(v.substr(1)), 0};
    } else {
        t = {SizeTest::Op::eq, num(v), 0};
    }
    return t;
}

const OptionTable& condition_options() {
    static const OptionTable h{
        {"flowbits", [](ParseState& s, auto, auto v) { add_flowbits(s.rule, v); }},
        {"threshold",
         [](ParseState& s, auto k, auto v) { s.rule.threshold = parse_rate(v, k, true); }},
        {"detection_filter",
         [](ParseState& s, auto k, auto v) { s.rule.detection_filter = parse_rate(v, k, false); }},
        {"flags", [](ParseState& s, auto, auto v) { s.rule.flags = parse_flags(v); }},
        {"noalert", [](ParseState& s, auto, auto) { s.rule.noalert = true; }},
        {"dsize", [](ParseState& s, auto, auto v) { s.rule.dsize = parse_size(v, "dsize"); }},
    };
    return h;
}

}  // namespace pktsieve
