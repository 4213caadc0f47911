// Renderers of a StatsView: a human table and JSON (schema in docs/stats.md). Both walk
// kCounterInfo and kMalformedInfo, so new counters appear without touching this code.
// Thread-safety: pure functions of a const view.
#pragma once

#include <string>

#include "stats/view.hpp"

namespace pktsieve {

std::string render_json(const StatsView& v);
std::string render_table(const StatsView& v);

}  // namespace pktsieve
