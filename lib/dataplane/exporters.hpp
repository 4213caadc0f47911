// What the daemon exports besides the EVE log and telemetry's own commands: the Prometheus
// metrics text (for /metrics and `pktsieve-ctl stats --prometheus`) and, with --metrics, the
// HTTP server that serves it.
// Thread-safety: created and destroyed on the main lcore, before the lcores start and after
// they end; the server's threads read only published views.
#pragma once

#include <memory>
#include <vector>

#include "config/options.hpp"
#include "metrics/metrics_text.hpp"
#include "metrics/server.hpp"

namespace pktsieve {

class Exporters {
  public:
    // `watched`: --metrics-watch-ports, parsed. Throws std::runtime_error when --metrics cannot
    // listen.
    Exporters(const Options& o, std::vector<uint32_t> watched, const StatsPublisher& publisher);
    ~Exporters();
    Exporters(const Exporters&) = delete;
    Exporters& operator=(const Exporters&) = delete;
    // "metrics: http://127.0.0.1:9469/metrics", or "" without --metrics.
    const std::string& where() const { return where_; }

  private:
    std::shared_ptr<MetricsText> text_;
    std::unique_ptr<MetricsServer> server_;
    std::string where_;
};

}  // namespace pktsieve
