// Test helper: the shipped signatures compiled, a rule's index by sid, and one worker's
// pipeline fed frames (stream mode keeps a small flow table).
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "classify/pipeline.hpp"
#include "frames.hpp"
#include "match/load.hpp"

namespace pktsieve::test {

inline std::unique_ptr<Ruleset> shipped(TcpMatching tcp = TcpMatching::stream) {
    auto load = load_ruleset({PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules"}, Vars(),
                             LoadOptions(1, tcp));
    REQUIRE(load.ruleset);
    return std::move(load.ruleset);
}

inline uint32_t sid_index(const Ruleset& rs, uint32_t sid) {
    for (uint32_t i = 0; i < rs.rules().size(); ++i)
        if (rs.rules()[i].sid == sid) return i;
    FAIL("no sid " << sid);
    return 0;
}

struct Run {
    WorkerStats stats;
    std::unique_ptr<BurstAlerts> alerts = std::make_unique<BurstAlerts>();
    Pipeline pipe;
    explicit Run(const Ruleset& rs, uint32_t flows = 1024)
        : stats(rs.rules().size()), pipe(rs, 0, stats, *alerts, FlowTableConfig{flows}) {}
    void feed(const std::vector<Bytes>& frames) {
        for (const auto& f : frames) pipe.process(f.data(), static_cast<uint32_t>(f.size()), 1);
    }
};

}  // namespace pktsieve::test
