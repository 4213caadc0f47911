#include "observe/book.hpp"

namespace pktsieve {

namespace {
constexpr uint32_t kAllPorts = kPortKeys;  // the aggregator can afford a sketch per port
}

ObservationBook::ObservationBook(size_t workers) : workers_(workers), total_(kAllPorts, false) {}

void ObservationBook::add(size_t worker, const ObservationPiece& p) {
    Progress& w = workers_.at(worker);
    if (p.next == ObservationPiece::kNoInterval) {
        w.done = true;
    } else {
        w.started = true;
        w.at = p.next;
    }
    if (p.interval == ObservationPiece::kNoInterval) return;
    if (!p.obs.empty()) {
        total_.merge(p.obs);
        ++version_;
    }
    if (any_written_ && p.interval <= written_ && !open_.contains(p.interval)) {
        ++late_;
        return;
    }
    auto& slot = open_[p.interval];
    if (!slot) slot = std::make_unique<Observation>(kAllPorts, false);
    slot->merge(p.obs);
}

void ObservationBook::worker_done(size_t worker) {
    workers_.at(worker).done = true;
}

bool ObservationBook::complete(uint64_t interval) const {
    for (const Progress& w : workers_)
        if (!w.done && (!w.started || w.at <= interval)) return false;
    return true;
}

}  // namespace pktsieve
