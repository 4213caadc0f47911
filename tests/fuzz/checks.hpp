// The invariants of everything that reads untrusted bytes, stated once and shared by the
// deterministic mutator (fuzz_inputs.cpp, in every scripts/test) and the coverage-guided
// libFuzzer targets (targets/, scripts/fuzz). Each check returns the broken invariant's name, or
// nullptr; the caller counts it (fuzz_inputs) or aborts (libFuzzer keeps the input).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classify/pipeline.hpp"
#include "http/chunked.hpp"
#include "http/request.hpp"
#include "match/load.hpp"
#include "rules/parser.hpp"
#include "telnet/follower.hpp"

namespace pktsieve::fuzz {

// One frame through the parser and a pipeline; `data` must be an exact-size heap copy so a read
// past its end is an ASan report. `process` hands the frame to the pipeline (whole, or its last
// stage when the frame was staged in a burst).
template <typename Process>
inline const char* check_frame_with(const uint8_t* data, uint32_t size, const WorkerStats& stats,
                                    Process&& process) {
    Packet p;
    const Malformed why = parse(data, size, p);
    if (why == Malformed::none && p.payload_off + p.payload_len > size) return "payload in bounds";
    const Counters before = stats.counters;
    process();
    const Counters& c = stats.counters;
    if (c.rx_packets != before.rx_packets + 1) return "every frame counted";
    if (c.parsed + c.malformed != c.rx_packets) return "parsed + malformed == received";
    if ((why == Malformed::none) != (c.parsed == before.parsed + 1))
        return "the pipeline parses as the parser does";
    return nullptr;
}

inline const char* check_frame(const uint8_t* data, uint32_t size, Pipeline& pipe,
                               const WorkerStats& stats, uint64_t ts_us) {
    return check_frame_with(data, size, stats, [&] { pipe.process(data, size, ts_us); });
}

// A request head: every view the parser returns lies inside the bytes it was given, and
// normalising never grows the URI.
inline const char* check_http_head(std::string_view in, uint64_t* parsed = nullptr) {
    HttpRequest r;
    http_start(in);
    const size_t end = head_end(in);
    if (end != std::string_view::npos && end > in.size()) return "head end in bounds";
    if (!parse_request(in, r)) return nullptr;
    if (parsed) ++*parsed;
    if (r.uri.size() > r.uri_raw.size()) return "normalising never grows the URI";
    for (const auto v : {r.method, r.uri_raw, r.protocol, r.request_line, r.user_agent})
        if (!v.empty() && (v.data() < in.data() || v.data() + v.size() > in.data() + in.size()))
            return "views inside the head";
    return nullptr;
}

// The Telnet follower fed whole and in `piece`-byte pieces ends in the same state; what it
// keeps is bounded and never more than what was typed.
inline const char* check_telnet(std::string_view t, size_t piece) {
    TelnetFollower whole, cut;
    const unsigned lines = whole.feed(t);
    unsigned cut_lines = 0;
    for (size_t at = 0; at < t.size(); at += piece) cut_lines += cut.feed(t.substr(at, piece));
    if (whole.data() != cut.data() || whole.pending() != cut.pending() || lines != cut_lines)
        return "telnet: whole and in pieces agree";
    if (whole.data().size() > TelnetFollower::kMaxData ||
        whole.pending().size() > TelnetFollower::kMaxLine ||
        whole.data().size() + whole.pending().size() > t.size() + 2 * lines)
        return "telnet: normalising never grows what was typed";
    return nullptr;
}

// The chunked-body skipper fed whole and in `piece`-byte pieces: the same end, and the same
// bytes after the body (the next request). `done` counts bodies that ended.
inline const char* check_chunked(std::string_view t, size_t piece, uint64_t* done = nullptr) {
    auto run = [&](size_t step, std::string& rest) {
        ChunkedBody c;
        auto r = ChunkedBody::Result::more;
        for (size_t at = 0; at < t.size(); at += step) {
            std::string_view in = t.substr(at, step);
            if (r == ChunkedBody::Result::more) r = c.feed(in);
            if (r == ChunkedBody::Result::done) rest += in;
        }
        return r;
    };
    std::string rest_whole, rest_cut;
    const auto a = run(t.size() + 1, rest_whole), b = run(piece, rest_cut);
    if (a != b || rest_whole != rest_cut) return "chunked: whole and in pieces agree";
    if (done) *done += a == ChunkedBody::Result::done;
    return nullptr;
}

// Rule text: every error names fuzz.rules and a line of the text; a set that parsed compiles
// (Hyperscan may reject a rule: then it is reported as failed, the rest compiles).
inline const char* check_rules(std::string_view text, bool compile) {
    auto load = parse_rules(std::string(text), "fuzz.rules", Vars());
    const size_t lines = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    for (const auto* errors : {&load.failed, &load.skipped})
        for (const auto& e : *errors)
            if (e.file != "fuzz.rules" || e.line <= 0 || static_cast<size_t>(e.line) > lines ||
                e.reason.empty())
                return "rule errors name file:line and a reason";
    if (!compile || load.rules.empty()) return nullptr;
    const size_t parsed = load.rules.size();
    std::vector<RuleError> failed;
    try {
        auto rs = Ruleset::compile(std::move(load.rules), 1, TcpMatching::stream, failed);
        if (rs->rules().size() + failed.size() != parsed) return "every rule compiled or failed";
    } catch (const std::runtime_error&) {  // scratch allocation only
    }
    return nullptr;
}

}  // namespace pktsieve::fuzz
