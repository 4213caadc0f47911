// /metrics over HTTP (cpp-httplib, Debian's libcpp-httplib-dev): GET /metrics answers the
// Prometheus text of the latest published view, GET / a line saying where the metrics are,
// anything else 404/405. Read-only: no request changes the daemon. Requests run on the server's
// own threads (two; created by the thread that starts it, so they share its CPU set, not the
// workers'), which read only the StatsPublisher's immutable snapshots.
// Thread-safety: construct and destroy on one thread; the handlers are the server's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "metrics/listen.hpp"

namespace pktsieve {

class MetricsServer {
  public:
    // Binds at once (throws std::runtime_error when it cannot), then serves on its own thread.
    // `body` gives the exposition text; it is called on a server thread.
    MetricsServer(const ListenAddress& at, std::function<std::string()> body);
    ~MetricsServer();  // stops serving and joins
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::thread thread_;
};

}  // namespace pktsieve
