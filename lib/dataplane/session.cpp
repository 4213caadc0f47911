#include "dataplane/session.hpp"

#include "config/pool_size.hpp"

#include <fmt/format.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace pktsieve {

namespace {
constexpr unsigned kAlertRingSize = 16384;
}  // namespace

std::vector<unsigned> cpus_of(const cpu_set_t& set) {
    std::vector<unsigned> out;
    for (unsigned c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) out.push_back(c);
    if (out.empty()) out.push_back(0);
    return out;
}

void plan_layout(Session& s) {
    std::vector<unsigned> enabled{rte_get_main_lcore()};
    unsigned lcore = 0;
    RTE_LCORE_FOREACH_WORKER(lcore) enabled.push_back(lcore);
    const auto chosen = s.opts.worker_lcores.empty() ? std::vector<unsigned>{}
                                                     : parse_lcore_list(s.opts.worker_lcores);
    unsigned wanted = s.opts.workers ? s.opts.workers : s.pcap_mode ? 1 : 0;
    if (!chosen.empty()) wanted = static_cast<unsigned>(chosen.size());
    const unsigned tentative =
        wanted ? wanted : static_cast<unsigned>(std::max<size_t>(enabled.size(), 3) - 2);
    // Whether an RX lcore is needed depends on the worker count, which depends on whether an RX
    // lcore takes one: decide for the count before it, then again for the workers we got.
    const auto caps = port_caps();
    const auto requested = parse_distribution(s.opts.distribution);
    const auto first = decide_distribution(requested, tentative, caps);
    try {
        s.layout = plan_lcores(enabled, first.mode == Distribution::software, chosen, wanted);
    } catch (const OptionError& e) {
        const unsigned needed = first.mode == Distribution::software ? 4 : 3;
        if (enabled.size() >= needed) throw;
        // The process's CPUs from before the EAL pinned this thread.
        throw OptionError(fmt::format("{}: lcores may share CPUs, e.g. {} (-l gives one per CPU)",
                                      e.what(), lcores_map(needed, cpus_of(s.start_cpus))));
    }
    const unsigned workers = static_cast<unsigned>(s.layout.workers.size());
    s.plan = decide_distribution(first.mode, workers, caps);
    if (requested != first.mode) {
        const auto again = decide_distribution(requested, workers, caps);
        s.plan.reason = again.mode == s.plan.mode ? again.reason : first.reason;
    }
}

void create_pool(Session& s) {
    const size_t lcores = s.layout.workers.size() + 3;
    size_t queues = 0;
    for (uint16_t q : s.plan.rx_queues) queues += q;
    const bool rings = s.plan.mode == Distribution::software;
    const uint64_t workers = s.layout.workers.size();
    const uint64_t needed = mbufs_needed(
        s.pcap_mode ? pcap_receive_path(workers, rings, s.opts.burst)
                    : ReceivePath{queues, kRxDescriptors, workers, rings ? kWorkerRingSize : 0u,
                                  s.opts.burst, lcores, kPoolCache});
    const uint16_t room =
        s.pcap_mode
            ? pcap_data_room(s.pcap_max_frame, RTE_PKTMBUF_HEADROOM, RTE_MBUF_DEFAULT_BUF_SIZE)
            : replay_data_room(queues, s.replays, RTE_PKTMBUF_HEADROOM, RTE_MBUF_DEFAULT_BUF_SIZE);
    const MbufSizing size = size_mbufs(needed, mbufs_floor(s.opts.mbufs, s.pcap_mode), s.replays,
                                       room, RTE_PKTMBUF_HEADROOM);
    if (!size.error.empty()) throw std::runtime_error(size.error);
    s.pool = rte_pktmbuf_pool_create("pktsieve_mbufs", size.count, kPoolCache, 0, size.data_room,
                                     static_cast<int>(rte_socket_id()));
    if (!s.pool) {
        const double mib =
            static_cast<double>(size.count) * (size.data_room + sizeof(rte_mbuf) + 64) / (1 << 20);
        throw std::runtime_error(fmt::format(
            "mbuf pool of {} mbufs of {} bytes (~{:.0f} MiB{}): {}{}", size.count, size.data_room,
            mib, s.replays.empty() ? "" : ", infinite_rx files included", rte_strerror(rte_errno),
            rte_errno == ENOMEM ? "; give the EAL more memory (-m MiB with --no-huge, else "
                                  "more hugepages or --socket-mem)"
                                : ""));
    }
}

void setup_workers(Session& s) {
    const bool software = s.plan.mode == Distribution::software;
    if (software) {
        s.distributor = std::make_unique<DistributorContext>();
        s.distributor->lcore = *s.layout.rx;
        s.distributor->source.queues = s.queues(-1);
        s.distributor->source.limits = s.limits();
        s.distributor->burst = static_cast<uint16_t>(s.opts.burst);
        s.distributor->stop_all = &stop_requested();
    }
    for (unsigned i = 0; i < s.layout.workers.size(); ++i) {
        auto w = std::make_unique<WorkerContext>();
        w->index = i;
        w->lcore = s.layout.workers[i];
        w->rules = &s.reloader->current_rules();
        w->qsbr = s.reloader->qsbr();
        if (software) {
            const int socket = static_cast<int>(rte_lcore_to_socket_id(w->lcore));
            w->source.ring = rte_ring_create(fmt::format("dist_{}", i).c_str(), kWorkerRingSize,
                                             socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
            if (!w->source.ring) throw std::runtime_error("cannot create distributor ring");
            w->source.upstream_done = &s.distributor->done;
            s.distributor->rings.push_back(w->source.ring);
            s.distributor->receivers_done.push_back(&w->done);
        } else {
            w->source.queues = s.queues(static_cast<int>(i));
            w->source.limits = s.limits();
        }
        w->burst = static_cast<uint16_t>(s.opts.burst);
        w->flush_cycles = rte_get_tsc_hz() * s.opts.stats_interval_ms / 1000;
        w->flows.capacity = s.opts.flows;
        w->capture_only = s.opts.capture_only;
        w->link = s.link;
        w->stop_all = &stop_requested();
        const uint32_t slots = s.reloader->current()->slot_count();
        w->stats = WorkerStats(slots);
        w->stats.rules.reserve(std::max<size_t>(size_t{slots} * 2, 1024));  // room for reloads
        w->ts_offset = s.ports.front().ts_offset;
        w->ts_flag = s.ports.front().ts_flag;
        w->ts_unit = s.ports.front().ts_unit;
        w->observation_interval_us =
            parse_duration_us(s.opts.observation_interval, "--observation-interval");
        // Packets that carry their capture time (the pcap PMD's) set the intervals' time.
        w->packet_time = w->ts_unit != TimestampUnit::unknown;
        w->packet_clock = &s.packet_clock;
        init_worker_rings(*w, kAlertRingSize);
        s.workers.push_back(std::move(w));
    }
}

void teardown(Session& s) {
    for (auto& w : s.workers) {
        free_worker_rings(*w);
        rte_ring_free(w->source.ring);
    }
    stop_ports(s.ports);
    rte_mempool_free(s.pool);
}

LoadOptions load_options(const Options& o, unsigned workers) {
    LoadOptions l;
    l.workers = workers;
    l.tcp = o.tcp_matching == "block" ? TcpMatching::block : TcpMatching::stream;
    l.strict = o.strict;
    l.classification_file = o.classification_config;
    l.rule_cache = rule_cache_dir(o.rule_cache, ::geteuid(), std::getenv("XDG_CACHE_HOME"),
                                  std::getenv("HOME"));
    return l;
}

std::string layout_text(const Session& s) {
    std::string workers;
    for (unsigned l : s.layout.workers) workers += (workers.empty() ? "" : ",") + std::to_string(l);
    return fmt::format(
        "pktsieve: {} worker(s) on lcores {}; aggregator lcore {}; {}main lcore {}; "
        "distribution: {}\n",
        s.layout.workers.size(), workers, s.layout.aggregator,
        s.layout.rx ? fmt::format("rx lcore {}; ", *s.layout.rx) : "", s.layout.main,
        s.plan.reason);
}

// Every failed rule is named; skipped ones too while few, else counted by reason (a full ET Open
// set skips thousands: `--check-rules` lists each).
void print_left_out(const ReloadResult& r) {
    constexpr size_t kListed = 20;
    for (const auto& e : r.failed) std::cerr << "pktsieve: failed " << e.str() << "\n";
    if (r.skipped.size() <= kListed)
        for (const auto& e : r.skipped) std::cerr << "pktsieve: skipped " << e.str() << "\n";
    else
        for (const auto& [reason, n] : count_reasons(r.skipped))
            std::cerr << fmt::format("pktsieve: skipped {:>5} rules: {}\n", n, reason);
    if (!r.failed.empty() || !r.skipped.empty())
        std::cerr << fmt::format("pktsieve: {} rules loaded, {} failed, {} skipped\n", r.loaded,
                                 r.failed.size(), r.skipped.size());
}

// The set loaded at start compiles on every CPU the process was given: its thread (whose
// affinity the compile's threads inherit) starts before the EAL pins the main thread to one,
// and no worker runs yet. Reloads later compile on the control-plane CPU only, leaving the
// workers' CPUs alone.
void start_compile(Session& s, const Vars& vars) {
    s.compiling = std::async(std::launch::async, [&s, &vars] {
        return compile_set(s.opts.rules, vars, load_options(s.opts, 0));
    });
}

void load_rules(Session& s, const Vars& vars) {
    s.reloader = std::make_unique<RuleReloader>(
        s.opts.rules, vars, load_options(s.opts, static_cast<unsigned>(s.layout.workers.size())));
    const ReloadResult r = s.reloader->load_initial(s.compiling.get());
    print_left_out(r);
    if (!r.cache_problem.empty())
        std::cerr << "pktsieve: warning: rule cache not used: " << r.cache_problem << "\n";
    if (r.loaded == 0) std::cerr << "pktsieve: warning: no rules loaded: nothing will alert\n";
}

// The running set's rule files, a directory's *.rules each (a file added to it is loaded by the
// next reload, not watched).
}  // namespace pktsieve
