#include "config/control_access.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace pktsieve {

namespace {
void apply(const std::string& path, gid_t gid, mode_t mode) {
    if (chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0 || chmod(path.c_str(), mode) != 0)
        throw std::runtime_error("--control-group: " + path + ": " + std::strerror(errno));
}
}  // namespace

void open_control_to_group(const std::string& runtime_dir, const std::string& group) {
    std::vector<char> buf(16384);
    struct group g {};
    struct group* found = nullptr;
    int rc;
    while ((rc = getgrnam_r(group.c_str(), &g, buf.data(), buf.size(), &found)) == ERANGE &&
           buf.size() < (1u << 20))
        buf.resize(buf.size() * 2);
    if (rc != 0 || !found)
        throw std::runtime_error("--control-group: no group '" + group + "' on this host");
    const std::filesystem::path dir(runtime_dir);
    const std::string base = dir.parent_path().string();
    struct stat st {};
    if (stat(base.c_str(), &st) == 0 && (st.st_mode & 0011) != 0011 &&
        chmod(base.c_str(), (st.st_mode & 07777) | 0011) != 0)
        throw std::runtime_error("--control-group: " + base + ": " + std::strerror(errno));
    apply(runtime_dir, found->gr_gid, 0750);
    apply((dir / "dpdk_telemetry.v2").string(), found->gr_gid, 0660);
}

}  // namespace pktsieve
