// One worker's observations over time. Time is cut into intervals of a fixed length aligned to
// the epoch (hours begin at :00 UTC); the recorder fills a piece (an Observation and the
// interval it belongs to) and hands it over when packet time enters a later interval, when the
// worker asks (to keep the totals fresh) and at the end. The handover takes the full piece and
// gives back an empty one; in the daemon it is a ring to the aggregator, in tests a function.
// Packet time that goes backwards (a replayed file starting over) stays in the current interval.
// Thread-safety: one recorder per worker.
#pragma once

#include <cstdint>

#include "observe/observation.hpp"

namespace pktsieve {

struct ObservationPiece {
    static constexpr uint64_t kNoInterval = UINT64_MAX;
    Observation obs;
    uint64_t interval = kNoInterval;  // what obs holds (kNoInterval: nothing, a first start)
    uint64_t next = kNoInterval;      // the interval the worker is in now (kNoInterval: ended)
};

class ObservationRecorder {
  public:
    // Takes `full` (it now belongs to the receiver) and returns an empty piece; never null.
    using Handover = ObservationPiece* (*)(void* ctx, ObservationPiece* full);

    ObservationRecorder(uint64_t interval_us, ObservationPiece* first, Handover handover, void* ctx)
        : length_(interval_us ? interval_us : 1), piece_(first), handover_(handover), ctx_(ctx) {}

    // The piece for a packet at ts_us (rolls over into ts_us's interval first when due).
    Observation& at(uint64_t ts_us) {
        if (ts_us >= end_) [[unlikely]]
            roll(ts_us);
        return piece_->obs;
    }
    // The piece being filled (after at() for the packet).
    Observation& current() { return piece_->obs; }
    // Time passes with no packet (an idle worker learns it from a clock): roll over if due.
    // (0: the time is not known yet.)
    void advance(uint64_t ts_us) {
        if (ts_us != 0 && ts_us >= end_) roll(ts_us);
    }
    // Hands what this interval has so far over, and goes on in the same interval.
    void flush() {
        if (started()) hand(index_);
    }
    // The end: hands the last (partial) interval over; nothing is recorded after.
    void finish() {
        if (started()) hand(ObservationPiece::kNoInterval);
        end_ = UINT64_MAX;
        index_ = ObservationPiece::kNoInterval;
    }
    bool started() const { return index_ != ObservationPiece::kNoInterval; }
    uint64_t interval() const { return index_; }
    uint64_t length_us() const { return length_; }

  private:
    void roll(uint64_t ts_us) {
        if (finished_) return;
        const uint64_t next = ts_us / length_;
        if (!started()) {
            // A first start: nothing to hand over, but the receiver learns where this worker is.
            piece_->interval = ObservationPiece::kNoInterval;
            piece_->next = next;
            piece_ = handover_(ctx_, piece_);
        } else {
            hand(next);
        }
        index_ = next;
        end_ = next >= UINT64_MAX / length_ ? UINT64_MAX : (next + 1) * length_;
    }
    void hand(uint64_t next) {
        piece_->interval = index_;
        piece_->next = next;
        if (next == ObservationPiece::kNoInterval) finished_ = true;
        piece_ = handover_(ctx_, piece_);
    }

    uint64_t length_;
    uint64_t index_ = ObservationPiece::kNoInterval;
    uint64_t end_ = 0;  // packet time at which the current interval ends (0: not started)
    bool finished_ = false;
    ObservationPiece* piece_;
    Handover handover_;
    void* ctx_;
};

}  // namespace pktsieve
