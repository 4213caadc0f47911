// Where a worker's time goes per packet, without DPDK: the stream pipeline (observing, as the
// daemon runs) over a capture's frames in memory, in bursts of 32 as a worker takes them:
// Pipeline::stage for the whole burst (parse, flow hash, table slot prefetched), then
// Pipeline::process_burst (flow state prefetched ahead, each packet processed), each phase
// timed; beside the same frames processed one at a time. The capture is replayed twice per run
// and the second pass timed: flows are then reopened on tuples the table knows, as in the
// benchmarks' endless replays. Medians of N alternating runs.
//   stage_cost PCAP [RULES] [RUNS] [staged|single]   (one side only: for callgrind)
// Instructions per stage: valgrind --tool=callgrind build-test/bench/stage_cost PCAP RULES 1
// staged, then callgrind_annotate --inclusive=yes (bench/README.md lists the functions).
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "classify/pipeline.hpp"
#include "match/load.hpp"
#include "pcap_frames.hpp"

using namespace pktsieve;
using bench::Frame;
using bench::median;
using bench::read_pcap;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kBurst = 32;

ObservationPiece* give_back(void*, ObservationPiece* full) {
    full->obs.clear();
    return full;
}

double ns(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::nano>(b - a).count();
}

struct Times {
    double stage = 0, process = 0, total = 0;  // ns per frame, of the timed pass
};

// One run: a fresh pipeline, two passes over the frames, the second timed.
Times run(const Ruleset& rs, const std::vector<Frame>& frames, bool staged,
          ObservationPiece* piece) {
    WorkerStats stats(rs.rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    Pipeline pipe(rs, 0, stats, *alerts, FlowTableConfig{262144});
    ObservationRecorder rec(3600ull * 1000000, piece, give_back, nullptr);
    pipe.set_recorder(&rec);
    std::vector<Pipeline::Staged> st(kBurst);
    uint64_t times[kBurst];
    Times t;
    for (int pass = 0; pass < 2; ++pass) {
        double stage_ns = 0, process_ns = 0;
        const auto start = Clock::now();
        for (size_t at = 0; at < frames.size(); at += kBurst) {
            const auto n = static_cast<uint32_t>(std::min<size_t>(kBurst, frames.size() - at));
            if (staged) {
                const auto t0 = Clock::now();
                for (uint32_t i = 0; i < n; ++i) {
                    const Frame& f = frames[at + i];
                    pipe.stage(f.bytes.data(), static_cast<uint32_t>(f.bytes.size()), st[i]);
                    times[i] = f.ts_us;
                }
                const auto t1 = Clock::now();
                pipe.process_burst(st.data(), times, n);
                const auto t2 = Clock::now();
                stage_ns += ns(t0, t1);
                process_ns += ns(t1, t2);
            } else {
                for (uint32_t i = 0; i < n; ++i) {
                    const Frame& f = frames[at + i];
                    pipe.process(f.bytes.data(), static_cast<uint32_t>(f.bytes.size()), f.ts_us);
                }
            }
            alerts->size = 0;
        }
        const double frames_n = static_cast<double>(frames.size());
        t = {stage_ns / frames_n, process_ns / frames_n, ns(start, Clock::now()) / frames_n};
    }
    pipe.finish();
    rec.finish();
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    const auto [pcap, rules, runs, only] =
        bench::parse_args(argc, argv, "stage_cost PCAP [RULES] [RUNS] [staged|single]", 7);
    const auto frames = read_pcap(pcap);
    auto rs = load_ruleset({rules}, Vars(), LoadOptions(1, TcpMatching::stream)).ruleset;
    if (!rs || frames.empty()) return 1;
    auto piece = std::make_unique<ObservationPiece>();
    std::vector<double> stage, process, staged_total, single_total;
    for (int r = 0; r < runs; ++r) {
        if (only != "single") {
            const Times t = run(*rs, frames, true, piece.get());
            stage.push_back(t.stage);
            process.push_back(t.process);
            staged_total.push_back(t.total);
        }
        if (only != "staged") single_total.push_back(run(*rs, frames, false, piece.get()).total);
    }
    if (!only.empty()) return 0;
    const double s = median(stage), p = median(process), st = median(staged_total),
                 one = median(single_total);
    fmt::print("{}: {} frames, bursts of {}, second pass timed; medians of {} alternating runs\n",
               pcap, frames.size(), kBurst, runs);
    fmt::print("staged: stage (parse, hash, slot prefetch)  {:6.1f} ns/frame\n", s);
    fmt::print("staged: process_burst (flows, streams, ...) {:6.1f} ns/frame\n", p);
    fmt::print("staged: whole pass                          {:6.1f} ns/frame  {:5.2f} Mpps\n", st,
               1e3 / st);
    fmt::print(
        "one at a time: whole pass                   {:6.1f} ns/frame  {:5.2f} Mpps  "
        "staged/one-at-a-time time {:.3f}\n",
        one, 1e3 / one, st / one);
    return 0;
}
