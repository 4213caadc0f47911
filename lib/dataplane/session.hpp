// The parts of a running daemon that the runtime sets up before the lcores start and takes
// down after they end: the lcore layout, the rule reloader, the mbuf pool, the ports, the
// workers' contexts and rings, the RX lcore of software distribution.
// Thread-safety: the main lcore's; lcores get pointers to the parts once they are set up.
#pragma once

#include <rte_mempool.h>
#include <sched.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/distribution.hpp"
#include "config/eal_advice.hpp"
#include "config/lcores.hpp"
#include "config/options.hpp"
#include "config/replay.hpp"
#include "dataplane/distributor.hpp"
#include "dataplane/port.hpp"
#include "dataplane/reloader.hpp"
#include "dataplane/worker.hpp"
#include "guard/stop.hpp"
#include "match/load.hpp"
#include "packet/packet.hpp"

namespace pktsieve {

struct Session {
    explicit Session(const Options& o) : opts(o) {}
    const Options& opts;
    bool pcap_mode = false;
    uint64_t expected_packets = 0;
    uint32_t pcap_max_frame = 0;         // pcap mode: the file's largest frame, bytes
    LinkType link = LinkType::ethernet;  // pcap mode: the file's link type
    std::vector<ReplayFile> replays;     // infinite_rx files: loaded whole into the pool
    std::unique_ptr<RuleReloader> reloader;
    DistributionPlan plan;
    LcoreLayout layout;
    rte_mempool* pool = nullptr;
    std::vector<PortSetup> ports;
    std::vector<std::unique_ptr<WorkerContext>> workers;
    std::atomic<uint64_t> packet_clock{0};  // observations: latest packet time (aggregator)
    std::unique_ptr<DistributorContext> distributor;
    cpu_set_t start_cpus;  // the process's CPUs before the EAL pinned the main thread
    // The start's rule set, compiling while the EAL initialises (start_compile). Last: a
    // Session left early waits here for the compile, which reads opts, before the rest goes.
    std::future<CompiledSet> compiling;

    SourceLimits limits() const {
        const uint64_t hz = rte_get_tsc_hz();
        return {expected_packets, hz * opts.idle_exit_ms / 1000, &stop_requested(), pcap_mode};
    }
    // Queue `queue` of every port (a worker's share), or every queue of every port (RX lcore).
    std::vector<std::pair<uint16_t, uint16_t>> queues(int queue) const {
        std::vector<std::pair<uint16_t, uint16_t>> out;
        for (const auto& p : ports)
            for (uint16_t q = 0; q < p.rx_queues; ++q)
                if (queue < 0 || q == queue) out.emplace_back(p.port, q);
        return out;
    }
};

// The lcores: main, aggregator, RX (software distribution), workers; and how flows reach them.
void plan_layout(Session& s);
// Compiles the start's rule set on a thread of its own (s.compiling), before the EAL starts:
// on a machine whose TSC frequency the EAL cannot read, its start sleeps 100 ms to measure it.
// `vars` must outlive s.
void start_compile(Session& s, const Vars& vars);
// The set loaded at start (generation 1) from start_compile's, reporting what was left out.
void load_rules(Session& s, const Vars& vars);
void create_pool(Session& s);
void setup_workers(Session& s);
// Rings, ports (when not stopped already) and the pool, after every lcore ended.
void teardown(Session& s);
// "pktsieve: N worker(s) on lcores ...; distribution: ..."
std::string layout_text(const Session& s);
LoadOptions load_options(const Options& o, unsigned workers = 1);
// Rules that failed (each) and were skipped (each while few, else by reason), on stderr.
void print_left_out(const ReloadResult& r);
std::vector<unsigned> cpus_of(const cpu_set_t& set);

}  // namespace pktsieve
