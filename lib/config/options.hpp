// Command line and config file of the pktsieve daemon (Boost.Program_options), kept out of main
// so it is tested. DPDK convention: `pktsieve [EAL options] -- [pktsieve options]`; with no
// `--`, every argument is a pktsieve option (the embedded `--pcap FILE` default).
// Thread-safety: pure functions; parse once at start-up.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace pktsieve {

class OptionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Options {
    std::vector<std::string> rules;
    std::string pcap;
    std::string check_rules;
    std::string classification_config;  // empty: beside the first rules file, else built-in
    std::string rule_cache = "auto";    // --rule-cache: a directory, auto or none
    std::string stats_json;
    std::string eve;
    std::string observation_interval = "1h";  // as given; parse_duration_us() reads it
    std::string sensor_name;                  // empty: the host name
    unsigned observation_ports = 1000;        // ports listed per record, heaviest first
    std::string config;                       // empty: kDefaultConfig when it exists
    std::string control_group;                // may use pktsieve-ctl besides root; empty: root only
    std::string metrics;                      // --metrics ADDR:PORT; empty: no HTTP server
    unsigned metrics_rules = 50;              // rule series, most hits first
    uint64_t metrics_rule_min_hits = 1;
    unsigned metrics_ports = 20;      // port series, most accesses or alerts first
    std::string metrics_watch_ports;  // always exported, e.g. "23,9200,53/udp"
    std::vector<std::string> vars;
    unsigned burst = 32;
    unsigned stats_interval_ms = 100;
    unsigned mbufs = 0;  // 0: config/pool_size.hpp's mbufs_floor
    unsigned idle_exit_ms = 2000;
    unsigned status_interval_ms = 1000;  // the --pcap status line on a terminal; 0: none
    unsigned workers = 0;                // 0: pcap mode 1, otherwise every lcore left over
    std::string worker_lcores;           // e.g. "2-5"; empty: the lcores left over
    std::string distribution = "auto";
    std::string tcp_matching = "stream";
    unsigned flows = 262144;  // per worker
    bool quiet = false;
    bool strict = false;       // a rule using something unsupported rejects its file
    bool watch_rules = false;  // reload when a rule file is rewritten (inotify)
    bool capture_only = false;
    bool help = false;
    bool version = false;
};

struct CommandLine {
    std::vector<std::string> eal;  // argv[0] first, then the EAL part (may be just argv[0])
    Options opts;
};

// A duration: a number of seconds, or a number with a unit (s, m, h, d), e.g. "15m", "1h".
// Throws OptionError unless it is whole seconds in 1 s .. 366 d.
uint64_t parse_duration_us(const std::string& text, const char* option);
// --rule-cache's directory ("" for none): auto is /var/cache/pktsieve for root, else
// $XDG_CACHE_HOME/pktsieve or $HOME/.cache/pktsieve (XDG base directories: absolute only).
std::string rule_cache_dir(const std::string& option, unsigned uid, const char* xdg_cache_home,
                           const char* home);
// --sensor-name, else the host name (else "sensor").
std::string sensor_name(const Options& o);

// Read when --config is not given and it exists (a service's options; `--config /dev/null`
// reads none).
inline constexpr const char* kDefaultConfig = "/etc/pktsieve/pktsieve.conf";

// Throws OptionError with a message for the user. Options given on the command line win over
// the config file's, list options (--rules, --var) included: the file's list is then ignored.
CommandLine parse_command_line(int argc, const char* const* argv,
                               const std::string& default_config = kDefaultConfig);
std::string help_text();

// EAL arguments with EAL options given: adds `--file-prefix=pktsieve` unless the user chose a
// prefix (or --in-memory), so pktsieve-ctl finds the daemon.
std::vector<std::string> live_eal_args(const std::vector<std::string>& user_eal);

// EAL arguments for `--pcap` mode: each default applies only where the user gave no EAL option
// of that kind. `cpus` are the CPUs this process may run on; lcore i runs on cpus[i % size];
// `mbufs`: the pool the run will create (config/pool_size.hpp), which sets -m (not a fixed
// 512 MiB: the EAL writes a 48-byte descriptor per 4 KiB page of it at start-up).
std::vector<std::string> pcap_eal_args(const std::vector<std::string>& user_eal,
                                       const std::string& pcap, unsigned lcores,
                                       const std::vector<unsigned>& cpus, long pid, uint64_t mbufs);

}  // namespace pktsieve
