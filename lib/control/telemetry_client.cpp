#include "control/telemetry_client.hpp"

#include <dirent.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace pktsieve {

namespace {

constexpr const char* kSocketName = "dpdk_telemetry.v2";

// Send and receive time out after `timeout_s`; so does a connect that waits for room in the
// daemon's accept queue (SO_SNDTIMEO bounds it for AF_UNIX). -1 with errno set on failure.
int connect_to(const std::string& path, double timeout_s) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    const int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (fd < 0) return -1;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_s);
    tv.tv_usec = static_cast<suseconds_t>((timeout_s - static_cast<double>(tv.tv_sec)) * 1e6);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
        connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

// false with connect's errno
bool alive(const std::string& path, double timeout_s) {
    const int fd = connect_to(path, timeout_s);
    if (fd < 0) return false;
    close(fd);
    return true;
}

bool timed_out(int e) {
    return e == EAGAIN || e == EWOULDBLOCK;
}

std::string seconds_text(double s) {
    return fmt::format("{:g} s", s);
}

}  // namespace

bool is_pktsieve(const std::string& socket_path, double timeout_s) {
    try {
        TelemetryClient c(socket_path, timeout_s);
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

namespace {
// Where a daemon's runtime folders may be: this user's DPDK base and, for a user who is not
// root, root's (a daemon run as a service, reachable with --control-group).
std::vector<std::string> runtime_bases() {
    std::vector<std::string> bases{dpdk_runtime_base()};
    if (bases[0] != "/var/run/dpdk") bases.push_back("/var/run/dpdk");
    return bases;
}
}  // namespace

std::string find_telemetry_socket(const std::string& prefix, double timeout_s) {
    const auto bases = runtime_bases();
    if (!prefix.empty()) {
        bool waited = false;  // a socket is there, but its daemon did not accept in time
        for (const auto& base : bases) {
            const std::string path = base + "/" + prefix + "/" + kSocketName;
            if (alive(path, timeout_s)) return path;
            waited = waited || timed_out(errno);
        }
        const std::string path = bases[0] + "/" + prefix + "/" + kSocketName;
        throw ControlError(
            "no pktsieve running with --file-prefix " + prefix + " (" + path + " does not answer" +
            (bases.size() > 1 ? ", nor under /var/run/dpdk" : "") +
            (waited ? "; a daemon did not accept within " + seconds_text(timeout_s) + " (--timeout)"
                    : "") +
            ")");
    }
    // Any prefix: the daemon may run under the one its operator chose (--file-prefix=sensor1);
    // a DPDK process that is not pktsieve lacks its commands. A base others may enter but not
    // list (--control-group) is tried at the default prefix.
    std::vector<std::string> found;
    for (const auto& base : bases) {
        std::vector<std::string> names;
        if (DIR* d = opendir(base.c_str())) {
            while (dirent* e = readdir(d)) {
                const std::string name = e->d_name;
                if (name != "." && name != "..") names.push_back(name);
            }
            closedir(d);
        } else {
            names.push_back("pktsieve");
        }
        for (const auto& name : names) {
            const std::string path = base + "/" + name + "/" + kSocketName;
            if (is_pktsieve(path, timeout_s)) found.push_back(path);  // false if none answers
        }
        if (!found.empty()) break;
    }
    std::sort(found.begin(), found.end());
    if (found.empty())
        throw ControlError("no pktsieve daemon is running (no pktsieve telemetry socket under " +
                           bases[0] + (bases.size() > 1 ? " or /var/run/dpdk" : "") +
                           " that this user may open)");
    if (found.size() > 1) {
        std::string list;
        for (const auto& f : found)
            list += " " + std::filesystem::path(f).parent_path().filename().string();
        throw ControlError("several pktsieve daemons are running; choose one with --file-prefix:" +
                           list);
    }
    return found[0];
}

TelemetryClient::TelemetryClient(const std::string& socket_path, double timeout_s)
    : timeout_s_(timeout_s) {
    fd_ = connect_to(socket_path, timeout_s);
    if (fd_ < 0)
        throw ControlError("cannot connect to " + socket_path + ": " +
                           (timed_out(errno)
                                ? "the daemon did not accept within " + seconds_text(timeout_s)
                                : std::string(std::strerror(errno))));
    info_ = nlohmann::json::parse(receive("its greeting"), nullptr, false);
    if (info_.is_object() && info_.contains("max_output_len"))
        max_len_ = info_["max_output_len"].get<size_t>();
}

TelemetryClient::~TelemetryClient() {
    if (fd_ >= 0) close(fd_);
}

std::string TelemetryClient::receive(const std::string& what) {
    std::string buf(max_len_ + 1024, '\0');
    const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0 && timed_out(errno))
        throw ControlError("the daemon did not send " + what + " within " +
                           seconds_text(timeout_s_) + " (--timeout)");
    if (n <= 0) throw ControlError("the daemon closed the telemetry connection");
    buf.resize(static_cast<size_t>(n));
    return buf;
}

nlohmann::json TelemetryClient::query(const std::string& command) {
    if (send(fd_, command.data(), command.size(), 0) < 0)
        throw ControlError("cannot send to the daemon: " + std::string(std::strerror(errno)));
    const auto reply = nlohmann::json::parse(receive("its answer to " + command), nullptr, false);
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
