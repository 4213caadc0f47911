// What `pktsieve-ctl stats` shows: the daemon's stats document (the very text --stats-json
// writes, docs/stats.md), fetched in parts through telemetry and assembled here, printed as it
// is (--json) or as a table read from it.
// Thread-safety: pure functions over their arguments.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "control/telemetry_client.hpp"

namespace pktsieve {

struct DaemonReport {
    std::string socket;
    nlohmann::json info;              // telemetry greeting: pid, version
    std::string text;                 // the stats document, byte for byte
    nlohmann::ordered_json document;  // parsed, in its order
};

// The text a telemetry document command serves (/pktsieve/document, /pktsieve/metrics): every
// part of one generation, assembled. Throws ControlError.
std::string fetch_document(TelemetryClient& client, const std::string& command);
// Fetches every part of one generation of the document (starting again, a few times, when the
// daemon no longer keeps the generation being read). Throws ControlError.
DaemonReport fetch_report(TelemetryClient& client, const std::string& socket);
// Assembles a document from its parts' base64 pieces; throws ControlError on a bad piece.
std::string assemble_document(const std::vector<std::string>& pieces);
// The table: totals, threats, top `top` ports and rules, workers, rule set, drops.
std::string render_report(const DaemonReport& r, unsigned top);

}  // namespace pktsieve
