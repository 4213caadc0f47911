// libFuzzer: frames through the whole per-packet pipeline (parser, flows, stream matching, HTTP
// and Telnet followers, verifier, flowbits, thresholds) on a rule set that reaches each of them:
// the shipped rules and tests/fuzz/keywords.rules. The input is frames as [length:2][bytes];
// the pipeline lives across inputs, as a worker's does. Invariants: ../checks.hpp.
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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    World& w = *world;
    for (size_t at = 0; at + 2 <= size;) {
        const size_t len = std::min<size_t>((data[at] << 8 | data[at + 1]), size - at - 2);
        const std::vector<uint8_t> frame(data + at + 2, data + at + 2 + len);
        at += 2 + len;
        w.ts_us += 1000;
        if (fuzz::check_frame(frame.data(), static_cast<uint32_t>(frame.size()), *w.pipe, *w.stats,
                              w.ts_us))
            std::abort();
        w.alerts->size = 0;
    }
    w.pipe->housekeeping();
    return 0;
}
