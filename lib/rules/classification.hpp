// Suricata's default classification.config: classtype -> description and priority.
// Thread-safety: immutable table.
#pragma once

#include <string_view>

namespace pktsieve {

struct Classification {
    std::string_view name;
    std::string_view description;
    int priority;
};

// nullptr when the classtype is unknown.
const Classification* find_classification(std::string_view name);

}  // namespace pktsieve
