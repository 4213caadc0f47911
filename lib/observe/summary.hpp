// What is written about an Observation: the heaviest ports with their distinct and top sources,
// the sensor addresses, per threat the alerts and sources, the intel top lists — one summary
// and one JSON rendering, used by the EVE interval records and the stats document alike.
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "observe/observation.hpp"

namespace pktsieve {

struct SummaryLimits {
    size_t ports = 20;               // heaviest ports listed (0: every port seen)
    size_t sources_per_port = 5;     // top sources listed for each of...
    size_t ports_with_sources = 10;  // ...the heaviest ports
    size_t ports_with_sketch = 50;   // with `sketches`: the heaviest ports' registers
    size_t sources_per_threat = 10;
    size_t intel = 10;      // per kind
    bool sketches = false;  // HyperLogLog registers (base64) for merging later
};

struct SourceCount {
    IpAddr addr{};
    uint64_t count = 0;
};

struct PortRow {
    uint32_t key = 0;  // port_key
    uint64_t accesses = 0;
    int64_t sources = -1;  // distinct sources (estimate); -1: not tracked
    std::string sketch;    // its registers (base64), for the heaviest, with SummaryLimits::sketches
    std::vector<SourceCount> top_sources;
};

struct ThreatRow {
    std::string name;
    uint64_t alerts = 0;
    uint64_t sources = 0;
    std::string sketch;  // base64 registers, with SummaryLimits::sketches
    std::vector<SourceCount> top_sources;
};

struct IntelRow {
    IntelText text;
    uint64_t count = 0;
    uint64_t error = 0;  // count - error <= true count <= count
};

struct ObservationSummary {
    uint64_t accesses = 0;
    uint64_t ports_seen = 0;
    uint64_t accesses_not_listed = 0;  // to the ports past SummaryLimits::ports
    uint64_t sensor_addresses = 0;
    std::string sensor_sketch;
    std::vector<PortRow> ports;  // heaviest first
    std::vector<ThreatRow> threats;
    std::array<std::vector<IntelRow>, kIntelKinds> intel;
};

ObservationSummary summarise(const Observation& o, const SummaryLimits& limits);
// The summary as one JSON object (docs/eve.md, "observation"; docs/stats.md, "observations").
std::string observation_json(const ObservationSummary& s);
// The summary as text tables: top ports by accesses, attackers per threat, intel top lists
// (at most `top` rows each).
std::string observation_table(const ObservationSummary& s, size_t top);
std::string base64(const uint8_t* data, size_t n);
// IPv4-mapped addresses as a dotted quad, others as RFC 5952 text.
std::string address_text(const IpAddr& a);

}  // namespace pktsieve
