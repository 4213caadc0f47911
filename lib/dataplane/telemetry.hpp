// /pktsieve/* commands on the DPDK telemetry socket, so pktsieve-ctl and dpdk-telemetry.py can
// read a running daemon:
//   /pktsieve/stats          totals, malformed reasons, threats, rates, devices, distribution
//   /pktsieve/workers        per-worker counters, one array per counter (worker order)
//   /pktsieve/rules[,N]      the N rules with most hits (default 10, at most 100)
//   /pktsieve/ports[,N]      the N destination ports with most alerts (default 20, at most 256)
//   /pktsieve/document, /pktsieve/metrics   the --stats-json text, the /metrics text, in parts
//   /pktsieve/reload[,FILE[,FILE...]]  reload the rules (from FILEs instead of the running set's
//                            files); replies ok, generation, counts, and every error
// Responses are columnar (arrays per field) because telemetry containers nest only one level.
// Thread-safety: handlers run on DPDK's telemetry thread and only read the publisher's latest
// view; the publisher must outlive the EAL (use telemetry_publisher()).
#pragma once

#include <memory>

#include "stats/published.hpp"

namespace pktsieve {

class RuleReloader;
class MetricsText;

// The process-wide publisher the telemetry handlers read.
StatsPublisher& telemetry_publisher();
// Registers the commands; safe to call before or after rte_eal_init.
void register_telemetry();
// The reloader /pktsieve/reload drives (nullptr: reload answers an error). Setting it waits for
// a reload in progress on the telemetry thread.
void set_telemetry_reloader(RuleReloader* r);
// What /pktsieve/metrics serves (pktsieve-ctl stats --prometheus); null: nothing.
void set_telemetry_metrics(std::shared_ptr<MetricsText> m);

}  // namespace pktsieve
