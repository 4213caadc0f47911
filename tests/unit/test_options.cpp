#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "config/options.hpp"
#include "config/pool_size.hpp"

using namespace pktsieve;

namespace {
// With no default config file: what this machine's /etc holds must not change the tests.
CommandLine parse(std::vector<const char*> args, const std::string& default_config = "") {
    args.insert(args.begin(), "pktsieve");
    return parse_command_line(static_cast<int>(args.size()), args.data(), default_config);
}
std::string temp_file(const std::string& text) {
    char path[] = "/tmp/pktsieve-config-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path) << text;
    return path;
}
bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_CASE("options without -- are all pktsieve options", "[options]") {
    const auto cl = parse({"--pcap", "x.pcap", "--rules", "a.rules", "-r", "b.rules", "--var",
                           "HOME_NET=1.2.3.4", "--burst", "64"});
    CHECK(cl.eal == std::vector<std::string>{"pktsieve"});
    CHECK(cl.opts.pcap == "x.pcap");
    CHECK(cl.opts.rules == std::vector<std::string>{"a.rules", "b.rules"});
    CHECK(cl.opts.vars == std::vector<std::string>{"HOME_NET=1.2.3.4"});
    CHECK(cl.opts.burst == 64);
    CHECK(cl.opts.stats_interval_ms == 100);
}

TEST_CASE("EAL options come before --", "[options]") {
    const auto cl = parse({"-l", "0-2", "--vdev", "net_null0", "--", "--rules", "r"});
    CHECK(cl.eal == std::vector<std::string>{"pktsieve", "-l", "0-2", "--vdev", "net_null0"});
    CHECK(cl.opts.rules == std::vector<std::string>{"r"});
}

TEST_CASE("bad options are reported", "[options]") {
    CHECK_THROWS_WITH(parse({"--pcap", "x"}), Catch::Contains("--rules FILE is required"));
    CHECK_THROWS_WITH(parse({"--rules", "r", "--burst", "0"}), Catch::Contains("--burst"));
    CHECK_THROWS_AS(parse({"--rules", "r", "--frobnicate"}), OptionError);
    CHECK_THROWS_AS(parse({"--rules", "r", "--burst", "many"}), OptionError);
    CHECK_NOTHROW(parse({"--check-rules", "r"}));
    CHECK_NOTHROW(parse({"--help"}));
}

TEST_CASE("help lists every option with its default", "[options]") {
    const auto h = help_text();
    for (auto opt : {"--pcap", "--rules", "--check-rules", "--stats-json", "--eve", "--var",
                     "--burst", "--stats-interval-ms", "--config", "--mbufs", "--idle-exit-ms"})
        CHECK_THAT(h, Catch::Contains(opt));
    CHECK_THAT(h, Catch::Contains("(=32)"));
    CHECK_THAT(h, Catch::Contains("(=100)"));
}

TEST_CASE("pcap mode fills in EAL defaults the user did not give", "[options]") {
    const auto a = pcap_eal_args({"pktsieve"}, "t.pcap", 3, {4, 5}, 77, 2592);
    CHECK(has(a, "--no-huge"));
    // EAL memory for the pool the run will create: a 4 KiB page per mbuf, rings, spare.
    CHECK(has(a, "-m"));
    CHECK(has(a, std::to_string(pcap_memory_mib(2592, 3))));
    CHECK(pcap_memory_mib(2592, 3) == 10 + 3 + 64);
    CHECK(pcap_memory_mib(13696, 11) == 53 + 11 + 64);  // 8 workers: 64 MiB measured enough
    CHECK(pcap_memory_mib(100000, 3) == 390 + 3 + 64);  // 400 measured enough, 356 not
    CHECK(has(pcap_eal_args({"pktsieve"}, "t.pcap", 3, {0}, 1, 100000), "457"));
    CHECK(has(a, "--file-prefix=pktsieve-77"));
    CHECK(has(a, "--lcores=0@4,1@5,2@4"));
    CHECK(has(a, "--vdev=net_pcap0,rx_pcap=t.pcap"));
    CHECK(has(a, "--no-pci"));
    const auto b =
        pcap_eal_args({"pktsieve", "--file-prefix=mine", "-l", "0,1"}, "t.pcap", 2, {0}, 1, 2592);
    CHECK(has(b, "--file-prefix=mine"));
    CHECK_FALSE(has(b, "--file-prefix=pktsieve-1"));
    CHECK(std::none_of(b.begin(), b.end(), [](auto& s) { return s.rfind("--lcores", 0) == 0; }));
}

#include "config/lcores.hpp"

TEST_CASE("lcore lists and distribution names", "[options][lcores]") {
    CHECK(parse_lcore_list("2-4,7,3") == std::vector<unsigned>{2, 3, 4, 7});
    CHECK_THROWS_AS(parse_lcore_list("4-2"), OptionError);
    CHECK_THROWS_AS(parse_lcore_list("a"), OptionError);
    CHECK_THROWS_AS(parse_lcore_list(""), OptionError);
    CHECK(parse_distribution("software") == Distribution::software);
    CHECK_THROWS_AS(parse_distribution("magic"), OptionError);
    CHECK_THROWS_WITH(parse({"--rules", "r", "--distribution", "x"}),
                      Catch::Contains("--distribution"));
}

TEST_CASE("lcore layout: main, aggregator, RX, workers", "[options][lcores]") {
    auto l = plan_lcores({0, 1, 2, 3, 4}, false, {}, 0);
    CHECK(l.main == 0);
    CHECK(l.aggregator == 1);
    CHECK_FALSE(l.rx);
    CHECK(l.workers == std::vector<unsigned>{2, 3, 4});
    l = plan_lcores({0, 1, 2, 3, 4}, true, {}, 2);
    CHECK(l.rx == 2u);
    CHECK(l.workers == std::vector<unsigned>{3, 4});
    l = plan_lcores({0, 1, 2, 3, 4}, true, {4, 2}, 0);
    CHECK(l.aggregator == 1);
    CHECK(l.rx == 3u);
    CHECK(l.workers == std::vector<unsigned>{4, 2});
    CHECK_THROWS_WITH(plan_lcores({0, 1}, false, {}, 0), Catch::Contains("need at least 3 lcores"));
    CHECK_THROWS_WITH(plan_lcores({0, 1, 2}, true, {}, 0),
                      Catch::Contains("need at least 4 lcores"));
    CHECK_THROWS_WITH(plan_lcores({0, 1, 2}, false, {5}, 0), Catch::Contains("not enabled"));
    CHECK_THROWS_WITH(plan_lcores({0, 1, 2, 3}, true, {}, 2),
                      "2 workers need 5 lcores (main, aggregator, RX, 2 workers); the EAL has 4");
    CHECK_THROWS_WITH(plan_lcores({0, 1, 2}, false, {0}, 0), Catch::Contains("main lcore"));
}

#include "config/distribution.hpp"

TEST_CASE("distribution: queues where ports spread flows, else software",
          "[options][distribution]") {
    const PortCaps nic{"nic0", 64, true, false}, pcap{"net_pcap0", 1, false, false},
        afp{"net_af_packet0", 2, false, true}, norss{"plain0", 8, false, false};
    auto d = decide_distribution(Distribution::automatic, 4, {nic});
    CHECK(d.mode == Distribution::queues);
    CHECK(d.rx_queues == std::vector<uint16_t>{4});
    d = decide_distribution(Distribution::automatic, 1, {pcap});
    CHECK(d.mode == Distribution::queues);
    CHECK(d.rx_queues == std::vector<uint16_t>{1});
    d = decide_distribution(Distribution::automatic, 2, {pcap});
    CHECK(d.mode == Distribution::software);
    CHECK(d.rx_queues == std::vector<uint16_t>{1});
    CHECK_THAT(d.reason, Catch::Contains("net_pcap0 has 1 RX queue(s) for 2 workers"));
    d = decide_distribution(Distribution::automatic, 2, {nic, norss});
    CHECK(d.mode == Distribution::software);
    CHECK_THAT(d.reason, Catch::Contains("plain0 offers no RSS"));
    d = decide_distribution(Distribution::automatic, 2, {afp});
    CHECK(d.mode == Distribution::queues);
    // Software on af_packet polls every fanout queue, or its packets would be lost.
    d = decide_distribution(Distribution::automatic, 3, {afp});
    CHECK(d.mode == Distribution::software);
    CHECK(d.rx_queues == std::vector<uint16_t>{2});
    d = decide_distribution(Distribution::software, 4, {nic});
    CHECK(d.mode == Distribution::software);
    CHECK(d.rx_queues == std::vector<uint16_t>{1});
    CHECK_THROWS_WITH(decide_distribution(Distribution::queues, 2, {pcap}),
                      Catch::Contains("--distribution queues: net_pcap0 has 1 RX queue(s)"));
    d = decide_distribution(Distribution::queues, 2, {norss});
    CHECK(d.mode == Distribution::queues);
    CHECK(d.rx_queues == std::vector<uint16_t>{2});
    CHECK_THAT(d.reason, Catch::StartsWith("queues (forced): plain0 offers no RSS"));
    CHECK_THROWS_AS(decide_distribution(Distribution::automatic, 1, {}), OptionError);
}

TEST_CASE("--config file supplies options; the command line wins", "[options]") {
    char path[] = "/tmp/pktsieve-config-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    {
        std::ofstream f(path);
        f << "# sensor defaults\nrules = from-config.rules\nburst = 64\nvar = "
             "HOME_NET=192.0.2.0/24\n"
             "stats-interval-ms = 250\n";
    }
    const auto cl = parse({"--config", path, "--burst", "16"});
    CHECK(cl.opts.rules == std::vector<std::string>{"from-config.rules"});
    CHECK(cl.opts.burst == 16);
    CHECK(cl.opts.stats_interval_ms == 250);
    CHECK(cl.opts.vars == std::vector<std::string>{"HOME_NET=192.0.2.0/24"});
    std::remove(path);
    CHECK_THROWS_WITH(parse({"--config", "/nonexistent.conf"}),
                      Catch::Contains("cannot open config file"));
}

TEST_CASE("the default config file is read when it exists; lists on the command line win",
          "[options]") {
    const std::string conf = temp_file(
        "rules = /etc/pktsieve/et.rules\nrules = /etc/pktsieve/local.rules\n"
        "eve = /var/log/pktsieve/eve.json\nmetrics = 9469\nmetrics-watch-ports = 23,53/udp\n");
    const auto from_file = parse({}, conf);
    CHECK(from_file.opts.config == conf);
    CHECK(from_file.opts.rules.size() == 2);
    CHECK(from_file.opts.eve == "/var/log/pktsieve/eve.json");
    CHECK(from_file.opts.metrics == "9469");
    // --rules given: the file's two are not added to it (Boost would compose them).
    const auto mine = parse({"--pcap", "x.pcap", "--rules", "mine.rules"}, conf);
    CHECK(mine.opts.rules == std::vector<std::string>{"mine.rules"});
    CHECK(mine.opts.eve == "/var/log/pktsieve/eve.json");
    // --config names another file: the default is not read.
    const std::string other = temp_file("rules = other.rules\n");
    CHECK(parse({"--config", other.c_str()}, conf).opts.rules ==
          std::vector<std::string>{"other.rules"});
    CHECK(parse({"--config", "/dev/null", "--rules", "r"}, conf).opts.eve.empty());
    // No file there: nothing read.
    CHECK(parse({"--rules", "r"}, "/nonexistent/pktsieve.conf").opts.config.empty());
    std::remove(conf.c_str());
    std::remove(other.c_str());
}

TEST_CASE("metrics options: listen address, bounds, watched ports", "[options][metrics]") {
    const auto cl = parse({"--rules", "r", "--metrics", "9469", "--metrics-watch-ports",
                           "23,2323,53/udp", "--metrics-rules", "5"});
    CHECK(cl.opts.metrics == "9469");
    CHECK(cl.opts.metrics_rules == 5);
    CHECK(cl.opts.metrics_ports == 20);
    CHECK(cl.opts.metrics_rule_min_hits == 1);
    CHECK_THROWS_WITH(parse({"--rules", "r", "--metrics", "99999"}),
                      Catch::Contains("--metrics: '99999' is not PORT"));
    CHECK_THROWS_WITH(parse({"--rules", "r", "--metrics", "::1:9469"}),
                      Catch::Contains("brackets"));
    CHECK_THROWS_WITH(parse({"--rules", "r", "--metrics-watch-ports", "23,telnet"}),
                      Catch::Contains("--metrics-watch-ports: 'telnet' is not a port"));
    CHECK_THROWS_WITH(parse({"--rules", "r", "--metrics-watch-ports", "70000"}),
                      Catch::Contains("'70000' is not a port"));
}

TEST_CASE("EAL and pktsieve options on the wrong side of -- are named", "[options]") {
    auto message = [](std::vector<const char*> args) {
        try {
            parse(std::move(args));
        } catch (const OptionError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK_THAT(message({"-l", "0-2", "--vdev=net_pcap0,rx_pcap=x", "--rules", "a"}),
               Catch::Contains("'-l' is an EAL option") && Catch::Contains("(there is none)"));
    CHECK_THAT(message({"--no-huge", "--", "--rules", "a", "--vdev=net_pcap0"}),
               Catch::Contains("'--vdev=net_pcap0' is an EAL option"));
    CHECK_THAT(message({"-l", "0-2", "--rules=a", "--", "--pcap", "x"}),
               Catch::Contains("'--rules=a' is a pktsieve option: it goes after `--`"));
    // pktsieve's short options share letters with the EAL's: still pktsieve's after --.
    CHECK(message({"-l", "0-2", "--", "-r", "a", "-q"}) == "accepted");
    CHECK(message({"--pcap", "x", "-r", "a"}) == "accepted");
}

TEST_CASE("--workers is bounded by what DPDK can run", "[options]") {
    CHECK_THROWS_WITH(parse({"--pcap", "x", "--rules", "a", "--workers", "-1"}),
                      Catch::Contains("--workers must be in 0..125"));
    CHECK_THROWS_WITH(parse({"--pcap", "x", "--rules", "a", "--workers", "1000"}),
                      Catch::Contains("--workers must be in 0..125"));
    CHECK(parse({"--pcap", "x", "--rules", "a", "--workers", "125"}).opts.workers == 125);
}

TEST_CASE("observation options: interval with a unit, sensor name, ports per record", "[options]") {
    CHECK(parse_duration_us("3600", "--x") == 3600ull * 1000000);
    CHECK(parse_duration_us("15m", "--x") == 900ull * 1000000);
    CHECK(parse_duration_us("1h", "--x") == 3600ull * 1000000);
    CHECK(parse_duration_us("1d", "--x") == 86400ull * 1000000);
    CHECK(parse_duration_us("366d", "--x") == 366ull * 86400 * 1000000);
    for (const char* bad : {"", "0", "-1h", "1w", "h", "1.5h", "367d", "99999999999999999999"})
        CHECK_THROWS_WITH(parse_duration_us(bad, "--observation-interval"),
                          Catch::Contains("--observation-interval"));
    const auto cl = parse({"--pcap", "x.pcap", "--rules", "r", "--observation-interval", "15m",
                           "--sensor-name", "vie-01", "--observation-ports", "50"});
    CHECK(cl.opts.observation_interval == "15m");
    CHECK(sensor_name(cl.opts) == "vie-01");
    CHECK(cl.opts.observation_ports == 50);
    CHECK_FALSE(sensor_name(parse({"--pcap", "x.pcap", "--rules", "r"}).opts).empty());
    CHECK_THROWS_WITH(parse({"--rules", "r", "--observation-interval", "soon"}),
                      Catch::Contains("--observation-interval 'soon'"));
}
