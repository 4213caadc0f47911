// Bench helpers: a capture's frames read into memory (bytes and capture time), and medians.
#pragma once

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace pktsieve::bench {

struct Frame {
    std::vector<uint8_t> bytes;
    uint64_t ts_us = 0;
};

inline std::vector<Frame> read_pcap(const char* path) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path, err);
    if (!p) {
        fmt::print(stderr, "{}: {}\n", path, err);
        std::exit(1);
    }
    std::vector<Frame> out;
    pcap_pkthdr* h;
    const u_char* d;
    while (pcap_next_ex(p, &h, &d) == 1)
        out.push_back({std::vector<uint8_t>(d, d + h->caplen),
                       uint64_t(h->ts.tv_sec) * 1000000 + uint64_t(h->ts.tv_usec)});
    pcap_close(p);
    return out;
}

// The pipeline benchmarks' command line: PCAP [RULES] [RUNS] [ONLY] (ONLY: one side of an
// alternation, for perf or callgrind). Exits with the usage line when PCAP is missing.
struct Args {
    const char* pcap = nullptr;
    std::string rules;
    int runs = 0;
    std::string only;
};
inline Args parse_args(int argc, char** argv, const char* usage, int default_runs) {
    if (argc < 2) {
        fmt::print(stderr, "usage: {}\n", usage);
        std::exit(2);
    }
    return {argv[1], argc > 2 ? argv[2] : PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules",
            argc > 3 ? std::atoi(argv[3]) : default_runs, argc > 4 ? argv[4] : ""};
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace pktsieve::bench
