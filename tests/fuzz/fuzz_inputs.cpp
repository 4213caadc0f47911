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
#include "classify/pipeline.hpp"
#include "match/load.hpp"
#include "rules/parser.hpp"

using namespace pktsieve;
using Bytes = std::vector<uint8_t>;

namespace {

int failures = 0;

void require(bool ok, const char* what, uint64_t iteration) {
    if (ok) return;
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

void fuzz_frames(uint64_t iterations, uint64_t seed) {
    auto load = load_ruleset({PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules"}, Vars(), 1);
    if (!load.ruleset) std::abort();
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
        Packet p;
        const Malformed why = parse(exact.data(), static_cast<uint32_t>(exact.size()), p);
        if (why == Malformed::none)
            require(p.payload_off + p.payload_len <= exact.size(), "payload in bounds", i);
        pipe.process(exact.data(), static_cast<uint32_t>(exact.size()), i);
        alerts->size = 0;
    }
    const Counters& c = stats.counters;
    require(c.rx_packets == iterations, "every frame counted", iterations);
    require(c.parsed + c.malformed == c.rx_packets, "parsed + malformed == received", iterations);
    std::printf("fuzz: %llu frames: %llu parsed, %llu malformed, %llu scanned, %llu alerts\n",
                static_cast<unsigned long long>(iterations),
                static_cast<unsigned long long>(c.parsed),
                static_cast<unsigned long long>(c.malformed),
                static_cast<unsigned long long>(c.scanned_packets),
                static_cast<unsigned long long>(c.alerts));
}

void fuzz_rules(uint64_t iterations, uint64_t seed) {
    const std::string base =
        "alert tcp [10.0.0.0/8,!10.1.1.1] any -> $HOME_NET [80,8000:8100] (msg:\"a\\\"b\"; "
        "content:\"GET |0d 0a|\"; nocase; depth:10; offset:1; pcre:\"/x[yz]+/ix\"; flow:to_server; "
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
        }
    }
    std::printf("fuzz: %llu rule mutations, %llu still valid\n",
                static_cast<unsigned long long>(iterations),
                static_cast<unsigned long long>(accepted));
}

}  // namespace

int main(int argc, char** argv) {
    const uint64_t iterations = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
    const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20150520;
    fuzz_frames(iterations, seed);
    fuzz_rules(iterations / 10, seed);
    return failures == 0 ? 0 : 1;
}
