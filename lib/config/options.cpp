#include "config/options.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "config/eal_advice.hpp"
#include "config/lcores.hpp"
#include "config/pool_size.hpp"
#include "metrics/listen.hpp"
#include "metrics/prometheus.hpp"

#include <unistd.h>
#include <algorithm>
#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

namespace po = boost::program_options;

namespace pktsieve {

namespace {

po::options_description describe(Options& o) {
    po::options_description d("pktsieve options (after `--` when EAL options are given)");
    // One option per paragraph reads better than the chained-call layout.
    // clang-format off
    d.add_options()
        ("help,h", po::bool_switch(&o.help), "print this help and exit")
        ("version", po::bool_switch(&o.version), "print the version and exit")
        ("config", po::value(&o.config)->value_name("FILE"),
         "read options from FILE (`name = value` lines, docs/pktsieve.conf.example; the command "
         "line wins); default: /etc/pktsieve/pktsieve.conf when it exists")
        ("rules,r", po::value(&o.rules)->value_name("FILE")->composing(),
         "signature file in Suricata syntax; repeat for several")
        ("pcap", po::value(&o.pcap)->value_name("FILE"),
         "embedded mode: read FILE once through a net_pcap vdev (no NIC, no hugepages) and "
         "exit when it is consumed")
        ("check-rules", po::value(&o.check_rules)->value_name("FILE"),
         "validate FILE (parse and compile), print what it loaded, failed and skipped by reason, "
         "exit 0 when no rule failed, 1 when any did (as suricata -T)")
        ("classification-config", po::value(&o.classification_config)->value_name("FILE"),
         "classtype descriptions and priorities (Suricata's classification.config format); "
         "default: classification.config beside the first rules file, else the built-in table")
        ("watch-rules", po::bool_switch(&o.watch_rules),
         "reload the rules when a rule file is rewritten or replaced (inotify on its directory; "
         "as pktsieve-ctl reload and SIGHUP, a bad file is rejected and the running set stays)")
        ("rule-cache", po::value(&o.rule_cache)->default_value("auto")->value_name("DIR"),
         "keep compiled rule databases in DIR between runs, so a set compiled before loads "
         "without compiling (checked byte for byte, least recently used pruned past 512 MiB); "
         "auto: /var/cache/pktsieve for root, else $XDG_CACHE_HOME/pktsieve or "
         "~/.cache/pktsieve; none: compile every time")
        ("strict", po::bool_switch(&o.strict),
         "any rule that fails or uses an unsupported keyword, protocol or flag rejects the set "
         "(default: the rule is reported, counted and left out, the rest loads)")
        ("stats-json", po::value(&o.stats_json)->value_name("FILE"),
         "write the final stats as JSON to FILE (schema: docs/stats.md)")
        ("eve", po::value(&o.eve)->value_name("FILE"),
         "write one Suricata-EVE JSON line per alert to FILE")
        ("observation-interval",
         po::value(&o.observation_interval)->default_value("1h")->value_name("TIME"),
         "length of each observation record in the EVE log (accesses per port, sources, "
         "attackers, intel): seconds or with a unit, e.g. 15m, 1h, 1d; with a capture file it "
         "follows packet time (docs/eve.md)")
        ("observation-ports", po::value(&o.observation_ports)->default_value(1000)->value_name("N"),
         "ports listed in each observation record, heaviest first (the rest are counted in "
         "ports_not_listed, accesses_not_listed; 0: every port seen, up to 131,072)")
        ("sensor-name", po::value(&o.sensor_name)->value_name("NAME"),
         "the sensor's name in observation records (default: the host name)")
        ("control-group", po::value(&o.control_group)->value_name("GROUP"),
         "members of GROUP may use pktsieve-ctl (the telemetry socket becomes mode 0660, group "
         "GROUP); default: root only")
        ("metrics", po::value(&o.metrics)->value_name("ADDR:PORT"),
         "serve Prometheus metrics at http://ADDR:PORT/metrics (read-only; a port alone listens "
         "on 127.0.0.1; [::]:PORT or 0.0.0.0:PORT for every interface; docs/metrics.md)")
        ("metrics-rules", po::value(&o.metrics_rules)->default_value(50)->value_name("N"),
         "rules exported with their hits and alerts, most hits first")
        ("metrics-rule-min-hits",
         po::value(&o.metrics_rule_min_hits)->default_value(1)->value_name("N"),
         "export a rule only once it has hit N times")
        ("metrics-ports", po::value(&o.metrics_ports)->default_value(20)->value_name("N"),
         "destination ports exported with their accesses (and, apart, their alerts), heaviest "
         "first")
        ("metrics-watch-ports", po::value(&o.metrics_watch_ports)->value_name("LIST"),
         "ports always exported, heavy or not, e.g. 23,2323,9200,53/udp (TCP unless /udp)")
        ("var", po::value(&o.vars)->value_name("NAME=VALUE")->composing(),
         "set a rule variable, e.g. --var HOME_NET=[192.0.2.0/24]; repeatable")
        ("workers", po::value(&o.workers)->default_value(0)->value_name("N"),
         "worker lcores; 0 = pcap mode: 1, with EAL options: every lcore left after main, "
         "aggregator and RX")
        ("worker-lcores", po::value(&o.worker_lcores)->value_name("LIST"),
         "which EAL lcores are workers, e.g. 2-5,7 (default: the lcores left over)")
        ("distribution", po::value(&o.distribution)->default_value("auto")->value_name("MODE"),
         "how flows reach workers: queues (one RX queue per worker, symmetric RSS), software "
         "(an RX lcore hashes each packet's flow to a worker ring), or auto (queues when every "
         "port offers RSS and enough queues, else software)")
        ("tcp-matching", po::value(&o.tcp_matching)->default_value("stream")->value_name("MODE"),
         "stream: scan each TCP flow direction's in-order bytes once (attacks split across "
         "segments are seen; one alert per flow and rule); block: scan each segment alone")
        ("flows", po::value(&o.flows)->default_value(262144)->value_name("N"),
         "TCP flows each worker tracks; memory is reserved at start and becomes resident as "
         "flows use it; when full, the flow queued longest that was not seen again is evicted")
        ("burst", po::value(&o.burst)->default_value(32)->value_name("N"),
         "packets per rx burst (1..512)")
        ("stats-interval-ms", po::value(&o.stats_interval_ms)->default_value(100)->value_name("MS"),
         "how often workers publish counters and the aggregator publishes stats")
        ("mbufs", po::value(&o.mbufs)->default_value(0)->value_name("N"),
         "mbufs in the packet pool, raised to what the queues and rings need (0: 8191 with a "
         "port; with --pcap, only what they need)")
        ("idle-exit-ms", po::value(&o.idle_exit_ms)->default_value(2000)->value_name("MS"),
         "pcap mode: stop after MS without packets even if the file promised more "
         "(a truncated file)")
        ("status-interval-ms",
         po::value(&o.status_interval_ms)->default_value(1000)->value_name("MS"),
         "pcap mode on a terminal: refresh a status line on stderr (packets, %, rate, alerts, "
         "time left) every MS, erased at the end; 0: none (never printed when stderr is not a "
         "terminal, or with --quiet)")
        ("capture-only", po::bool_switch(&o.capture_only),
         "benchmark baseline: workers read and free packets, counting them, and classify "
         "nothing")
        ("quiet,q", po::bool_switch(&o.quiet),
         "print neither the start-up line nor the stats table at exit");
    // clang-format on
    return d;
}

void validate(const Options& o) {
    if (o.help || o.version) return;
    if (o.burst == 0 || o.burst > 512) throw OptionError("--burst must be in 1..512");
    if (o.stats_interval_ms == 0) throw OptionError("--stats-interval-ms must be > 0");
    parse_duration_us(o.observation_interval, "--observation-interval");
    if (o.mbufs != 0 && o.mbufs < 1024) throw OptionError("--mbufs must be 0 or at least 1024");
    if (o.workers > kMaxWorkers)  // also "-1", which the unsigned parse wraps
        throw OptionError(fmt::format(
            "--workers must be in 0..{} (DPDK's {} lcores less main, aggregator and RX; 0: one "
            "per lcore left over, 1 in pcap mode)",
            kMaxWorkers, kMaxLcores));
    parse_distribution(o.distribution);
    if (o.tcp_matching != "stream" && o.tcp_matching != "block")
        throw OptionError("--tcp-matching must be stream or block");
    if (o.flows < 16 || o.flows > (1u << 26)) throw OptionError("--flows must be in 16..67108864");
    if (!o.worker_lcores.empty()) parse_lcore_list(o.worker_lcores);
    try {
        if (!o.metrics.empty()) parse_listen_address(o.metrics);
        parse_watch_ports(o.metrics_watch_ports);
    } catch (const std::invalid_argument& e) {
        throw OptionError(
            fmt::format("--metrics{}: {}", o.metrics.empty() ? "-watch-ports" : "", e.what()));
    }
    if (!o.check_rules.empty()) return;
    if (o.rules.empty()) throw OptionError("--rules FILE is required (see --help)");
}

// EAL options belong before `--`, pktsieve's after it: either on the wrong side would reach a
// parser that prints its usage (the EAL's is 100 lines) or "unrecognised option".
void check_sides(const std::vector<std::string>& eal, const std::vector<std::string>& args,
                 bool has_dashdash, const po::options_description& desc) {
    for (size_t i = 1; i < eal.size(); ++i) {
        const std::string& a = eal[i];
        if (!a.starts_with("--") || is_eal_option(a) || a == "--help" || a == "--version") continue;
        const std::string name = a.substr(2, a.find('=') - 2);
        if (desc.find_nothrow(name, false))
            throw OptionError("'" + a +
                              "' is a pktsieve option: it goes after `--` (EAL options before "
                              "it), e.g. pktsieve -l 0-2 --vdev ... -- --rules FILE");
    }
    for (const auto& a : args) {
        if (!is_eal_option(a)) continue;
        // pktsieve's own short options (-r, -q) share letters with the EAL's.
        const std::string name =
            a.starts_with("--") ? a.substr(2, a.find('=') - 2) : a.substr(0, 2);
        if (desc.find_nothrow(name, false)) continue;
        throw OptionError(
            "'" + a + "' is an EAL option: EAL options go before `--`" +
            (has_dashdash ? "" : " (there is none)") +
            " and pktsieve's after it, e.g. pktsieve -l 0-2 -a 0000:3b:00.0 -- --rules FILE");
    }
}

}  // namespace

uint64_t parse_duration_us(const std::string& text, const char* option) {
    size_t used = 0;
    unsigned long long n = 0;
    try {
        n = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    const std::string unit = text.substr(used);
    const uint64_t scale = unit.empty() || unit == "s" ? 1
                           : unit == "m"               ? 60
                           : unit == "h"               ? 3600
                           : unit == "d"               ? 86400
                                                       : 0;
    if (used == 0 || text[0] == '-' || scale == 0 || n == 0 || n > 366ull * 86400 / scale)
        throw OptionError(fmt::format(
            "{} '{}': give seconds or a number with s, m, h or d (e.g. 15m, 1h), up to 366d",
            option, text));
    return n * scale * 1000000;
}

std::string rule_cache_dir(const std::string& option, unsigned uid, const char* xdg_cache_home,
                           const char* home) {
    if (option == "none") return "";
    if (option != "auto") return option;
    if (uid == 0) return "/var/cache/pktsieve";
    if (xdg_cache_home && *xdg_cache_home == '/') return std::string(xdg_cache_home) + "/pktsieve";
    if (home && *home == '/') return std::string(home) + "/.cache/pktsieve";
    return "";
}

std::string sensor_name(const Options& o) {
    if (!o.sensor_name.empty()) return o.sensor_name;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0 && host[0]) return host;
    return "sensor";
}

CommandLine parse_command_line(int argc, const char* const* argv,
                               const std::string& default_config) {
    CommandLine cl;
    std::vector<std::string> args(argv + 1, argv + argc);
    cl.eal.push_back(argc > 0 ? argv[0] : "pktsieve");
    auto dashdash = std::find(args.begin(), args.end(), "--");
    if (dashdash != args.end()) {
        cl.eal.insert(cl.eal.end(), args.begin(), dashdash);
        args.erase(args.begin(), dashdash + 1);
    }
    auto desc = describe(cl.opts);
    check_sides(cl.eal, args, dashdash != args.end() || cl.eal.size() > 1, desc);
    po::variables_map vm;
    try {
        const auto given = po::command_line_parser(args).options(desc).run();
        po::store(given, vm);
        std::string config;
        if (vm.count("config"))
            config = vm["config"].as<std::string>();
        else if (!default_config.empty() && std::filesystem::exists(default_config))
            config = default_config;
        if (!config.empty()) {
            std::ifstream in(config);
            if (!in) throw OptionError("cannot open config file '" + config + "'");
            cl.opts.config = config;
            auto from_file = po::parse_config_file(in, desc);
            // The command line wins, lists too: store() would append the file's --rules.
            std::erase_if(from_file.options, [&](const po::option& f) {
                return std::any_of(
                    given.options.begin(), given.options.end(),
                    [&](const po::option& g) { return g.string_key == f.string_key; });
            });
            po::store(from_file, vm);
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw OptionError(e.what());
    }
    validate(cl.opts);
    return cl;
}

std::string help_text() {
    Options o;
    std::ostringstream s;
    s << "usage: pktsieve --pcap FILE --rules FILE [options]\n"
         "       pktsieve [EAL options] -- --rules FILE [options]\n"
         "       pktsieve --check-rules FILE\n\n"
      << describe(o);
    return s.str();
}

namespace {
bool given(const std::vector<std::string>& eal, std::initializer_list<std::string_view> names) {
    return std::any_of(eal.begin() + 1, eal.end(), [&](const std::string& a) {
        for (auto n : names)
            if (a == n || a.rfind(std::string(n) + "=", 0) == 0) return true;
        return false;
    });
}
}  // namespace

std::vector<std::string> live_eal_args(const std::vector<std::string>& user_eal) {
    std::vector<std::string> out = user_eal;
    if (!given(user_eal, {"--file-prefix", "--in-memory"})) out.push_back("--file-prefix=pktsieve");
    return out;
}

std::vector<std::string> pcap_eal_args(const std::vector<std::string>& user_eal,
                                       const std::string& pcap, unsigned lcores,
                                       const std::vector<unsigned>& cpus, long pid,
                                       uint64_t mbufs) {
    auto given = [&](std::initializer_list<std::string_view> names) {
        return pktsieve::given(user_eal, names);
    };
    std::vector<std::string> out = user_eal;
    if (!given({"--no-huge", "--huge-dir", "-m", "--socket-mem"})) {
        out.insert(out.end(), {"--no-huge", "-m", std::to_string(pcap_memory_mib(mbufs, lcores))});
    }
    if (!given({"--file-prefix", "--in-memory"}))
        out.push_back("--file-prefix=pktsieve-" + std::to_string(pid));
    if (!given({"-l", "--lcores", "-c"})) {
        std::string map;
        for (unsigned i = 0; i < lcores; ++i)
            map += (i ? "," : "") + std::to_string(i) + "@" + std::to_string(cpus[i % cpus.size()]);
        out.push_back("--lcores=" + map);
    }
    if (!given({"-a", "--allow", "-b", "--block", "--no-pci"})) out.push_back("--no-pci");
    // Quiet by default: EAL start-up chatter is noise in embedded mode.
    if (!given({"--log-level"}))
        out.insert(out.end(), {"--log-level=lib.telemetry:error", "--log-level=*:warning"});
    out.push_back("--vdev=net_pcap0,rx_pcap=" + pcap);
    return out;
}

}  // namespace pktsieve
