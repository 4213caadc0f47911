#include "match/db_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>

namespace pktsieve {

namespace {

constexpr std::string_view kMagic = "pktsieve-hsdb-1\n";

void put(std::string& out, const void* p, size_t n) {
    out.append(static_cast<const char*>(p), n);
}

template <typename T>
void put_value(std::string& out, T v) {
    put(out, &v, sizeof v);
}

void put_bytes(std::string& out, std::string_view s) {
    put_value<uint64_t>(out, s.size());
    out.append(s);
}

uint64_t fnv1a(std::string_view s, uint64_t h = 0xcbf29ce484222325ull) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

// Two 64-bit FNV-1a with different offsets: a file name, not a proof (see the header).
std::string hash_name(const std::string& s) {
    return fmt::format("{:016x}{:016x}.hsdb", fnv1a(s), fnv1a(s, 0x84222325cbf29ce4ull));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

DbCache::DbCache(std::string dir, uint64_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes) {
    std::error_code ec;
    // Made private when created here; one that exists is checked, never changed.
    if (std::filesystem::create_directories(dir_, ec)) ::chmod(dir_.c_str(), 0700);
    struct stat st {};
    if (::stat(dir_.c_str(), &st) != 0) {
        problem_ = fmt::format("{}: {}", dir_, ec ? ec.message() : std::strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        problem_ = dir_ + ": not a directory";
    } else if (st.st_uid != ::geteuid()) {
        problem_ = dir_ + ": owned by another user";
    } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        problem_ = dir_ + ": writable by others";
    } else if (::access(dir_.c_str(), W_OK | X_OK) != 0) {
        problem_ = dir_ + ": not writable";
    } else {
        usable_ = true;
    }
}

std::string DbCache::describe(const std::vector<HsExpression>& exprs, unsigned mode) {
    std::string d(kMagic);
    put_bytes(d, hs_version());
    hs_platform_info_t platform{};
    hs_populate_platform(&platform);
    put_value(d, platform.tune);
    put_value(d, platform.cpu_features);
    put_value(d, mode);
    put_value<uint64_t>(d, exprs.size());
    for (const auto& e : exprs) {
        put_bytes(d, e.regex);
        put_value(d, e.flags);
        put_value(d, e.id);
        put_value(d, e.ext.flags);
        put_value(d, e.ext.min_offset);
        put_value(d, e.ext.max_offset);
        put_value(d, e.ext.min_length);
        put_value(d, e.ext.edit_distance);
        put_value(d, e.ext.hamming_distance);
    }
    return d;
}

std::string DbCache::path_of(const std::string& description) const {
    return dir_ + "/" + hash_name(description);
}

// A file: the description's length and bytes, the serialised database's length and FNV-1a
// hash (Hyperscan's deserialiser checks the header, not every byte), the database.
hs_database_t* DbCache::load(const std::string& description) const {
    if (!usable_) return nullptr;
    const std::string path = path_of(description);
    const std::string file = read_file(path);
    const size_t head = 3 * sizeof(uint64_t) + description.size();
    uint64_t n = 0, len = 0, hash = 0;
    hs_database_t* db = nullptr;
    if (file.size() >= head) {
        std::memcpy(&n, file.data(), sizeof n);
        std::memcpy(&len, file.data() + sizeof n + description.size(), sizeof len);
        std::memcpy(&hash, file.data() + 2 * sizeof n + description.size(), sizeof hash);
    }
    const std::string_view bytes = std::string_view(file).substr(std::min(head, file.size()));
    if (file.size() >= head && n == description.size() &&
        std::memcmp(file.data() + sizeof n, description.data(), n) == 0 && len == bytes.size() &&
        hash == fnv1a(bytes) &&
        hs_deserialize_database(bytes.data(), bytes.size(), &db) == HS_SUCCESS) {
        ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // recently used: pruned last
        hits_.fetch_add(1, std::memory_order_relaxed);
        return db;
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
}

void DbCache::store(const std::string& description, const hs_database_t* db) const {
    if (!usable_ || !db) return;
    char* bytes = nullptr;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
    const std::string path = path_of(description);
    const std::string tmp = fmt::format("{}.{}.{}.tmp", path, ::getpid(),
                                        tmp_serial_.fetch_add(1, std::memory_order_relaxed));
    bool ok = false;
    if (std::FILE* f = std::fopen(tmp.c_str(), "wb")) {
        const uint64_t n = description.size(), size = len, hash = fnv1a({bytes, len});
        ok = std::fwrite(&n, sizeof n, 1, f) == 1 &&
             std::fwrite(description.data(), 1, n, f) == n &&
             std::fwrite(&size, sizeof size, 1, f) == 1 &&
             std::fwrite(&hash, sizeof hash, 1, f) == 1 && std::fwrite(bytes, 1, len, f) == len;
        ok = std::fclose(f) == 0 && ok;
    }
    std::free(bytes);  // Hyperscan's misc allocator: malloc
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) std::remove(tmp.c_str());
}

void DbCache::prune() const {
    if (!usable_) return;
    struct Entry {
        std::filesystem::path path;
        std::filesystem::file_time_type used;
        uint64_t bytes;
    };
    std::vector<Entry> entries;
    uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
        if (e.path().extension() != ".hsdb") continue;  // another run's .tmp is in flight
        std::error_code ec2;
        const uint64_t bytes = e.file_size(ec2);
        const auto used = e.last_write_time(ec2);
        if (ec2) continue;
        entries.push_back({e.path(), used, bytes});
        total += bytes;
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.used < b.used; });
    for (const auto& e : entries) {
        if (total <= max_bytes_) break;
        std::filesystem::remove(e.path, ec);
        total -= e.bytes;
    }
}

}  // namespace pktsieve
