// EVE alert lines per second into a file, three ways in the same run (medians of RUNS):
//   preformatted  the same lines rendered before the clock starts, only written (the file's
//                 bound: what any formatting can at best approach),
//   writer        EveAlertWriter as the aggregator uses it: a batch of 256 lines appended to one
//                 buffer, rule parts and the timestamp's second cached, one fwrite per batch,
//   per line      eve_alert(): a string per line, every part rendered anew, one fwrite each.
//   eve_rate [FILE] [LINES] [RUNS]      (default /tmp/pktsieve-eve-rate.json, 200000, 5)
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "match/load.hpp"
#include "output/eve.hpp"
#include "output/eve_alert_writer.hpp"
#include "pcap_frames.hpp"

using namespace pktsieve;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kBatch = 256;  // what the aggregator dequeues from a worker's ring at once

std::vector<AlertRecord> alerts(size_t n, size_t rules) {
    std::mt19937_64 rng(20150520);
    std::vector<AlertRecord> out(n);
    uint64_t ts = 1432080000000000ull;
    for (auto& a : out) {
        ts += 1;  // 10^6 alerts a second of packet time
        a.ts_us = ts;
        a.rule = static_cast<uint32_t>(rng() % rules);
        a.l3 = L3::ipv4;
        a.src = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        a.dst = a.src;
        for (int i = 12; i < 16; ++i) {
            a.src[i] = static_cast<uint8_t>(rng());
            a.dst[i] = static_cast<uint8_t>(rng());
        }
        a.sport = static_cast<uint16_t>(1024 + rng() % 64000);
        a.dport = 9200;
        a.proto = 6;
    }
    return out;
}

template <typename Fn>
double lines_per_second(const std::string& path, size_t lines, Fn&& write) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) {
        fmt::print(stderr, "cannot open {}\n", path);
        std::exit(1);
    }
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);  // as the aggregator's EVE file
    const auto t0 = Clock::now();
    write(f);
    std::fflush(f);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::fclose(f);
    return static_cast<double>(lines) / s;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "/tmp/pktsieve-eve-rate.json";
    const size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
    const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
    std::vector<std::string> files = {PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules"};
    const std::string sample = PKTSIEVE_SOURCE_DIR "/../shared/rules/et-open-sample.rules";
    if (std::FILE* f = std::fopen(sample.c_str(), "r")) {
        std::fclose(f);
        files.push_back(sample);
    }
    auto rs = load_ruleset(files, Vars(), LoadOptions(1, TcpMatching::block)).ruleset;
    if (!rs) return 1;
    const auto& rules = rs->rules();
    const auto records = alerts(n, rules.size());
    std::vector<std::string> pre;
    size_t bytes = 0;
    for (const auto& a : records) bytes += pre.emplace_back(eve_alert(a, rules[a.rule], 3)).size();

    std::vector<double> preformatted, writer, per_line;
    for (int r = 0; r < runs; ++r) {
        preformatted.push_back(lines_per_second(path, n, [&](std::FILE* f) {
            std::string batch;
            for (size_t i = 0; i < n; ++i) {
                batch += pre[i];
                if ((i + 1) % kBatch == 0 || i + 1 == n) {
                    std::fwrite(batch.data(), 1, batch.size(), f);
                    batch.clear();
                }
            }
        }));
        writer.push_back(lines_per_second(path, n, [&](std::FILE* f) {
            EveAlertWriter w;
            std::vector<std::string> cache(rules.size());
            fmt::memory_buffer buf;
            for (size_t i = 0; i < n; ++i) {
                const auto& a = records[i];
                w.append(buf, a, rules[a.rule], 3, cache[a.rule]);
                if ((i + 1) % kBatch == 0 || i + 1 == n) {
                    std::fwrite(buf.data(), 1, buf.size(), f);
                    buf.clear();
                }
            }
        }));
        per_line.push_back(lines_per_second(path, n, [&](std::FILE* f) {
            for (const auto& a : records) {
                const std::string line = eve_alert(a, rules[a.rule], 3);
                std::fwrite(line.data(), 1, line.size(), f);
            }
        }));
    }
    std::remove(path.c_str());
    const double p = bench::median(preformatted), w = bench::median(writer),
                 l = bench::median(per_line);
    fmt::print(
        "EVE alert lines into {} ({} lines of {} bytes on average, {} rules; medians of "
        "{}):\n",
        path, n, bytes / n, rules.size(), runs);
    fmt::print("  preformatted (written only)   {:10.0f} lines/s\n", p);
    fmt::print("  EveAlertWriter (aggregator)   {:10.0f} lines/s  {:.2f} of preformatted\n", w,
               w / p);
    fmt::print("  eve_alert() a string per line {:10.0f} lines/s  {:.2f} of preformatted\n", l,
               l / p);
    fmt::print("  writer / per line: {:.2f}x\n", w / l);
    return 0;
}
