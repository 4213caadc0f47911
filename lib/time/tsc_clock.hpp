// Wall-clock microseconds from the TSC, exact for any uptime. `cycles * 1000000 / hz` in 64
// bits wraps after 2^64 / 10^6 cycles: about 2 h 3 min at 2.5 GHz, after which every flow
// looked idle and EVE timestamps jumped back. Dividing first keeps every term in range.
// Thread-safety: a value type; now_us is const.
#pragma once

#include <cstdint>

namespace pktsieve {

// floor(cycles * 10^6 / hz) without overflow for hz < 1.8e13.
constexpr uint64_t cycles_to_us(uint64_t cycles, uint64_t hz) {
    return cycles / hz * 1000000 + cycles % hz * 1000000 / hz;
}

struct TscClock {
    uint64_t tsc0 = 0;  // TSC at us0
    uint64_t us0 = 0;   // wall clock (microseconds since the epoch) at tsc0
    uint64_t hz = 1;
    uint64_t now_us(uint64_t tsc) const { return us0 + cycles_to_us(tsc - tsc0, hz); }
};

}  // namespace pktsieve
