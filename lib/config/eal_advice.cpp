#include "config/eal_advice.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "config/lcores.hpp"
#include "config/options.hpp"

namespace pktsieve {

namespace {

// DPDK 22.11's EAL options (doc.dpdk.org/guides-22.11/linux_gsg/linux_eal_parameters.html).
constexpr std::array<std::string_view, 44> kEalOptions{"-a",
                                                       "-b",
                                                       "-c",
                                                       "-d",
                                                       "-l",
                                                       "-m",
                                                       "-n",
                                                       "-r",
                                                       "-s",
                                                       "-v",
                                                       "--allow",
                                                       "--base-virtaddr",
                                                       "--block",
                                                       "--create-uio-dev",
                                                       "--file-prefix",
                                                       "--force-max-simd-bitwidth",
                                                       "--huge-dir",
                                                       "--huge-unlink",
                                                       "--huge-worker-stack",
                                                       "--in-memory",
                                                       "--iova-mode",
                                                       "--legacy-mem",
                                                       "--lcores",
                                                       "--log-level",
                                                       "--main-lcore",
                                                       "--match-allocations",
                                                       "--mbuf-pool-ops-name",
                                                       "--no-hpet",
                                                       "--no-huge",
                                                       "--no-pci",
                                                       "--no-shconf",
                                                       "--no-telemetry",
                                                       "--proc-type",
                                                       "--service-corelist",
                                                       "--service-coremask",
                                                       "--single-file-segments",
                                                       "--socket-limit",
                                                       "--socket-mem",
                                                       "--syslog",
                                                       "--telemetry",
                                                       "--trace",
                                                       "--trace-dir",
                                                       "--vdev",
                                                       "--vfio-intr"};

std::string_view option_name(std::string_view arg) {
    if (arg.starts_with("--")) return arg.substr(0, arg.find('='));
    if (arg.size() > 2 && arg[0] == '-') return arg.substr(0, 2);  // -l0-3
    return arg;
}

uint64_t meminfo_value(std::string_view meminfo, std::string_view key) {
    const size_t at = meminfo.find(key);
    if (at == std::string_view::npos) return 0;
    size_t i = at + key.size();
    while (i < meminfo.size() && (meminfo[i] == ':' || meminfo[i] == ' ')) ++i;
    uint64_t v = 0;
    std::from_chars(meminfo.data() + i, meminfo.data() + meminfo.size(), v);
    return v;
}

std::string cpu_list(const std::vector<unsigned>& cpus) {
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        out += (out.empty() ? "" : ",") + std::to_string(cpus[i]);
        if (j > i) out += "-" + std::to_string(cpus[j]);
        i = j + 1;
    }
    return out;
}

}  // namespace

bool is_eal_option(std::string_view arg) {
    const auto name = option_name(arg);
    return std::find(kEalOptions.begin(), kEalOptions.end(), name) != kEalOptions.end();
}

std::string lcores_map(unsigned lcores, const std::vector<unsigned>& cpus) {
    std::string map = "--lcores=";
    for (unsigned i = 0; i < lcores; ++i)
        map += fmt::format("{}{}@{}", i ? "," : "", i, cpus[i % cpus.size()]);
    return map;
}

std::string check_lcore_list(const std::vector<std::string>& eal,
                             const std::vector<unsigned>& cpus) {
    for (size_t i = 1; i < eal.size(); ++i) {
        std::string list;
        if (eal[i] == "-l" && i + 1 < eal.size())
            list = eal[i + 1];
        else if (eal[i].starts_with("-l") && eal[i].size() > 2 && eal[i][2] != '-')
            list = eal[i].substr(2);
        else
            continue;
        std::vector<unsigned> lcores;
        try {
            lcores = parse_lcore_list(list);
        } catch (const OptionError&) {
            return "";  // the EAL reports its own syntax errors
        }
        for (unsigned l : lcores)
            if (std::find(cpus.begin(), cpus.end(), l) == cpus.end())
                return fmt::format(
                    "-l {}: CPU {} is not one this process may run on (CPUs {}); -l names "
                    "CPUs. To run {} lcores on them, map lcores onto CPUs: {}",
                    list, l, cpu_list(cpus), lcores.size(),
                    lcores_map(static_cast<unsigned>(lcores.size()), cpus));
    }
    return "";
}

std::string hugepage_advice(const std::vector<std::string>& eal, std::string_view meminfo) {
    for (size_t i = 1; i < eal.size(); ++i)
        if (option_name(eal[i]) == "--no-huge") return "";
    const uint64_t total = meminfo_value(meminfo, "HugePages_Total");
    const uint64_t free = meminfo_value(meminfo, "HugePages_Free");
    if (total == 0)
        return "no hugepages are reserved: reserve some (as root: dpdk-hugepages.py -p 2M "
               "--setup 2G, or echo 1024 > /sys/kernel/mm/hugepages/hugepages-2048kB/"
               "nr_hugepages) and run as root, or run without them: --no-huge -m 512";
    if (free == 0)
        return fmt::format(
            "all {} hugepages are in use (another DPDK process, or files left in the hugepage "
            "mount): reserve more, or run without them: --no-huge -m 512",
            total);
    return fmt::format(
        "{} of {} hugepages are free: the EAL may lack the right to use them (run as root) or "
        "need more (-m / --socket-mem); or run without them: --no-huge -m 512",
        free, total);
}

}  // namespace pktsieve
