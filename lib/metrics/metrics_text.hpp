// The metrics text of the latest published view, rendered once per view generation and shared
// by every reader: /metrics requests and `pktsieve-ctl stats --prometheus` (through telemetry)
// get the same text for the same generation.
// Thread-safety: text() may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "metrics/prometheus.hpp"
#include "stats/published.hpp"

namespace pktsieve {

class MetricsText {
  public:
    MetricsText(const StatsPublisher& publisher, MetricsLimits limits, BuildInfo build)
        : publisher_(publisher), limits_(std::move(limits)), build_(std::move(build)) {}

    struct Rendered {
        uint64_t generation = 0;  // of the view
        std::shared_ptr<const std::string> text;
    };
    // Null text before the first publish.
    Rendered latest() { return for_view(publisher_.latest()); }
    // The text of `v` (a view the publisher published), rendered again only for a new one.
    Rendered for_view(const std::shared_ptr<const StatsView>& v) {
        if (!v) return {};
        std::lock_guard lock(mu_);
        if (!last_.text || last_.generation != v->generation)
            last_ = {v->generation,
                     std::make_shared<const std::string>(render_prometheus(*v, limits_, build_))};
        return last_;
    }

  private:
    const StatsPublisher& publisher_;
    const MetricsLimits limits_;
    const BuildInfo build_;
    std::mutex mu_;
    Rendered last_;
};

}  // namespace pktsieve
