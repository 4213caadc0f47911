// What pktsieve knows about the EAL's command line, to turn the classic DPDK mistakes into one
// actionable line instead of the EAL's usage dump: EAL options after `--` or without it, an
// `-l` list naming CPUs the process cannot use, too few lcores, no hugepages.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pktsieve {

// DPDK 22.11's RTE_MAX_LCORE (Debian's build): lcore ids and counts stay below it.
constexpr unsigned kMaxLcores = 128;
// main, aggregator and RX lcores besides the workers.
constexpr unsigned kMaxWorkers = kMaxLcores - 3;

// `arg` ("-l", "--vdev=x", "-m") names an EAL option.
bool is_eal_option(std::string_view arg);

// `-l LIST` / `-lLIST` naming a CPU outside `cpus` (the process's): a message saying which
// CPUs exist and the `--lcores` map that runs the same lcores on them; else empty.
std::string check_lcore_list(const std::vector<std::string>& eal,
                             const std::vector<unsigned>& cpus);

// `--lcores=0@c0,1@c1,...`: `lcores` lcores spread over `cpus` (several per CPU when short).
std::string lcores_map(unsigned lcores, const std::vector<unsigned>& cpus);

// After a failed EAL start-up: what to do about hugepages, from /proc/meminfo's text, when the
// EAL was to use them (no --no-huge); else empty.
std::string hugepage_advice(const std::vector<std::string>& eal, std::string_view meminfo);

}  // namespace pktsieve
