// Bytes of state per tracked TCP flow with a rule set: flow entry, per-flow match state, hash
// slots, and two Hyperscan stream states (hs_stream_size of the largest streaming database),
// all preallocated per worker. Prints how many flows one worker holds in 1 GiB.
//   flow_state [RULES] [FLOWS]
#include <fmt/format.h>

#include <cstdlib>

#include "classify/pipeline.hpp"
#include "match/load.hpp"

using namespace pktsieve;

int main(int argc, char** argv) {
    const std::string rules = argc > 1 ? argv[1] : PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules";
    const uint32_t flows =
        argc > 2 ? static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10)) : 65536;
    auto load = load_ruleset({rules}, Vars());
    if (!load.ruleset) {
        for (const auto& e : load.errors) fmt::print(stderr, "{}\n", e.str());
        return 1;
    }
    const Ruleset& rs = *load.ruleset;
    WorkerStats stats(rs.rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    Pipeline pipe(rs, 0, stats, *alerts, FlowTableConfig{flows});
    pipe.sync_counters();
    const double total = static_cast<double>(stats.counters.flow_memory_bytes);
    const double per_flow = total / flows;
    fmt::print("rules {}: {} rules, largest hs_stream_size {} bytes (x2 directions)\n", rules,
               rs.rules().size(), rs.max_stream_size());
    fmt::print("flow entry {} bytes; {} flows take {:.1f} MiB: {:.0f} bytes per flow\n",
               sizeof(Flow), flows, total / (1 << 20), per_flow);
    fmt::print("flows per worker in 1 GiB: {:.0f}\n", (1 << 30) / per_flow);
    return 0;
}
