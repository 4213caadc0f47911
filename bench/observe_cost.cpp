// What observing costs a worker: the stream pipeline over a capture's frames in memory (parse,
// flows, matching, counting; no DPDK), with and without an ObservationRecorder attached,
// alternating, medians of N runs, and the ratio; and the observation state a worker allocates.
//   observe_cost PCAP [RULES] [RUNS] [with|without]   (one side only: for perf stat/callgrind)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <vector>

#include "classify/pipeline.hpp"
#include "match/load.hpp"
#include "pcap_frames.hpp"

using namespace pktsieve;
using bench::Frame;
using bench::median;
using bench::read_pcap;

namespace {

// As the aggregator does with a piece: take it, clear it, give it back.
ObservationPiece* give_back(void*, ObservationPiece* full) {
    full->obs.clear();
    return full;
}

}  // namespace

int main(int argc, char** argv) {
    const auto [pcap, rules, runs, only] =
        bench::parse_args(argc, argv, "observe_cost PCAP [RULES] [RUNS] [with|without]", 9);
    const auto frames = read_pcap(pcap);
    auto rs = load_ruleset({rules}, Vars(), LoadOptions(1, TcpMatching::stream)).ruleset;
    if (!rs) return 1;
    std::vector<std::unique_ptr<ObservationPiece>> pieces;
    for (int i = 0; i < 3; ++i) pieces.push_back(std::make_unique<ObservationPiece>());
    std::vector<double> without, with;
    uint64_t accesses = 0;
    for (int r = 0; r < runs; ++r)
        for (const bool observe : {false, true}) {
            if ((only == "with" && !observe) || (only == "without" && observe)) continue;
            WorkerStats stats(rs->rules().size());
            auto alerts = std::make_unique<BurstAlerts>();
            Pipeline pipe(*rs, 0, stats, *alerts, FlowTableConfig{262144});
            ObservationRecorder rec(3600ull * 1000000, pieces[0].get(), give_back, nullptr);
            if (observe) pipe.set_recorder(&rec);
            const auto t0 = std::chrono::steady_clock::now();
            for (const auto& f : frames) {
                pipe.process(f.bytes.data(), static_cast<uint32_t>(f.bytes.size()), f.ts_us);
                if (alerts->size > kAlertBufferSize / 2) alerts->size = 0;
            }
            pipe.finish();
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            (observe ? with : without).push_back(s * 1e9 / double(frames.size()));
            if (observe) accesses = stats.counters.observe_accesses;
            rec.finish();
        }
    if (!only.empty()) return 0;
    const double a = median(without), b = median(with);
    fmt::print("{}: {} frames, {} accesses; medians of {} alternating runs\n", argv[1],
               frames.size(), accesses, runs);
    fmt::print("pipeline (stream), no observations   {:7.1f} ns/frame\n", a);
    fmt::print("pipeline (stream), observing         {:7.1f} ns/frame  ratio {:.3f}\n", b, b / a);
    fmt::print("observation state per worker: {} pieces x {} bytes = {:.1f} MiB\n", 3,
               pieces[0]->obs.memory_bytes(),
               3.0 * double(pieces[0]->obs.memory_bytes()) / (1 << 20));
    return 0;
}
