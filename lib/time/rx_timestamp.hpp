// The mbuf RX timestamp dynfield has no unit of its own: DPDK leaves it to the driver. net_pcap
// writes the capture's microseconds in DPDK 22.11 and nanoseconds from 23.03 on; NICs write
// device clock ticks. A timestamp is used only where its unit is known, else the TSC clock.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace pktsieve {

enum class TimestampUnit : uint8_t { unknown, microseconds, nanoseconds };

// The unit `driver` (rte_eth_dev_info::driver_name) writes under DPDK `year`.`month`.
constexpr TimestampUnit rx_timestamp_unit(std::string_view driver, int year, int month) {
    if (driver != "net_pcap") return TimestampUnit::unknown;
    return year * 100 + month >= 2303 ? TimestampUnit::nanoseconds : TimestampUnit::microseconds;
}

// A raw dynfield value in microseconds; only for a known unit.
constexpr uint64_t rx_timestamp_us(TimestampUnit unit, uint64_t raw) {
    return unit == TimestampUnit::nanoseconds ? raw / 1000 : raw;
}

}  // namespace pktsieve
