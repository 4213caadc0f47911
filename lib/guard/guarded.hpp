// C++ called from C must not throw: lcore entry points (rte_eal_remote_launch) and DPDK
// telemetry callbacks are C function pointers, and an exception crossing them is
// std::terminate (a failed hs_alloc_scratch during a reload took the daemon down). guarded()
// runs the C++ side and turns an exception into a report and a failure value.
// Thread-safety: none of its own; `on_error` runs on the calling thread.
#pragma once

#include <exception>
#include <string>

namespace pktsieve {

template <typename F, typename E, typename R = decltype(std::declval<F&>()())>
R guarded(F&& fn, E&& on_error, R failed) noexcept {
    try {
        try {
            return fn();
        } catch (const std::exception& e) {
            on_error(std::string(e.what()));
        } catch (...) {
            on_error(std::string("unknown exception"));
        }
    } catch (...) {  // the report itself failed (out of memory): the failure value still stands
    }
    return failed;
}

}  // namespace pktsieve
