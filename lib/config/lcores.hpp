// Which lcore does what: main (control), aggregator, the RX/distributor lcore (software
// distribution only) and the workers. Pure planning over the lcore ids the EAL enabled.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pktsieve {

enum class Distribution { automatic, queues, software };

// "auto" | "queues" | "software"; throws OptionError.
Distribution parse_distribution(std::string_view s);
std::string_view to_string(Distribution d);

// "2-5,7" -> {2,3,4,5,7}; throws OptionError.
std::vector<unsigned> parse_lcore_list(std::string_view s);

struct LcoreLayout {
    unsigned main = 0;
    unsigned aggregator = 0;
    std::optional<unsigned> rx;
    std::vector<unsigned> workers;
};

// `enabled`: the EAL's lcores, main first. `chosen_workers`: --worker-lcores (empty: take the
// lcores left over). `max_workers`: --workers (0: every lcore left over; otherwise exactly that
// many). Throws OptionError when the lcores do not suffice or a chosen lcore is not enabled or
// already taken.
LcoreLayout plan_lcores(const std::vector<unsigned>& enabled, bool need_rx,
                        const std::vector<unsigned>& chosen_workers, unsigned max_workers);

}  // namespace pktsieve
