// Notices when rule files are rewritten or replaced, for --watch-rules. Watches the files'
// directories (inotify), so a write in place and the write-to-a-temporary-then-rename that
// editors and suricata-update do both count; a burst of events settles for `quiet_ms` first,
// so a reload never reads a half-written file it could have waited for.
// Thread-safety: one owner thread (the main lcore's loop).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pktsieve {

class FileWatch {
  public:
    // Throws std::runtime_error when inotify or a directory watch cannot be set up.
    explicit FileWatch(const std::vector<std::string>& files, uint64_t quiet_ms = 200);
    ~FileWatch();
    FileWatch(const FileWatch&) = delete;
    FileWatch& operator=(const FileWatch&) = delete;

    // Non-blocking. True once, when a watched file changed and nothing more happened to the
    // watched files for quiet_ms (now_ms: any monotonic clock in milliseconds).
    bool changed(uint64_t now_ms);
    // Watches these files instead (after a reload from other files).
    void watch(const std::vector<std::string>& files);
    const std::vector<std::string>& files() const { return files_; }

  private:
    void drain(uint64_t now_ms);

    int fd_ = -1;
    uint64_t quiet_ms_;
    std::vector<std::string> files_;
    std::map<int, std::string> dirs_;                      // watch descriptor -> directory
    std::set<std::pair<std::string, std::string>> names_;  // (directory, file name)
    bool pending_ = false;
    uint64_t last_event_ms_ = 0;
};

}  // namespace pktsieve
