// The one-line status a long --pcap run prints on a terminal each second: packets read of the
// file's, percent, rate over the last second, alerts, time left at that rate.
// Thread-safety: one owner (the main lcore).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pktsieve {

class ProgressLine {
  public:
    explicit ProgressLine(uint64_t expected_packets, double every_s = 1.0)
        : expected_(expected_packets), every_s_(every_s) {}
    // The line for the totals at `now_s` (seconds since any fixed start), or nullopt when the
    // last line is younger than the period.
    std::optional<std::string> update(double now_s, uint64_t packets, uint64_t alerts);

  private:
    uint64_t expected_;
    double every_s_;
    bool started_ = false;
    double last_s_ = 0;
    uint64_t last_packets_ = 0;
};

// "1,234,567"
std::string thousands(uint64_t n);

}  // namespace pktsieve
