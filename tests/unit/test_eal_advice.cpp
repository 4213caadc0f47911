#include <catch2/catch.hpp>

#include "config/eal_advice.hpp"

using namespace pktsieve;

TEST_CASE("EAL option names", "[eal]") {
    for (const char* a : {"-l", "-l0-3", "-a", "--vdev", "--vdev=net_pcap0", "--no-huge", "-m",
                          "--file-prefix=x", "--lcores=0@0", "--in-memory"})
        CHECK(is_eal_option(a));
    for (const char* a : {"--rules", "--pcap", "--workers", "-q", "x.pcap", "--mbufs"})
        CHECK_FALSE(is_eal_option(a));
}

TEST_CASE("-l naming CPUs the process lacks is refused with a --lcores map", "[eal]") {
    const std::vector<unsigned> cpus{0, 1};
    CHECK(check_lcore_list({"pktsieve", "-l", "0-1"}, cpus).empty());
    CHECK(check_lcore_list({"pktsieve", "--lcores=0@0,1@0,2@1"}, cpus).empty());
    const auto why = check_lcore_list({"pktsieve", "-l", "0-2", "--no-huge"}, cpus);
    CHECK_THAT(why, Catch::Contains("CPU 2 is not one this process may run on (CPUs 0-1)") &&
                        Catch::Contains("--lcores=0@0,1@1,2@0"));
    CHECK_THAT(check_lcore_list({"pktsieve", "-l3"}, {0, 1, 2}), Catch::Contains("(CPUs 0-2)"));
    CHECK(lcores_map(4, {2, 5}) == "--lcores=0@2,1@5,2@2,3@5");
}

TEST_CASE("hugepage advice after a failed EAL start", "[eal]") {
    const std::string none =
        "MemTotal: 1000 kB\nHugePages_Total:       0\nHugePages_Free:        0\n";
    const std::string used = "HugePages_Total:     512\nHugePages_Free:        0\n";
    const std::string some = "HugePages_Total:     512\nHugePages_Free:      100\n";
    CHECK_THAT(hugepage_advice({"pktsieve", "-l", "0-2"}, none),
               Catch::Contains("no hugepages are reserved") && Catch::Contains("--no-huge"));
    CHECK_THAT(hugepage_advice({"pktsieve"}, used),
               Catch::Contains("all 512 hugepages are in use"));
    CHECK_THAT(hugepage_advice({"pktsieve"}, some), Catch::Contains("100 of 512 hugepages"));
    CHECK(hugepage_advice({"pktsieve", "--no-huge", "-m", "512"}, none).empty());
}
