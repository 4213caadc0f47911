// How the daemon stops: SIGINT/SIGTERM ask for an orderly stop (every lcore ends its loop, the
// final totals are written); SIGHUP asks for a rule reload, SIGUSR1 for the EVE log reopened. A
// stop must end the process within about a second at any moment, and some moments cannot end in an
// orderly way that fast: the first rule compile (a minute for the whole ET Open set, not
// interruptible) or an lcore that never comes back. StopWatchdog ends the process in those cases.
// Thread-safety: the flags are atomics, set from signal handlers; StopWatchdog's methods may
// be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace pktsieve {

std::atomic<bool>& stop_requested();
std::atomic<bool>& reload_requested();
std::atomic<bool>& reopen_requested();

// SIGINT, SIGTERM: stop_requested (a second one exits at once, status 1); SIGHUP:
// reload_requested; SIGUSR1: reopen_requested (the EVE log, after logrotate moved it).
void install_signal_handlers();

class StopWatchdog {
  public:
    // While starting, a stop that has not ended the process after `starting` exits it with
    // status 0 (nothing was counted yet); once running, after `running` with status 1 (the
    // lcores did not come back: no final totals).
    StopWatchdog(std::chrono::milliseconds starting, std::chrono::milliseconds running);
    ~StopWatchdog();
    StopWatchdog(const StopWatchdog&) = delete;
    StopWatchdog& operator=(const StopWatchdog&) = delete;

    // The lcores run: from here an orderly stop writes final totals, and gets longer.
    void mark_running();
    // Removed before a forced exit (the EAL's runtime folder).
    void remove_on_exit(const std::string& path);

  private:
    void watch();
    [[noreturn]] void force_exit(int status, const char* why);

    const std::chrono::milliseconds starting_, running_;
    std::atomic<bool> running_phase_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    bool quit_ = false;    // guarded by mu_
    std::string cleanup_;  // guarded by mu_
    std::thread thread_;
};

}  // namespace pktsieve
