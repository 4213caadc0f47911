// Deterministic mutation fuzzing of everything that reads untrusted bytes: frames through the
// parser and the whole pipeline, and rule text through the rule parser. Run under ASan/UBSan in
// scripts/test; a crash, a sanitizer report or a broken invariant fails it.
//   fuzz_inputs [ITERATIONS] [SEED]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "../unit/frames.hpp"
#include "checks.hpp"

using namespace pktsieve;
using Bytes = std::vector<uint8_t>;

namespace {

int failures = 0;

void require(const char* broken, uint64_t iteration) {
    if (!broken) return;
    const char* what = broken;
    std::fprintf(stderr, "fuzz: invariant '%s' broken at iteration %llu\n", what,
                 static_cast<unsigned long long>(iteration));
    ++failures;
}

std::vector<Bytes> seeds() {
    std::vector<Bytes> out;
    test::FrameSpec f;
    f.payload = "GET /_plugin/head/../../etc/passwd HTTP/1.1\r\n\r\n";
    out.push_back(test::frame(f));
    f.vlans = {100, 200};
    f.ipv6 = true;
    out.push_back(test::frame(f));
    f = {};
    f.proto = 17;
    f.payload = "abcdefgh";
    out.push_back(test::frame(f));
    f = {};
    f.dport = 23;
    f.payload = "\xff\xfb\x18root\r\nxc3511\r\n";
    out.push_back(test::frame(f));
    // HTTP: whole heads, pieces of one (same flow, consecutive sequence numbers), a CONNECT.
    f = {};
    f.dport = 80;
    f.payload = "GET /a/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\n\r\n";
    out.push_back(test::frame(f));
    const std::string head =
        "POST /x HTTP/1.1\r\nContent-Length: 3\r\nHost: a\r\n\r\nabcPUT /y HTTP/1.1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.0\r\n";
    for (size_t at = 0, seq = 1; at < head.size(); at += 9, seq += 9) {
        f.payload = head.substr(at, 9);
        f.seq = static_cast<uint32_t>(seq);
        out.push_back(test::frame(f));
    }
    f = {};
    f.dport = 8080;
    f.payload = "CONNECT a:8443 HTTP/1.1\r\n\r\nUSER x PASS y";
    out.push_back(test::frame(f));
    return out;
}

void mutate(Bytes& b, std::mt19937_64& rng) {
    const unsigned kind = rng() % 4;
    if (b.empty() || kind == 0) {
        b.resize(rng() % (b.size() + 1));  // truncate
    } else if (kind == 1) {
        for (unsigned i = 0, n = 1 + rng() % 4; i < n; ++i)
            b[rng() % b.size()] ^= 1u << (rng() % 8);
    } else if (kind == 2) {
        b[rng() % b.size()] = static_cast<uint8_t>(rng());
    } else {
        b.insert(b.begin() + static_cast<long>(rng() % b.size()), rng() % 16,
                 static_cast<uint8_t>(rng()));
    }
}

void fuzz_frames(const char* rules, uint64_t iterations, uint64_t seed) {
    auto load = load_ruleset({rules}, Vars());
    if (!load.ruleset || !load.skipped.empty()) std::abort();
    WorkerStats stats(load.ruleset->rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    Pipeline pipe(*load.ruleset, 0, stats, *alerts);
    std::mt19937_64 rng(seed);
    const auto base = seeds();
    for (uint64_t i = 0; i < iterations; ++i) {
        Bytes b = base[rng() % base.size()];
        for (unsigned m = 0, n = 1 + rng() % 3; m < n; ++m) mutate(b, rng);
        // An exact-size heap copy: any read past the end is an ASan report.
        std::vector<uint8_t> exact(b.begin(), b.end());
        require(
            fuzz::check_frame(exact.data(), static_cast<uint32_t>(exact.size()), pipe, stats, i),
            i);
        alerts->size = 0;
    }
    const Counters& c = stats.counters;
    pipe.finish();
    std::printf(
        "fuzz: %s: %llu frames: %llu parsed, %llu malformed, %llu scanned, %llu alerts, "
        "%llu HTTP heads, %llu verified\n",
        rules, static_cast<unsigned long long>(iterations),
        static_cast<unsigned long long>(c.parsed), static_cast<unsigned long long>(c.malformed),
        static_cast<unsigned long long>(c.scanned_packets),
        static_cast<unsigned long long>(c.alerts), static_cast<unsigned long long>(c.http_requests),
        static_cast<unsigned long long>(c.verify_candidates));
}

// The request-head parser alone: every view it returns lies inside the bytes it was given.
void fuzz_http(uint64_t iterations, uint64_t seed) {
    const Bytes base = test::Bytes(
        {'G',  'E',  'T', ' ', '/', '%', '4', '1', ' ', 'H', 'T', 'T',  'P',  '/',  '1', '.', '1',
         '\r', '\n', 'H', 'o', 's', 't', ':', ' ', 'A', ':', '8', '\r', '\n', 'C',  'o', 'n', 't',
         'e',  'n',  't', '-', 'L', 'e', 'n', 'g', 't', 'h', ':', '9',  '\n', '\r', '\n'});
    std::mt19937_64 rng(seed);
    uint64_t parsed = 0;
    for (uint64_t i = 0; i < iterations; ++i) {
        Bytes b = base;
        for (unsigned m = 0, n = 1 + rng() % 3; m < n; ++m) mutate(b, rng);
        const std::vector<char> exact(b.begin(), b.end());
        require(fuzz::check_http_head(std::string_view(exact.data(), exact.size()), &parsed), i);
    }
    std::printf("fuzz: %llu HTTP heads mutated, %llu parsed as requests\n",
                static_cast<unsigned long long>(iterations),
                static_cast<unsigned long long>(parsed));
}

// The Telnet follower and the chunked-body skipper are state machines fed in pieces: fed whole
// or cut anywhere, they must end in the same state (the check that found the trailer bug).
void fuzz_streams(uint64_t iterations, uint64_t seed) {
    using namespace std::string_literals;  // "..."s keeps the NULs
    const std::string telnet_base =
        "\xff\xfb\x18"
        "r\xff\xf1"
        "o\xff\xfa\x1f\x00\x50\xff\xff\xff\xf0"
        "ot\r\x00"
        "x\x08"
        "c\x7f\xff\xf7\xff\xf8"
        "pw\r\n\n"s;
    const std::string chunked_base =
        "5;x\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: 1\r\nX\n\r\nNEXT";
    const std::string alphabet = "\xff\xfa\xf0\xfb\xf7\xf8\r\n\x00\x08\x7f;0aA: "s;
    std::mt19937_64 rng(seed);
    uint64_t chunked_done = 0;
    for (uint64_t i = 0; i < iterations; ++i) {
        std::string t = i % 2 ? telnet_base : chunked_base;
        for (unsigned m = 0, n = 1 + rng() % 4; m < n && !t.empty(); ++m) {
            const size_t at = rng() % t.size();
            if (rng() % 3)
                t[at] = alphabet[rng() % alphabet.size()];
            else
                t.erase(at, 1 + rng() % 3);
        }
        const size_t piece = 1 + rng() % 7;
        require(i % 2 ? fuzz::check_telnet(t, piece) : fuzz::check_chunked(t, piece, &chunked_done),
                i);
    }
    std::printf("fuzz: %llu Telnet/chunked streams fed whole and in pieces (%llu bodies ended)\n",
                static_cast<unsigned long long>(iterations),
                static_cast<unsigned long long>(chunked_done));
}

void fuzz_rules(uint64_t iterations, uint64_t seed) {
    const std::string base =
        "alert tcp [10.0.0.0/8,!10.1.1.1] any -> $HOME_NET [80,8000:8100] (msg:\"a\\\"b\"; "
        "content:\"GET |0d 0a|\"; nocase; depth:10; offset:1; pcre:\"/x[yz]+/ix\"; flow:to_server; "
        "content:!\"ab\"; distance:-3; within:9; http.uri; content:\"/a\"; pcre:\"/b/RU\"; "
        "isdataat:!2,relative; dsize:3<>90; flags:S+,CE; flowbits:set,x; "
        "threshold:type both, track by_dst, count 2, seconds 9; "
        "metadata:threat es-rce, cve X; classtype:web-application-attack; sid:1; rev:2;)";
    const std::string alphabet = "[]!$:;,\"|\\/()- 0123456789abcdefxyz";
    std::mt19937_64 rng(seed);
    uint64_t accepted = 0;
    for (uint64_t i = 0; i < iterations; ++i) {
        std::string r = base;
        for (unsigned m = 0, n = 1 + rng() % 4; m < n && !r.empty(); ++m) {
            const size_t at = rng() % r.size();
            if (rng() % 2)
                r[at] = alphabet[rng() % alphabet.size()];
            else
                r.erase(at, 1 + rng() % 3);
        }
        try {
            parse_rule(r, Vars());
            ++accepted;
        } catch (const SyntaxError&) {
            continue;
        }
        // Some of what parses is also lowered and compiled (the verifier's databases too).
        require(fuzz::check_rules(r, i % 64 == 0), i);
    }
    std::printf("fuzz: %llu rule mutations, %llu still valid\n",
                static_cast<unsigned long long>(iterations),
                static_cast<unsigned long long>(accepted));
}

}  // namespace

int main(int argc, char** argv) {
    const uint64_t iterations = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
    const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20150520;
    fuzz_frames(PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules", iterations, seed);
    fuzz_frames(PKTSIEVE_SOURCE_DIR "/tests/fuzz/keywords.rules", iterations / 2, seed + 1);
    fuzz_http(iterations / 4, seed + 2);
    fuzz_streams(iterations / 4, seed + 3);
    fuzz_rules(iterations / 10, seed);
    return failures == 0 ? 0 : 1;
}
