#include "guard/stop.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace pktsieve {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
std::atomic<bool> g_reopen{false};
std::atomic<int> g_stop_signals{0};

void on_stop_signal(int) {
    g_stop.store(true, std::memory_order_relaxed);
    if (g_stop_signals.fetch_add(1, std::memory_order_relaxed) > 0) {
        // Asked twice: whatever the first one waits for, go now (async-signal-safe calls only).
        static const char msg[] = "pktsieve: second stop signal, exiting at once\n";
        [[maybe_unused]] const auto n = write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(1);
    }
}

void on_hup(int) {
    g_reload.store(true, std::memory_order_relaxed);
}

void on_usr1(int) {
    g_reopen.store(true, std::memory_order_relaxed);
}

}  // namespace

std::atomic<bool>& stop_requested() {
    return g_stop;
}

std::atomic<bool>& reload_requested() {
    return g_reload;
}

std::atomic<bool>& reopen_requested() {
    return g_reopen;
}

void install_signal_handlers() {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGHUP, on_hup);
    std::signal(SIGUSR1, on_usr1);
}

StopWatchdog::StopWatchdog(std::chrono::milliseconds starting, std::chrono::milliseconds running)
    : starting_(starting), running_(running), thread_([this] { watch(); }) {}

StopWatchdog::~StopWatchdog() {
    {
        std::lock_guard lock(mu_);
        quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void StopWatchdog::mark_running() {
    running_phase_.store(true, std::memory_order_release);
}

void StopWatchdog::remove_on_exit(const std::string& path) {
    std::lock_guard lock(mu_);
    cleanup_ = path;
}

void StopWatchdog::watch() {
    using clock = std::chrono::steady_clock;
    constexpr auto kPoll = std::chrono::milliseconds(10);
    std::unique_lock lock(mu_);
    clock::time_point asked{};
    bool asked_running = false;
    while (!cv_.wait_for(lock, kPoll, [this] { return quit_; })) {
        if (!g_stop.load(std::memory_order_relaxed)) continue;
        const bool running = running_phase_.load(std::memory_order_acquire);
        if (asked == clock::time_point{} || running != asked_running) {
            asked = clock::now();  // the running grace counts from the launch if later
            asked_running = running;
        }
        const auto waited = clock::now() - asked;
        if (!running && waited >= starting_)
            force_exit(0, "stopped during start-up, before any packet was counted");
        if (running && waited >= running_)
            force_exit(1, "lcores did not stop in time after the stop signal; no final totals");
    }
}

void StopWatchdog::force_exit(int status, const char* why) {
    std::cerr << "pktsieve: " << why << "\n" << std::flush;
    if (!cleanup_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(cleanup_, ec);
    }
    std::_Exit(status);
}

}  // namespace pktsieve
