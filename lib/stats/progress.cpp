#include "stats/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pktsieve {

std::string thousands(uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::optional<std::string> ProgressLine::update(double now_s, uint64_t packets, uint64_t alerts) {
    if (!started_) {  // the first call sets the clock: a rate needs two samples
        started_ = true;
        last_s_ = now_s;
        last_packets_ = packets;
        return std::nullopt;
    }
    if (now_s - last_s_ < every_s_) return std::nullopt;
    const double rate =
        static_cast<double>(packets - std::min(packets, last_packets_)) / (now_s - last_s_);
    last_s_ = now_s;
    last_packets_ = packets;
    std::string line =
        fmt::format("pktsieve: {} of {} packets", thousands(packets), thousands(expected_));
    if (expected_ > 0)
        line +=
            fmt::format(" ({:.1f} %)", 100.0 * static_cast<double>(std::min(packets, expected_)) /
                                           static_cast<double>(expected_));
    line += rate >= 1e6 ? fmt::format(", {:.2f} Mpps", rate / 1e6)
                        : fmt::format(", {:.1f} kpps", rate / 1e3);
    line += fmt::format(", {} alerts", thousands(alerts));
    if (rate > 0 && expected_ > packets) {
        const auto left =
            static_cast<uint64_t>(static_cast<double>(expected_ - packets) / rate + 0.5);
        line += fmt::format(", ETA {}:{:02}:{:02}", left / 3600, left / 60 % 60, left % 60);
    }
    return line;
}

}  // namespace pktsieve
