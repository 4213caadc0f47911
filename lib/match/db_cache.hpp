// Compiled Hyperscan databases kept on disk between runs (`--rule-cache DIR`): a database is
// stored under the hash of everything that determines it — Hyperscan's version, the platform
// it was compiled for, the mode and every expression (text, flags, id, extended parameters) —
// and the file also holds that whole description, compared byte for byte before the database
// is used, so a hash collision can cost a compile, never a wrong database. Hyperscan checks a
// database's own checksum and platform when it is deserialised; a file that fails anything is
// ignored and replaced. Start-up with a set compiled before (a pcap run, a restart) then costs
// reading files instead of compiling (the shipped rules with the ET sample: 0.2 s of compile).
// Files are written to a temporary name and renamed, so concurrent runs never see half a file;
// the directory is kept under a size bound by removing the least recently used files.
// Thread-safety: load and store may be called from several threads at once.
#pragma once

#include <hs/hs.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "match/expressions.hpp"

namespace pktsieve {

class DbCache {
  public:
    // `dir` is created (mode 0700) when missing; it must be owned by this user and writable by
    // no one else, or nothing is cached (a database from a file others can write would be
    // trusted code for the scanner). `max_bytes`: the bound prune() keeps.
    explicit DbCache(std::string dir, uint64_t max_bytes = uint64_t{512} << 20);

    bool usable() const { return usable_; }
    // Why the directory cannot be used ("" when usable).
    const std::string& problem() const { return problem_; }

    // What determines the database of `exprs` in `mode`.
    static std::string describe(const std::vector<HsExpression>& exprs, unsigned mode);
    // The cached database for `description`, or nullptr.
    hs_database_t* load(const std::string& description) const;
    void store(const std::string& description, const hs_database_t* db) const;
    // Removes the least recently used files beyond the size bound.
    void prune() const;

    uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
    uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  private:
    std::string path_of(const std::string& description) const;

    std::string dir_;
    uint64_t max_bytes_;
    bool usable_ = false;
    std::string problem_;
    mutable std::atomic<uint64_t> hits_{0}, misses_{0}, tmp_serial_{0};
};

}  // namespace pktsieve
