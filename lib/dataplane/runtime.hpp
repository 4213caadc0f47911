// The daemon's life: load rules, start the EAL and ports, launch workers, aggregate until the
// source ends (pcap) or a signal arrives, then flush exact totals.
// Thread-safety: call run() once, from the main thread.
#pragma once

#include "config/options.hpp"

namespace pktsieve {

// Returns the process exit code. Prints errors to stderr.
int run(const CommandLine& cl);

}  // namespace pktsieve
