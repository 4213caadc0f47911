// TSC -> microseconds stays exact for months and years of uptime (it wrapped after ~2 h), and the
// TSC frequency measured in 10 ms comes out as the EAL's 100 ms measurement would.
#include <catch2/catch.hpp>

#include <vector>

#include "time/rx_timestamp.hpp"
#include "time/tsc_calibration.hpp"
#include "time/tsc_clock.hpp"

using namespace pktsieve;

namespace {

__extension__ typedef unsigned __int128 u128;  // the reference: exact 128-bit arithmetic

uint64_t exact_us(uint64_t cycles, uint64_t hz) {
    return static_cast<uint64_t>(static_cast<u128>(cycles) * 1000000 / hz);
}

}  // namespace

TEST_CASE("cycles_to_us is exact at 1 day, 1 year and 10 years of uptime", "[clock]") {
    for (const uint64_t hz : {uint64_t{2'500'000'000}, uint64_t{3'000'000'001}, uint64_t{1'000'000},
                              uint64_t{4'200'000'007}}) {
        for (const uint64_t seconds : {uint64_t{7'380}, uint64_t{86'400}, uint64_t{365} * 86'400,
                                       uint64_t{3'652} * 86'400}) {
            for (const uint64_t extra : {uint64_t{0}, uint64_t{1}, hz - 1, hz / 3}) {
                const uint64_t cycles = seconds * hz + extra;
                CHECK(cycles_to_us(cycles, hz) == exact_us(cycles, hz));
            }
        }
    }
    // The formula it replaces, (cycles * 10^6) / hz in 64 bits, is already wrong after a day.
    const uint64_t day = 86'400ull * 2'500'000'000ull;
    CHECK(day * 1000000 / 2'500'000'000ull != exact_us(day, 2'500'000'000ull));
    CHECK(cycles_to_us(day, 2'500'000'000ull) == 86'400'000'000ull);
}

TEST_CASE("a TscClock counts from its start", "[clock]") {
    const TscClock c{1'000, 1'700'000'000'000'000, 2'000'000'000};
    CHECK(c.now_us(1'000) == 1'700'000'000'000'000);
    CHECK(c.now_us(1'000 + 2'000'000'000ull * 3600 * 24 * 400) ==
          1'700'000'000'000'000 + 400ull * 86'400'000'000ull);
}

TEST_CASE("RX timestamps are used only where the driver's unit is known", "[clock]") {
    CHECK(rx_timestamp_unit("net_pcap", 22, 11) == TimestampUnit::microseconds);
    CHECK(rx_timestamp_unit("net_pcap", 23, 3) == TimestampUnit::nanoseconds);
    CHECK(rx_timestamp_unit("net_pcap", 24, 11) == TimestampUnit::nanoseconds);
    CHECK(rx_timestamp_unit("net_ice", 22, 11) == TimestampUnit::unknown);  // device ticks
    CHECK(rx_timestamp_unit("net_mlx5", 24, 11) == TimestampUnit::unknown);
    CHECK(rx_timestamp_us(TimestampUnit::microseconds, 1'700'000'000'123'456) ==
          1'700'000'000'123'456);
    CHECK(rx_timestamp_us(TimestampUnit::nanoseconds, 1'700'000'000'123'456'789) ==
          1'700'000'000'123'456);
}

namespace {

// A TSC reader that returns the given readings in turn.
struct ScriptedTsc {
    std::vector<uint64_t> readings;
    size_t next = 0;
    uint64_t operator()() { return readings.at(next++); }
};

}  // namespace

TEST_CASE("the TSC's frequency between two bracketed clock readings, rounded as the EAL rounds",
          "[clock]") {
    const TscBracket start{1'000, 5'000'000, 1'100};  // mid 1'050
    // 2096.023 MHz (this VM's kernel figure) over 10 ms: the EAL's 100 ms sleep reports 2100 MHz.
    const TscBracket end{1'050 + 20'960'230 - 40, 15'000'000, 1'050 + 20'960'230 + 40};
    CHECK(tsc_hz_between(start, end) == 2'100'000'000);
    const TscBracket lower{1'050 + 20'949'000 - 40, 15'000'000, 1'050 + 20'949'000 + 40};
    CHECK(tsc_hz_between(start, lower) == 2'090'000'000);  // 2094.9 MHz rounds down
    // A clock that did not advance, or a TSC that went back, gives 0: the EAL then estimates.
    CHECK(tsc_hz_between(start, TscBracket{2'000'000, 5'000'000, 2'000'100}) == 0);
    CHECK(tsc_hz_between(start, TscBracket{500, 15'000'000, 600}) == 0);
}

TEST_CASE("a bracket an interrupt widened is read again; the narrowest is kept", "[clock]") {
    uint64_t clock_reads = 0;
    const auto clock = [&] { return ++clock_reads * 1'000; };
    // First bracket 1,000,000 cycles wide (an interrupt between the readings), second 60.
    ScriptedTsc tsc{{100, 1'000'100, 2'000'000, 2'000'060}};
    const TscBracket b = read_bracket(tsc, clock, 20'000);
    CHECK(b.tsc_before == 2'000'000);
    CHECK(b.tsc_after == 2'000'060);
    CHECK(b.ns == 2'000);
    CHECK(clock_reads == 2);
    CHECK(tsc.next == 4);  // stopped at the first bracket narrow enough

    // None narrow enough within the tries: the narrowest of them.
    ScriptedTsc wide{{0, 50'000, 100'000, 130'000, 200'000, 240'000}};
    const TscBracket w = read_bracket(wide, clock, 20'000, 3);
    CHECK(w.tsc_before == 100'000);
    CHECK(w.width() == 30'000);
    CHECK(wide.next == 6);
}
