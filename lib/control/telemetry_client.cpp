#include "control/telemetry_client.hpp"

#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pktsieve {

namespace {

constexpr const char* kSocketName = "dpdk_telemetry.v2";

int connect_to(const std::string& path) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) return -1;
    const int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (fd < 0) return -1;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool alive(const std::string& path) {
    const int fd = connect_to(path);
    if (fd < 0) return false;
    close(fd);
    return true;
}

}  // namespace

bool is_pktsieve(const std::string& socket_path) {
    try {
        TelemetryClient c(socket_path);
        const auto commands = c.query("/");
        return commands.is_array() &&
               std::find(commands.begin(), commands.end(), "/pktsieve/document") != commands.end();
    } catch (const ControlError&) {
        return false;
    }
}

std::string dpdk_runtime_base() {
    if (getuid() == 0) return "/var/run/dpdk";
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR")) return std::string(xdg) + "/dpdk";
    return "/tmp/dpdk";
}

std::string find_telemetry_socket(const std::string& prefix) {
    const std::string base = dpdk_runtime_base();
    if (!prefix.empty()) {
        const std::string path = base + "/" + prefix + "/" + kSocketName;
        if (!alive(path))
            throw ControlError("no pktsieve running with --file-prefix " + prefix + " (" + path +
                               " does not answer)");
        return path;
    }
    // Any prefix: the daemon may run under the one its operator chose (--file-prefix=sensor1);
    // a DPDK process that is not pktsieve lacks its commands.
    std::vector<std::string> found;
    if (DIR* d = opendir(base.c_str())) {
        while (dirent* e = readdir(d)) {
            const std::string name = e->d_name;
            if (name == "." || name == "..") continue;
            const std::string path = base + "/" + name + "/" + kSocketName;
            if (alive(path) && is_pktsieve(path)) found.push_back(name);
        }
        closedir(d);
    }
    std::sort(found.begin(), found.end());
    if (found.empty())
        throw ControlError("no pktsieve daemon is running (no pktsieve telemetry socket under " +
                           base + ")");
    if (found.size() > 1) {
        std::string list;
        for (const auto& f : found) list += " " + f;
        throw ControlError("several pktsieve daemons are running; choose one with --file-prefix:" +
                           list);
    }
    return base + "/" + found[0] + "/" + kSocketName;
}

TelemetryClient::TelemetryClient(const std::string& socket_path) {
    fd_ = connect_to(socket_path);
    if (fd_ < 0)
        throw ControlError("cannot connect to " + socket_path + ": " + std::strerror(errno));
    info_ = nlohmann::json::parse(receive(), nullptr, false);
    if (info_.is_object() && info_.contains("max_output_len"))
        max_len_ = info_["max_output_len"].get<size_t>();
}

TelemetryClient::~TelemetryClient() {
    if (fd_ >= 0) close(fd_);
}

std::string TelemetryClient::receive() {
    std::string buf(max_len_ + 1024, '\0');
    const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n <= 0) throw ControlError("the daemon closed the telemetry connection");
    buf.resize(static_cast<size_t>(n));
    return buf;
}

nlohmann::json TelemetryClient::query(const std::string& command) {
    if (send(fd_, command.data(), command.size(), 0) < 0)
        throw ControlError("cannot send to the daemon: " + std::string(std::strerror(errno)));
    const auto reply = nlohmann::json::parse(receive(), nullptr, false);
    const auto key = command.substr(0, command.find(','));
    if (!reply.is_object() || !reply.contains(key) || reply[key].is_null())
        throw ControlError("the daemon did not answer " + command +
                           " (not running pktsieve, or "
                           "no stats published yet)");
    return reply[key];
}

std::string from_telemetry_text(std::string_view s) {
    const auto hex = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace pktsieve
