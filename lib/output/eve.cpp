#include "output/eve.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <ctime>

#include "output/eve_alert_writer.hpp"

namespace pktsieve {

std::string eve_timestamp(uint64_t ts_us) {
    const time_t secs = static_cast<time_t>(ts_us / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+0000", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                       ts_us % 1000000);
}

std::string ip_string(const IpAddr& a, L3 l3) {
    char buf[INET6_ADDRSTRLEN];
    if (l3 == L3::ipv4) return fmt::format("{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
    return buf;
}

// Compact, as Suricata writes eve.json (and as the observation records are): no spaces.
std::string eve_alert(const AlertRecord& a, const Rule& r, unsigned worker_lcore) {
    EveAlertWriter w;
    fmt::memory_buffer out;
    std::string rule_json;
    w.append(out, a, r, worker_lcore, rule_json);
    return fmt::to_string(out);
}

}  // namespace pktsieve
