// What `pktsieve-ctl stats` shows: one consistent fetch of the /pktsieve/* telemetry commands,
// rendered as a table or as one JSON document.
// Thread-safety: pure functions over their arguments.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "control/telemetry_client.hpp"

namespace pktsieve {

struct DaemonReport {
    std::string socket;
    nlohmann::json info;  // telemetry greeting: pid, version
    nlohmann::json stats, workers, rules, ports;
};

// Queries stats, workers, the `top` rules and ports. Retries (a few times) when the
// aggregator published between two queries, so all parts show the same generation.
DaemonReport fetch_report(TelemetryClient& client, const std::string& socket, unsigned top);
std::string render_report(const DaemonReport& r);
nlohmann::json report_json(const DaemonReport& r);

}  // namespace pktsieve
