// libFuzzer: frames through the whole per-packet pipeline (parser, flows, stream matching, HTTP
// and Telnet followers, verifier, flowbits, thresholds) on a rule set that reaches each of them:
// the shipped rules and tests/fuzz/keywords.rules. The input is frames as [length:2][bytes];
// the pipeline lives across inputs, as a worker's does, and takes them in staged bursts.
// Invariants: ../checks.hpp.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "../checks.hpp"

using namespace pktsieve;

namespace {
struct World {
    std::unique_ptr<Ruleset> rules;
    std::unique_ptr<WorkerStats> stats;
    std::unique_ptr<BurstAlerts> alerts = std::make_unique<BurstAlerts>();
    std::unique_ptr<Pipeline> pipe;
    uint64_t ts_us = 1'700'000'000'000'000;
};
World* world = nullptr;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    auto load = load_ruleset({PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules",
                              PKTSIEVE_SOURCE_DIR "/tests/fuzz/keywords.rules"},
                             Vars());
    if (!load.ruleset || !load.failed.empty() || !load.skipped.empty()) std::abort();
    world = new World;
    world->rules = std::move(load.ruleset);
    world->stats = std::make_unique<WorkerStats>(world->rules->rules().size());
    FlowTableConfig flows;
    flows.capacity = 4096;  // small: evictions happen too
    world->pipe =
        std::make_unique<Pipeline>(*world->rules, 0, *world->stats, *world->alerts, flows);
    return 0;
}

// As a worker does: frames in bursts of up to 32, each burst staged (parsed, flows
// prefetched) before its frames are processed in order; the checks hold around each frame.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    World& w = *world;
    constexpr size_t kBurst = 32;
    std::vector<std::vector<uint8_t>> frames;
    for (size_t at = 0; at + 2 <= size;) {
        const size_t len = std::min<size_t>((data[at] << 8 | data[at + 1]), size - at - 2);
        frames.emplace_back(data + at + 2, data + at + 2 + len);
        at += 2 + len;
    }
    Pipeline::Staged staged[kBurst];
    for (size_t first = 0; first < frames.size(); first += kBurst) {
        const size_t n = std::min(kBurst, frames.size() - first);
        for (size_t i = 0; i < n; ++i)
            w.pipe->stage(frames[first + i].data(), static_cast<uint32_t>(frames[first + i].size()),
                          staged[i]);
        for (size_t i = 0; i < n; ++i) w.pipe->prefetch(staged[i]);
        for (size_t i = 0; i < n; ++i) {
            const auto& f = frames[first + i];
            w.ts_us += 1000;
            if (fuzz::check_frame_with(f.data(), static_cast<uint32_t>(f.size()), *w.stats,
                                       [&] { w.pipe->process(staged[i], w.ts_us); }))
                std::abort();
            w.alerts->size = 0;
        }
    }
    w.pipe->housekeeping();
    return 0;
}
