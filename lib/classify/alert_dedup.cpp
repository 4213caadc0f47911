#include "classify/alert_dedup.hpp"

#include <algorithm>
#include <bit>

#include "packet/flow_hash.hpp"

namespace pktsieve {

AlertDedup::AlertDedup(size_t capacity)
    : slots_(std::bit_ceil(std::max(capacity, kProbe))), mask_(slots_.size() - 1) {}

bool AlertDedup::seen(uint64_t serial, uint32_t rule) {
    const uint64_t h = detail::fmix(detail::mix(serial, rule));
    Entry* victim = nullptr;
    for (size_t i = 0; i < kProbe; ++i) {
        Entry& e = slots_[(h + i) & mask_];
        if (e.serial == serial && e.rule == rule) return true;
        if (!victim || (victim->serial != 0 && (e.serial == 0 || e.serial < victim->serial)))
            victim = &e;
    }
    if (victim->serial != 0) ++replaced_;
    *victim = Entry{serial, rule};
    return false;
}

}  // namespace pktsieve
