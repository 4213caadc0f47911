// A long --pcap run on a terminal: one status line on stderr each second (ProgressLine), erased
// at the end; nothing when stderr is not a terminal or with --quiet.
// Thread-safety: the main lcore's; it reads only published views.
#pragma once

#include <unistd.h>

#include <chrono>
#include <iostream>

#include "stats/progress.hpp"
#include "stats/published.hpp"

namespace pktsieve {

class StatusLine {
  public:
    StatusLine(const StatsPublisher& publisher, uint64_t expected_packets, double every_s,
               bool wanted)
        : publisher_(publisher),
          line_(expected_packets, every_s),
          on_(wanted && isatty(STDERR_FILENO) == 1) {}
    void update() {
        if (!on_) return;
        const auto v = publisher_.latest();
        const double now =
            std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
                .count();
        const auto text = line_.update(now, v ? v->total.rx_packets : 0, v ? v->total.alerts : 0);
        if (!text) return;
        std::cerr << "\r" << *text << "\x1b[K" << std::flush;
        shown_ = true;
    }
    void erase() {
        if (shown_) std::cerr << "\r\x1b[K" << std::flush;
        shown_ = false;
    }

  private:
    const StatsPublisher& publisher_;
    ProgressLine line_;
    const bool on_;
    bool shown_ = false;
};

}  // namespace pktsieve
