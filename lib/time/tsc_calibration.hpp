// Measuring the TSC's frequency against a nanosecond clock in a few milliseconds.
// DPDK 22.11's EAL asks the CPU (CPUID leaf 0x15, Intel's platform-info MSR) and, where neither
// answers (AMD, most virtual machines), sleeps 100 ms between two readings of each clock: the
// largest part of a one-packet `--pcap` run. Reading the clock between two TSC readings bounds
// each reading's error by the bracket's width instead, so a 10 ms window measures closer than
// the EAL's rounding (10 MHz) anyway.
// Thread-safety: pure functions of their arguments and of the readers they call.
#pragma once

#include <cstdint>

namespace pktsieve {

// One reading of a nanosecond clock with the TSC read just before and just after it.
struct TscBracket {
    uint64_t tsc_before = 0;
    uint64_t ns = 0;
    uint64_t tsc_after = 0;
    uint64_t width() const { return tsc_after - tsc_before; }
    uint64_t tsc_mid() const { return tsc_before + width() / 2; }
};

// Reads the clock between two TSC readings, again while the two lie more than `max_cycles`
// apart (an interrupt or a preemption inside the bracket), `tries` times at most; the
// narrowest bracket read wins.
template <class ReadTsc, class ReadNs>
TscBracket read_bracket(ReadTsc&& read_tsc, ReadNs&& read_ns, uint64_t max_cycles, int tries = 16) {
    TscBracket best{};
    for (int i = 0; i < tries; ++i) {
        TscBracket b;
        b.tsc_before = read_tsc();
        b.ns = read_ns();
        b.tsc_after = read_tsc();
        if (i == 0 || b.width() < best.width()) best = b;
        if (best.width() <= max_cycles) break;
    }
    return best;
}

// The EAL's granularity: DPDK rounds its own measurement to the nearest 10 MHz, so the figure
// here is the one an undisturbed 100 ms EAL measurement gives.
inline constexpr uint64_t kTscRoundingHz = 10'000'000;

// TSC cycles per second between two brackets, rounded as the EAL rounds; 0 when the clock did
// not advance or the TSC went back (the EAL then falls back to its own estimate).
inline uint64_t tsc_hz_between(const TscBracket& a, const TscBracket& b) {
    if (b.ns <= a.ns || b.tsc_mid() <= a.tsc_mid()) return 0;
    const auto cycles = static_cast<long double>(b.tsc_mid() - a.tsc_mid());
    const auto hz = cycles * 1e9L / static_cast<long double>(b.ns - a.ns);
    const auto steps = static_cast<uint64_t>(hz / kTscRoundingHz + 0.5L);
    return steps * kTscRoundingHz;
}

}  // namespace pktsieve
