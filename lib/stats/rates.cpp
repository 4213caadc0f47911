#include "stats/rates.hpp"

namespace pktsieve {

void RateWindows::add(double t, const Counters& c) {
    samples_.push_back({t, c.rx_packets, c.rx_bytes, c.alerts, c.scanned_packets});
    // Keep one sample at or before the 60 s mark so the longest window stays fully covered.
    while (samples_.size() > 2 && samples_[1].t <= t - kRateWindows.back()) samples_.pop_front();
}

std::array<Rate, kRateWindows.size()> RateWindows::rates() const {
    std::array<Rate, kRateWindows.size()> out{};
    for (size_t i = 0; i < kRateWindows.size(); ++i) {
        out[i].window_s = kRateWindows[i];
        if (samples_.size() < 2) continue;
        const Sample& last = samples_.back();
        // The newest sample at or before the window start, else the oldest we have.
        const Sample* first = &samples_.front();
        for (const auto& s : samples_)
            if (s.t <= last.t - kRateWindows[i]) first = &s;
        const double dt = last.t - first->t;
        if (dt <= 0) continue;
        out[i].span_s = dt;
        out[i].packets = static_cast<double>(last.packets - first->packets) / dt;
        out[i].bits = static_cast<double>(last.bytes - first->bytes) * 8 / dt;
        out[i].alerts = static_cast<double>(last.alerts - first->alerts) / dt;
        out[i].scanned = static_cast<double>(last.scanned - first->scanned) / dt;
    }
    return out;
}

}  // namespace pktsieve
