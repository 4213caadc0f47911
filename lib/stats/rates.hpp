// Rates over sliding windows (1 s, 10 s, 60 s) from samples of cumulative totals.
// Thread-safety: owned by the aggregator; its results are copied into each StatsView.
#pragma once

#include <array>
#include <cstdint>
#include <deque>

#include "stats/counters.hpp"

namespace pktsieve {

struct Rate {
    double window_s = 0;  // nominal window (1, 10, 60)
    double span_s = 0;    // time actually covered (shorter right after start)
    double packets = 0;   // per second
    double bits = 0;      // per second, captured bytes * 8
    double alerts = 0;    // per second
    double scanned = 0;   // scanned packets per second
};

inline constexpr std::array<double, 3> kRateWindows{1.0, 10.0, 60.0};

class RateWindows {
  public:
    // `t` in seconds, non-decreasing; samples older than the longest window are dropped.
    void add(double t, const Counters& totals);
    std::array<Rate, kRateWindows.size()> rates() const;

  private:
    struct Sample {
        double t;
        uint64_t packets, bytes, alerts, scanned;
    };
    std::deque<Sample> samples_;
};

}  // namespace pktsieve
