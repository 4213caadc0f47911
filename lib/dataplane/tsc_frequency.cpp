// The EAL's TSC calibration, replaced at link time (`-Wl,--wrap=get_tsc_freq`, set in the top
// meson.build when DPDK is linked statically): the EAL's get_tsc_freq sleeps 100 ms; this one
// measures for 10 ms with bracketed readings (time/tsc_calibration.hpp). The EAL still asks the
// CPU first and calls this only where the CPU does not say.
#include <rte_cycles.h>
#include <time.h>

#include <cstdint>

#include "time/tsc_calibration.hpp"

namespace {

uint64_t monotonic_raw_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC_RAW, &t);
    return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(t.tv_nsec);
}

// A vDSO clock read takes ~100 cycles and a trapping one (a VM's non-TSC clock source) a few
// thousand; 20,000 lets either through and turns away a bracket an interrupt landed in.
constexpr uint64_t kMaxBracketCycles = 20'000;
constexpr long kWindowNs = 10'000'000;

}  // namespace

// Linker-wrapped name, so it has C linkage and the wrapped function's signature.
extern "C" uint64_t __wrap_get_tsc_freq(void);

extern "C" uint64_t __wrap_get_tsc_freq(void) {
    const auto tsc = [] { return rte_rdtsc_precise(); };
    const pktsieve::TscBracket start =
        pktsieve::read_bracket(tsc, monotonic_raw_ns, kMaxBracketCycles);
    timespec window{0, kWindowNs};
    while (nanosleep(&window, &window) != 0) {
    }
    const pktsieve::TscBracket end =
        pktsieve::read_bracket(tsc, monotonic_raw_ns, kMaxBracketCycles);
    return pktsieve::tsc_hz_between(start, end);
}
