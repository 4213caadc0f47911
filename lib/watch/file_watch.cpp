#include "watch/file_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace pktsieve {

namespace {

constexpr uint32_t kEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE;

}  // namespace

FileWatch::FileWatch(const std::vector<std::string>& files, uint64_t quiet_ms)
    : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)), quiet_ms_(quiet_ms) {
    if (fd_ < 0) throw std::runtime_error(std::string("inotify: ") + std::strerror(errno));
    watch(files);
}

FileWatch::~FileWatch() {
    if (fd_ >= 0) close(fd_);
}

void FileWatch::watch(const std::vector<std::string>& files) {
    for (const auto& [wd, dir] : dirs_) inotify_rm_watch(fd_, wd);
    dirs_.clear();
    names_.clear();
    files_ = files;
    std::set<std::string> dirs;
    for (const auto& f : files) {
        const auto path = std::filesystem::absolute(f).lexically_normal();
        names_.emplace(path.parent_path().string(), path.filename().string());
        dirs.insert(path.parent_path().string());
    }
    for (const auto& d : dirs) {
        const int wd = inotify_add_watch(fd_, d.c_str(), kEvents);
        if (wd < 0)
            throw std::runtime_error("inotify: cannot watch '" + d + "': " + std::strerror(errno));
        dirs_[wd] = d;
    }
}

void FileWatch::drain(uint64_t now_ms) {
    alignas(inotify_event) char buf[16384];
    for (;;) {
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) return;  // EAGAIN: nothing more for now
        for (ssize_t off = 0; off < n;) {
            const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
            off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            const auto dir = dirs_.find(e->wd);
            if (dir == dirs_.end() || e->len == 0) continue;
            if (!names_.count({dir->second, e->name})) continue;
            pending_ = true;
            last_event_ms_ = now_ms;
        }
    }
}

bool FileWatch::changed(uint64_t now_ms) {
    drain(now_ms);
    if (!pending_ || now_ms - last_event_ms_ < quiet_ms_) return false;
    pending_ = false;
    return true;
}

}  // namespace pktsieve
