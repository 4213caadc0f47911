// A parallel loop for the rule compiler's independent steps (rules checked, databases built).
// Thread-safety: fn must be safe to call concurrently for different indices.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pktsieve {

// Runs fn(0) .. fn(n - 1) on up to `threads` threads; the first exception is rethrown here.
template <typename F>
void parallel_for(size_t n, unsigned threads, F&& fn) {
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mu;
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < n;) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard lock(error_mu);
                if (!error) error = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::min<size_t>(threads, n); ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace pktsieve
