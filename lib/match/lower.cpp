#include "match/lower.hpp"

#include <algorithm>

namespace pktsieve {

namespace {

bool whole(const Rule& r) {
    if (r.needs_http || r.needs_dns || r.needs_telnet || r.patterns.empty()) return false;
    const Pattern* before = nullptr;
    for (const auto& p : r.patterns) {
        if (p.negated || p.endswith || p.kind == Pattern::Kind::isdataat ||
            p.kind == Pattern::Kind::bsize)
            return false;
        if (p.relative && (p.kind != Pattern::Kind::content || p.distance < 0 || !before ||
                           before->kind != Pattern::Kind::content))
            return false;
        before = &p;
    }
    return true;
}

// Relative contents fold into the content before them: a chain becomes one pattern.
std::vector<Pattern> fold_chains(const std::vector<Pattern>& in) {
    std::vector<Pattern> out;
    for (const auto& p : in) {
        if (!p.relative) {
            out.push_back(p);
            continue;
        }
        out.back().chain.push_back({p.text, p.nocase, p.distance, p.within});
    }
    return out;
}

const Pattern* prefilter(const Rule& r) {
    const Pattern* best = nullptr;
    // A rule read per HTTP request (DNS query, Telnet line) finds its candidates in its buffers.
    auto usable = [&](const Pattern& p) {
        return !p.negated &&
               (!(r.needs_http || r.needs_dns || r.needs_telnet) || p.buffer != Buffer::payload);
    };
    for (const auto& p : r.patterns) {
        if (p.kind != Pattern::Kind::content || !usable(p)) continue;
        if (p.fast_pattern) return &p;
        if (!best || p.text.size() > best->text.size()) best = &p;
    }
    if (best) return best;
    for (const auto& p : r.patterns)
        if (p.kind == Pattern::Kind::pcre && usable(p) && !p.relative) return &p;
    return nullptr;
}

}  // namespace

void lower_rule(Rule& r, bool whole_allowed) {
    r.hs.clear();
    if (whole_allowed && whole(r)) {
        auto parts = fold_chains(r.patterns);
        // A stream tracks a whole rule's parts in a 32-bit mask; more parts are verified.
        if (parts.size() <= kMaxWholeParts) {
            r.verify = false;
            r.prefilter_buffer = Buffer::payload;
            r.hs = std::move(parts);
            return;
        }
    }
    r.verify = true;
    const Pattern* p = prefilter(r);
    r.prefilter_buffer = p ? p->buffer : Buffer::payload;
    if (!p) return;
    // Only what finds candidates: positions are the verifier's job.
    Pattern f;
    f.kind = p->kind;
    f.buffer = p->buffer;
    f.text = p->text;
    f.nocase = p->nocase;
    f.dotall = p->dotall;
    f.multiline = p->multiline;
    r.hs.push_back(std::move(f));
}

bool anchored_at_start(const Rule& r) {
    for (const auto& p : r.patterns) {
        if (p.buffer != Buffer::payload || p.relative || p.negated) continue;
        if (p.kind == Pattern::Kind::pcre && !p.text.empty() && p.text.front() == '^') return true;
        if (p.kind == Pattern::Kind::content && (p.offset > 0 || p.depth >= 0)) return true;
    }
    return false;
}

}  // namespace pktsieve
