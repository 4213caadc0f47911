#include "classify/rate_limit.hpp"

#include <bit>
#include <cstring>

#include "packet/flow_hash.hpp"

namespace pktsieve {

RateTracker::RateTracker(size_t capacity)
    : slots_(std::bit_ceil(std::max<size_t>(capacity, kProbe))), mask_(slots_.size() - 1) {}

RateTracker::Entry& RateTracker::find(uint32_t rule, uint8_t type, const IpAddr& addr,
                                      uint64_t now_us, uint64_t window) {
    uint64_t a, b;
    std::memcpy(&a, addr.data(), 8);
    std::memcpy(&b, addr.data() + 8, 8);
    const uint64_t h = detail::fmix(detail::mix(detail::mix(a, b), uint64_t{rule} << 8 | type));
    Entry* victim = nullptr;
    bool victim_stale = false;
    for (size_t i = 0; i < kProbe; ++i) {
        Entry& e = slots_[(h + i) & mask_];
        const bool live = e.type != 0 && e.epoch == epoch_;
        if (live && e.type == type && e.rule == rule && e.addr == addr) return e;
        if (!live || now_us >= e.expires_us) {
            if (!victim_stale) victim = &e;
            victim_stale = true;
        } else if (!victim_stale && (!victim || e.start_us < victim->start_us)) {
            victim = &e;
        }
    }
    if (!victim_stale) ++replaced_;
    *victim = Entry{addr, rule, type, epoch_, 0, now_us, now_us + window};
    return *victim;
}

bool RateTracker::pass(uint32_t rule, const RateLimit& rl, const IpAddr& addr, uint64_t now_us) {
    using T = RateLimit::Type;
    if (rl.type == T::none) return true;
    const uint64_t window = uint64_t{rl.seconds} * 1000000;
    Entry& e = find(rule, static_cast<uint8_t>(rl.type), addr, now_us, window);
    if (now_us >= e.expires_us) {  // a new window begins with this event
        e.start_us = now_us;
        e.expires_us = now_us + window;
        e.count = 0;
    }
    ++e.count;
    switch (rl.type) {
        case T::limit:
            return e.count <= rl.count;  // the first `count` per window
        case T::threshold:               // every `count`-th
            if (e.count < rl.count) return false;
            e.count = 0;
            return true;
        case T::both:
            return e.count == rl.count;  // once per window, at the `count`-th
        case T::detection_filter:
            return e.count > rl.count;  // each one past the `count`-th
        case T::none:
            break;
    }
    return true;
}

}  // namespace pktsieve
