// The latest StatsView, published by the aggregator for any number of readers (telemetry
// handlers, the exit report). Readers get an immutable snapshot; they never touch live counters.
// Thread-safety: publish() from one thread, latest() from any thread.
#pragma once

#include <atomic>
#include <memory>

#include "stats/view.hpp"

namespace pktsieve {

class StatsPublisher {
  public:
    void publish(std::shared_ptr<const StatsView> v) { view_.store(std::move(v)); }
    // Null until the first publish.
    std::shared_ptr<const StatsView> latest() const { return view_.load(); }

  private:
    std::atomic<std::shared_ptr<const StatsView>> view_;
};

}  // namespace pktsieve
