#include "dataplane/runtime.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <tuple>

#include "config/control_access.hpp"
#include "config/eal_advice.hpp"
#include "config/pool_size.hpp"
#include "config/replay.hpp"
#include "dataplane/aggregator.hpp"
#include "dataplane/distributor.hpp"
#include "dataplane/exporters.hpp"
#include "dataplane/port.hpp"
#include "dataplane/reloader.hpp"
#include "dataplane/session.hpp"
#include "dataplane/status_line.hpp"
#include "dataplane/telemetry.hpp"
#include "guard/stop.hpp"
#include "match/load.hpp"
#include "output/writable.hpp"
#include "pcap/pcap_count.hpp"
#include "stats/render.hpp"
#include "watch/file_watch.hpp"

namespace pktsieve {

namespace {

// An orderly stop that takes longer than this while starting ends the process (nothing counted
// yet); once the lcores run, they get the running grace to hand in their final totals.
constexpr auto kStartingGrace = std::chrono::milliseconds(900);
constexpr auto kRunningGrace = std::chrono::seconds(10);

std::vector<unsigned> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    return cpus_of(set);
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

void report(const Session& s, const StatsView& v) {
    if (!s.opts.quiet) std::cout << render_table(v) << std::flush;
    if (!s.opts.stats_json.empty()) write_file(s.opts.stats_json, render_json(v));
}

std::vector<std::string> watched_files(const RuleReloader& r) {
    std::vector<RuleError> ignored;
    return expand_rule_files(r.files(), ignored);
}

// SIGHUP, or a rewritten rule file with --watch-rules: reload from the running set's files,
// here on the main lcore.
void reload_when_asked(Session& s, FileWatch* watch) {
    bool asked = reload_requested().exchange(false, std::memory_order_relaxed);
    if (watch) {
        const auto now_ms = rte_get_timer_cycles() / (rte_get_timer_hz() / 1000);
        const auto files = watched_files(*s.reloader);
        if (watch->files() != files) watch->watch(files);
        asked = watch->changed(now_ms) || asked;
    }
    if (!asked) return;
    const ReloadResult r = s.reloader->reload();
    print_left_out(r);
    for (const auto& e : r.errors) std::cerr << "pktsieve: reload: " << e.str() << "\n";
    std::cerr << fmt::format("pktsieve: reload {}: generation {}, {} rules, compiled in {:.3f} s\n",
                             r.ok ? "done" : "rejected, the running set stays", r.generation,
                             r.loaded, r.compile_seconds);
}

int run_dataplane(Session& s, const Vars& vars, StopWatchdog& watchdog) {
    plan_layout(s);
    load_rules(s, vars);
    create_pool(s);
    s.ports = start_ports(s.pool, s.plan);
    setup_workers(s);
    if (!s.opts.quiet) std::cout << layout_text(s) << std::flush;

    std::vector<WorkerContext*> raw;
    for (auto& w : s.workers) raw.push_back(w.get());
    auto enrich = [&s](StatsView& v) {
        v.devices = device_stats(s.ports);
        v.pool = {s.pool->size, rte_mempool_in_use_count(s.pool)};
        v.distribution = s.plan.reason;
        if (s.distributor)
            v.distributors.push_back(
                {s.distributor->lcore, s.distributor->packets.load(std::memory_order_relaxed),
                 s.distributor->ring_full_waits.load(std::memory_order_relaxed)});
    };
    std::unique_ptr<FileWatch> watch;  // before any lcore starts: failing here stops nothing
    if (s.opts.watch_rules) watch = std::make_unique<FileWatch>(watched_files(*s.reloader));
    StatsPublisher& publisher = telemetry_publisher();
    const std::vector<uint32_t> watched = parse_watch_ports(s.opts.metrics_watch_ports);
    ObservationSettings observe{
        sensor_name(s.opts),
        parse_duration_us(s.opts.observation_interval, "--observation-interval"),
        s.opts.observation_ports,
        s.opts.metrics_ports,
        watched,
        &s.packet_clock};
    Exporters exporters(s.opts, watched, publisher);  // --metrics listens now, or refuses to start
    if (!s.opts.quiet && !exporters.where().empty())
        std::cout << exporters.where() << "\n" << std::flush;
    Aggregator agg(*s.reloader, raw, s.opts.eve, publisher, enrich,
                   rte_get_tsc_hz() * s.opts.stats_interval_ms / 1000, stop_requested(),
                   std::move(observe));
    rte_eal_remote_launch(Aggregator::lcore_main, &agg, s.layout.aggregator);
    for (auto* w : raw) rte_eal_remote_launch(worker_main, w, w->lcore);
    if (s.distributor)
        rte_eal_remote_launch(distributor_main, s.distributor.get(), s.distributor->lcore);
    watchdog.mark_running();
    set_telemetry_reloader(s.reloader.get());
    // The main lcore waits, and runs the reloads SIGHUP or --watch-rules ask for (a lcore of
    // its own, so the compile never runs on a worker or the aggregator). Nothing may leave this
    // scope while the lcores run: they use `agg`, the workers and the rule set.
    std::exception_ptr failure;
    StatusLine status(publisher, s.expected_packets, s.opts.status_interval_ms / 1000.0,
                      s.pcap_mode && !s.opts.quiet && s.opts.status_interval_ms > 0);
    while (!agg.finished()) {
        try {
            if (!failure) reload_when_asked(s, watch.get());
            status.update();
        } catch (...) {
            failure = std::current_exception();
            stop_requested().store(true);
        }
        agg.wait_finished(std::chrono::milliseconds(10));
    }
    status.erase();
    rte_eal_mp_wait_lcore();
    set_telemetry_reloader(nullptr);
    if (failure) std::rethrow_exception(failure);

    // Every mbuf must be back once the ports let go of theirs: the final stats say how many
    // are not (0, or a leak).
    stop_ports(s.ports);
    s.ports.clear();
    auto final_view = std::make_shared<StatsView>(*publisher.latest());
    final_view->pool.in_use = rte_mempool_in_use_count(s.pool);
    ++final_view->generation;
    if (final_view->pool.in_use)
        std::cerr << fmt::format("pktsieve: {} mbufs did not return to the pool\n",
                                 final_view->pool.in_use);
    publisher.publish(final_view);
    report(s, *final_view);
    if (agg.failed()) return 1;  // reported by the aggregator lcore
    if (agg.eve_failed()) {
        std::cerr << "pktsieve: writing the EVE log failed\n";
        return 1;
    }
    return 0;
}

std::string read_text(const char* path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The EAL prints its 100-line usage to stdout on any argument it refuses, burying its own one
// reason (logged on stderr): stdout is shut while it parses, and a failure gets one line of
// what to do.
bool init_eal(Argv& argv) {
    std::fflush(stdout);
    const int saved = dup(STDOUT_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0) dup2(null, STDOUT_FILENO);
    const int rc = rte_eal_init(static_cast<int>(argv.ptrs.size() - 1), argv.ptrs.data());
    const int err = rte_errno;
    std::fflush(stdout);
    if (saved >= 0 && null >= 0) dup2(saved, STDOUT_FILENO);
    if (saved >= 0) close(saved);
    if (null >= 0) close(null);
    if (rc >= 0) return true;
    std::cerr << "pktsieve: EAL init failed: " << rte_strerror(err) << "\n";
    const std::vector<std::string> args(argv.store.begin(), argv.store.end());
    const std::string advice = hugepage_advice(args, read_text("/proc/meminfo"));
    if (err != EINVAL && !advice.empty())
        std::cerr << "pktsieve: " << advice << "\n";
    else
        std::cerr << "pktsieve: the EAL refused its options (its reason is above); EAL options go "
                     "before `--`: see DPDK's EAL parameters guide (doc.dpdk.org/guides-22.11/"
                     "linux_gsg/linux_eal_parameters.html); pktsieve's: pktsieve --help\n";
    return false;
}

}  // namespace

int run(const CommandLine& cl) {
    // First: a signal at any moment from here ends the process (an orderly stop with the final
    // totals once the lcores run, the watchdog's exit while starting).
    install_signal_handlers();
    const Options& o = cl.opts;
    Vars vars;
    for (const auto& v : o.vars) vars.set(v);
    if (!o.check_rules.empty())
        return check_rules({o.check_rules}, vars, load_options(o), std::cout);

    // Outputs first: a path that cannot be written is refused now, not at the first alert or
    // at exit with the final totals.
    for (const auto& [name, path, beside] :
         {std::tuple{"--stats-json", o.stats_json, std::string(".tmp")},
          std::tuple{"--eve", o.eve, std::string()}}) {
        if (path.empty()) continue;
        if (const auto why = writable(path, beside); !why.empty()) {
            std::cerr << "pktsieve: cannot write " << name << " " << path << ": " << why << "\n";
            return 1;
        }
    }
    Session s(o);
    CPU_ZERO(&s.start_cpus);
    sched_getaffinity(0, sizeof s.start_cpus, &s.start_cpus);
    std::vector<std::string> eal = live_eal_args(cl.eal);
    for (const auto& f : infinite_replay_files(cl.eal)) {
        const auto c = count_pcap(f);  // one the PMD cannot read, it reports itself
        if (c.error.empty()) s.replays.push_back({f, c.packets, c.max_frame});
    }
    if (!o.pcap.empty()) {
        const auto count = count_pcap(o.pcap);
        if (!count.error.empty() && count.packets == 0) {
            std::cerr << "pktsieve: " << o.pcap << ": " << count.error << "\n";
            return 1;
        }
        const auto link = link_type_of_dlt(count.link_type);
        if (!link) {
            std::cerr << "pktsieve: " << o.pcap << ": link type " << count.link_type << " ("
                      << count.link_name
                      << ") is not supported: Ethernet, Linux cooked (SLL, SLL2) and raw IP are\n";
            return 1;
        }
        if (!o.quiet && *link != LinkType::ethernet)
            std::cerr << "pktsieve: " << o.pcap << ": link type " << link_type_name(*link) << "\n";
        s.link = *link;
        s.pcap_mode = true;
        s.expected_packets = count.packets;
        s.pcap_max_frame = count.max_frame;
        const unsigned workers = o.workers ? o.workers : 1;
        const bool rx = workers > 1 || parse_distribution(o.distribution) == Distribution::software;
        const uint64_t mbufs = pool_mbufs(pcap_receive_path(workers, rx, o.burst), o.mbufs, true);
        eal = pcap_eal_args(cl.eal, o.pcap, workers + 2 + (rx ? 1 : 0), allowed_cpus(),
                            static_cast<long>(getpid()), mbufs);
    }
    register_telemetry();
    StopWatchdog watchdog(kStartingGrace, kRunningGrace);
    if (const auto why = check_lcore_list(eal, allowed_cpus()); !why.empty()) {
        std::cerr << "pktsieve: " << why << "\n";
        return 1;
    }
    Argv argv(eal);
    start_compile(s, vars);
    if (!init_eal(argv)) return 1;
    const std::string runtime_dir = rte_eal_get_runtime_dir();
    watchdog.remove_on_exit(runtime_dir);
    int rc = 1;
    try {
        if (!o.control_group.empty()) open_control_to_group(runtime_dir, o.control_group);
        rc = run_dataplane(s, vars, watchdog);
    } catch (const std::exception& e) {  // before any lcore was launched, or after all ended
        std::cerr << "pktsieve: " << e.what() << "\n";
    }
    set_telemetry_reloader(nullptr);
    teardown(s);
    s.reloader.reset();
    // The EAL leaves its runtime folder (/var/run/dpdk/PREFIX: config, memseg arrays, ~6.5 MB)
    // behind; --in-memory would avoid it but refuses --no-huge (it implies legacy memory).
    rte_eal_cleanup();
    std::error_code ec;
    std::filesystem::remove_all(runtime_dir, ec);
    return rc;
}

}  // namespace pktsieve
