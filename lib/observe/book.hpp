// The aggregator's side of observations: merges the pieces workers hand over into one
// Observation per open interval and into the running totals, and says when an interval is
// complete — every worker has moved past it or ended — so its record can be written.
// A worker far behind the others (more than kMaxOpen intervals) does not hold the rest back:
// the oldest interval is written anyway and what arrives for it later counts in the totals only
// (late_pieces).
// Thread-safety: one thread (the aggregator).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "observe/recorder.hpp"

namespace pktsieve {

class ObservationBook {
  public:
    static constexpr size_t kMaxOpen = 48;
    explicit ObservationBook(size_t workers);

    // Merges a worker's piece (the caller clears and returns it afterwards).
    void add(size_t worker, const ObservationPiece& p);
    // The worker ended (its last piece, if any, was added).
    void worker_done(size_t worker);
    // Hands each complete interval (oldest first) to write(interval, obs) and forgets it; with
    // `all`, every open interval (the end).
    template <typename Write>
    void take_complete(Write&& write, bool all = false) {
        while (!open_.empty()) {
            auto it = open_.begin();
            if (!all && open_.size() <= kMaxOpen && !complete(it->first)) return;
            write(it->first, *it->second);
            written_ = it->first;
            any_written_ = true;
            open_.erase(it);
        }
    }
    const Observation& total() const { return total_; }
    // Increases whenever the totals change (for caching what is rendered from them).
    uint64_t total_version() const { return version_; }
    uint64_t late_pieces() const { return late_; }
    size_t open_intervals() const { return open_.size(); }

  private:
    bool complete(uint64_t interval) const;

    struct Progress {
        bool started = false, done = false;
        uint64_t at = 0;  // the interval the worker is in
    };
    std::vector<Progress> workers_;
    std::map<uint64_t, std::unique_ptr<Observation>> open_;
    Observation total_;
    uint64_t written_ = 0;
    bool any_written_ = false;
    uint64_t version_ = 0, late_ = 0;
};

}  // namespace pktsieve
