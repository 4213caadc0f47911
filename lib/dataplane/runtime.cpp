#include "dataplane/runtime.hpp"

#include <fmt/format.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "dataplane/aggregator.hpp"
#include "dataplane/port.hpp"
#include "match/load.hpp"
#include "pcap/pcap_count.hpp"
#include "stats/render.hpp"

namespace pktsieve {

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop.store(true, std::memory_order_relaxed);
}

std::vector<unsigned> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<unsigned> out;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (unsigned c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) out.push_back(c);
    if (out.empty()) out.push_back(0);
    return out;
}

// rte_eal_init wants mutable argv that outlives it.
struct Argv {
    std::vector<std::string> store;
    std::vector<char*> ptrs;
    explicit Argv(std::vector<std::string> a) : store(std::move(a)) {
        for (auto& s : store) ptrs.push_back(s.data());
        ptrs.push_back(nullptr);
    }
};

void write_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary);
        out << text;
        if (!out) throw std::runtime_error("cannot write '" + tmp + "'");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
}

struct Session {
    const Options& opts;
    std::unique_ptr<Ruleset> rules;
    uint64_t expected_packets = 0;
    rte_mempool* pool = nullptr;
    std::vector<PortSetup> ports;
    std::vector<std::unique_ptr<WorkerContext>> workers;
};

void setup_workers(Session& s) {
    const unsigned lcore = rte_get_next_lcore(-1, 1, 0);
    if (lcore >= RTE_MAX_LCORE)
        throw std::runtime_error("no worker lcore: give at least two lcores (main + worker)");
    auto w = std::make_unique<WorkerContext>();
    w->index = 0;
    w->lcore = lcore;
    w->rules = s.rules.get();
    for (const auto& p : s.ports) w->queues.emplace_back(p.port, 0);
    w->burst = static_cast<uint16_t>(s.opts.burst);
    w->flush_cycles = rte_get_tsc_hz() * s.opts.stats_interval_ms / 1000;
    w->limits.expected_packets = s.expected_packets;
    w->limits.idle_exit_cycles = rte_get_tsc_hz() * s.opts.idle_exit_ms / 1000;
    w->stop = &g_stop;
    w->stats = WorkerStats(s.rules->rules().size());
    w->ts_offset = s.ports.front().ts_offset;
    w->ts_flag = s.ports.front().ts_flag;
    init_worker_rings(*w, 16384);
    s.workers.push_back(std::move(w));
}

void report(const Session& s, const Aggregator& agg, double elapsed) {
    auto base = agg.view();
    StatsView v = *base;
    v.devices = device_stats(s.ports);
    v.elapsed_s = elapsed;
    if (!s.opts.quiet) std::cout << render_table(v) << std::flush;
    if (!s.opts.stats_json.empty()) write_file(s.opts.stats_json, render_json(v));
}

int run_dataplane(Session& s) {
    s.pool = rte_pktmbuf_pool_create("pktsieve_mbufs", s.opts.mbufs, 256, 0,
                                     RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
    if (!s.pool) throw std::runtime_error(std::string("mbuf pool: ") + rte_strerror(rte_errno));
    s.ports = start_ports(s.pool, 1);
    setup_workers(s);
    std::vector<WorkerContext*> raw;
    for (auto& w : s.workers) raw.push_back(w.get());
    Aggregator agg(*s.rules, raw, s.opts.eve);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const uint64_t t0 = rte_rdtsc();
    for (auto* w : raw) rte_eal_remote_launch(worker_main, w, w->lcore);
    agg.run_until_workers_done(nullptr);
    rte_eal_mp_wait_lcore();
    const double elapsed = static_cast<double>(rte_rdtsc() - t0) / rte_get_tsc_hz();
    report(s, agg, elapsed);
    stop_ports(s.ports);
    for (auto* w : raw) free_worker_rings(*w);
    if (agg.eve_failed()) {
        std::cerr << "pktsieve: writing the EVE log failed\n";
        return 1;
    }
    return 0;
}

}  // namespace

int run(const CommandLine& cl) {
    const Options& o = cl.opts;
    Vars vars;
    for (const auto& v : o.vars) vars.set(v);
    if (!o.check_rules.empty()) return check_rules(o.check_rules, vars, std::cout);

    Session s{o, nullptr, 0, nullptr, {}, {}};
    auto load = load_ruleset(o.rules, vars, 1);
    if (!load.ruleset) {
        for (const auto& e : load.errors) std::cerr << e.str() << "\n";
        return 1;
    }
    s.rules = std::move(load.ruleset);

    std::vector<std::string> eal = cl.eal;
    if (!o.pcap.empty()) {
        const auto count = count_pcap(o.pcap);
        if (!count.error.empty() && count.packets == 0) {
            std::cerr << "pktsieve: " << o.pcap << ": " << count.error << "\n";
            return 1;
        }
        s.expected_packets = count.packets;
        eal = pcap_eal_args(cl.eal, o.pcap, 2, allowed_cpus(), static_cast<long>(getpid()));
    }
    Argv argv(eal);
    if (rte_eal_init(static_cast<int>(argv.ptrs.size() - 1), argv.ptrs.data()) < 0) {
        std::cerr << "pktsieve: EAL init failed: " << rte_strerror(rte_errno) << "\n";
        return 1;
    }
    int rc = 1;
    try {
        rc = run_dataplane(s);
    } catch (const std::exception& e) {
        std::cerr << "pktsieve: " << e.what() << "\n";
        rte_eal_mp_wait_lcore();
    }
    s.rules.reset();
    rte_eal_cleanup();
    return rc;
}

}  // namespace pktsieve
