#include "output/writable.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pktsieve {

namespace {

std::string try_create(const std::string& path) {
    struct stat st {};
    const bool existed = ::stat(path.c_str(), &st) == 0;
    if (existed && S_ISDIR(st.st_mode)) return "is a directory";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return std::strerror(errno);
    ::close(fd);
    if (!existed) ::unlink(path.c_str());
    return "";
}

}  // namespace

std::string writable(const std::string& path, const std::string& beside) {
    if (path.empty()) return "empty path";
    if (auto why = try_create(path); !why.empty()) return why;
    return beside.empty() ? "" : try_create(path + beside);
}

}  // namespace pktsieve
