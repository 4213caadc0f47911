// Client of the DPDK telemetry socket (dpdk_telemetry.v2, SOCK_SEQPACKET): finds a running
// pktsieve by its EAL file prefix, sends commands, returns the JSON replies.
// Thread-safety: one TelemetryClient per thread.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace pktsieve {

class ControlError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Where DPDK keeps runtime directories for this user: /var/run/dpdk (root), else
// $XDG_RUNTIME_DIR/dpdk, else /tmp/dpdk.
std::string dpdk_runtime_base();

// The telemetry socket of the daemon with `prefix`; with an empty prefix, of the one running
// pktsieve under any prefix. Throws ControlError naming what it looked at.
// Each socket tried gets `timeout_s` to accept (and, without a prefix, to answer).
std::string find_telemetry_socket(const std::string& prefix, double timeout_s);

// Whether the telemetry socket at `socket_path` belongs to a pktsieve (it has its commands).
bool is_pktsieve(const std::string& socket_path, double timeout_s);
// A string of a /pktsieve/* reply as it was: the daemon sends %XX for every byte outside
// printable ASCII and for " \ % (lib/dataplane/telemetry_reply.hpp).
std::string from_telemetry_text(std::string_view s);

class TelemetryClient {
  public:
    // Each step (connect, the greeting, each answer) gets `timeout_s`; a daemon that takes
    // longer is a ControlError naming the step, not a wait without end.
    TelemetryClient(const std::string& socket_path, double timeout_s);
    ~TelemetryClient();
    TelemetryClient(const TelemetryClient&) = delete;
    TelemetryClient& operator=(const TelemetryClient&) = delete;

    // "/pktsieve/stats" or "/pktsieve/rules,10": the value under the command's key.
    nlohmann::json query(const std::string& command);
    const nlohmann::json& info() const { return info_; }  // the server's greeting (pid, version)

  private:
    std::string receive(const std::string& what);
    double timeout_s_;
    int fd_ = -1;
    size_t max_len_ = 16384;
    nlohmann::json info_;
};

}  // namespace pktsieve
