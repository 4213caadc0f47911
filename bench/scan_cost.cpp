// Scanning cost per payload byte: raw Hyperscan (hs_scan per payload, hs_scan_stream per flow
// direction, nothing else) against pktsieve's pipeline over the same frames in memory (parse,
// flow table, stream bookkeeping, verification, counting; no DPDK). Medians of N runs, ratios
// from the same run.
//   scan_cost PCAP [RULES] [RUNS]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <vector>

#include "classify/pipeline.hpp"
#include "match/load.hpp"
#include "pcap_frames.hpp"

using namespace pktsieve;
using bench::Frame;
using bench::median;
using bench::read_pcap;
using Clock = std::chrono::steady_clock;

namespace {

template <typename Fn>
double seconds(Fn&& fn) {
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

int on_match(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
    ++*static_cast<uint64_t*>(ctx);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto [pcap, rules, runs, only] =
        bench::parse_args(argc, argv, "scan_cost PCAP [RULES] [RUNS]", 5);
    const auto frames = read_pcap(pcap);
    auto stream_rs = load_ruleset({rules}, Vars(), LoadOptions(1, TcpMatching::stream)).ruleset;
    auto block_rs = load_ruleset({rules}, Vars(), LoadOptions(1, TcpMatching::block)).ruleset;
    if (!stream_rs || !block_rs) return 1;

    // The payloads, parsed once outside the timing, and grouped per flow direction in order.
    struct Payload {
        const uint8_t* data;
        uint32_t len;
        const hs_database_t* block_db;
    };
    std::vector<Payload> payloads;
    std::vector<const Frame*> payload_frames;  // the frames that carry them
    struct Direction {
        uint16_t dport = 0;
        std::vector<size_t> payloads;
    };
    std::map<std::string, Direction> dirs;  // key: the direction's addresses and ports
    uint64_t bytes = 0;
    for (const auto& f : frames) {
        Packet p;
        if (parse(f.bytes.data(), static_cast<uint32_t>(f.bytes.size()), p) != Malformed::none ||
            p.l3 == L3::none || p.payload_len == 0 || p.later_fragment)
            continue;
        const hs_database_t* db = block_rs->database_for(p.proto, p.dport);
        if (!db) continue;  // no rule for this port: neither side scans it
        payloads.push_back({p.payload(), p.payload_len, db});
        payload_frames.push_back(&f);
        bytes += p.payload_len;
        if (p.proto == kProtoTcp) {
            std::string key(p.src.begin(), p.src.end());
            key.append(p.dst.begin(), p.dst.end());
            key += fmt::format(":{}:{}:{}", p.sport, p.dport, p.vlan[0]);
            auto& d = dirs[key];
            d.dport = p.dport;
            d.payloads.push_back(payloads.size() - 1);
        }
    }
    hs_scratch_t* scratch = block_rs->scratch(0);
    hs_scratch_t* sscratch = stream_rs->scratch(0);
    std::vector<double> raw_block, raw_stream, pipe_block, pipe_stream, only_block, only_stream;
    uint64_t matches = 0;
    for (int r = 0; r < runs; ++r) {
        raw_block.push_back(seconds([&] {
            for (const auto& p : payloads)
                if (p.block_db)
                    hs_scan(p.block_db, reinterpret_cast<const char*>(p.data), p.len, 0, scratch,
                            on_match, &matches);
        }));
        raw_stream.push_back(seconds([&] {
            for (const auto& [key, d] : dirs) {
                const hs_database_t* db = stream_rs->stream_database_for(d.dport);
                if (!db) continue;
                hs_stream_t* s = nullptr;
                hs_open_stream(db, 0, &s);
                for (size_t i : d.payloads)
                    hs_scan_stream(s, reinterpret_cast<const char*>(payloads[i].data),
                                   payloads[i].len, 0, sscratch, on_match, &matches);
                hs_close_stream(s, sscratch, on_match, &matches);
            }
        }));
        // The whole capture, then only the frames whose payloads raw Hyperscan scanned.
        for (bool only : {false, true})
            for (auto* rs : {block_rs.get(), stream_rs.get()}) {
                WorkerStats stats(rs->rules().size());
                auto alerts = std::make_unique<BurstAlerts>();
                Pipeline pipe(*rs, 0, stats, *alerts,
                              FlowTableConfig{static_cast<uint32_t>(dirs.size() + 1024)});
                auto feed = [&](const Frame& f) {
                    pipe.process(f.bytes.data(), static_cast<uint32_t>(f.bytes.size()), 1);
                    if (alerts->size > kAlertBufferSize / 2) alerts->size = 0;
                };
                const double t = seconds([&] {
                    if (only)
                        for (const Frame* f : payload_frames) feed(*f);
                    else
                        for (const auto& f : frames) feed(f);
                    pipe.finish();
                });
                const bool block = rs == block_rs.get();
                (only ? (block ? only_block : only_stream) : (block ? pipe_block : pipe_stream))
                    .push_back(t);
            }
    }
    auto ns_per_byte = [&](double s) { return s * 1e9 / static_cast<double>(bytes); };
    const double rb = median(raw_block), rs = median(raw_stream), pb = median(pipe_block),
                 ps = median(pipe_stream), ob = median(only_block), os = median(only_stream);
    fmt::print(
        "{}: {} frames; {} payloads ({} bytes, {} flow directions) that rules could match; "
        "medians of {}\n",
        argv[1], frames.size(), payloads.size(), bytes, dirs.size(), runs);
    fmt::print("raw hs_scan (block)          {:7.3f} ns/byte\n", ns_per_byte(rb));
    fmt::print("raw hs_scan_stream           {:7.3f} ns/byte\n", ns_per_byte(rs));
    fmt::print("pipeline, block matching     {:7.3f} ns/byte  ratio to raw block  {:.2f}\n",
               ns_per_byte(pb), pb / rb);
    fmt::print("pipeline, stream matching    {:7.3f} ns/byte  ratio to raw stream {:.2f}\n",
               ns_per_byte(ps), ps / rs);
    fmt::print("  same, fed only the payload frames:\n");
    fmt::print("pipeline, block matching     {:7.3f} ns/byte  ratio to raw block  {:.2f}\n",
               ns_per_byte(ob), ob / rb);
    fmt::print("pipeline, stream matching    {:7.3f} ns/byte  ratio to raw stream {:.2f}\n",
               ns_per_byte(os), os / rs);
    fmt::print(
        "(per byte of the payloads above; fed the whole capture, the pipeline also parses, "
        "counts and tracks every other frame)\n");
    return 0;
}
