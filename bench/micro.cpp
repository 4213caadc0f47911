// Microbenchmarks of the per-packet stages on realistic frames: parser, flow lookup, block and
// stream matching. Catch2 BENCHMARK; each body returns a value so the optimiser keeps the work.
//   build-test/bench/micro [--benchmark-samples N]
#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include "../tests/unit/frames.hpp"
#include "classify/pipeline.hpp"
#include "flow/flow_table.hpp"
#include "match/load.hpp"

using namespace pktsieve;
using namespace pktsieve::test;

namespace {

Bytes request(uint16_t sport, uint16_t dport, const std::string& payload) {
    FrameSpec f;
    f.sport = sport;
    f.dport = dport;
    f.payload = payload;
    return frame(f);
}

const std::string kRequest =
    "GET /_plugin/head/index.html HTTP/1.1\r\nHost: es:9200\r\nUser-Agent: "
    "curl/7.38\r\nAccept: */*\r\n\r\n";

}  // namespace

TEST_CASE("per-packet stages") {
    const Bytes ack = request(40000, 9200, "");
    const Bytes req = request(40000, 9200, kRequest);
    auto block = load_ruleset({PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules"}, Vars(),
                              LoadOptions(1, TcpMatching::block))
                     .ruleset;
    auto stream = load_ruleset({PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules"}, Vars(),
                               LoadOptions(1, TcpMatching::stream))
                      .ruleset;
    REQUIRE(block);
    REQUIRE(stream);

    BENCHMARK("parse a 54-byte ACK") {
        Packet p;
        return parse(ack.data(), static_cast<uint32_t>(ack.size()), p) == Malformed::none ? p.dport
                                                                                          : 0;
    };
    BENCHMARK("parse a 150-byte request") {
        Packet p;
        return parse(req.data(), static_cast<uint32_t>(req.size()), p) == Malformed::none
                   ? p.payload_len
                   : 0;
    };

    std::vector<Bytes> flows;
    for (uint32_t i = 0; i < 100000; ++i) {
        FrameSpec f;
        f.src4[2] = static_cast<uint8_t>(i >> 8);
        f.src4[3] = static_cast<uint8_t>(i);
        f.sport = static_cast<uint16_t>(1024 + i % 60000);
        f.tcp_flags = 0x18;
        flows.push_back(frame(f));
    }
    std::vector<Packet> packets(flows.size());
    for (size_t i = 0; i < flows.size(); ++i)
        parse(flows[i].data(), static_cast<uint32_t>(flows[i].size()), packets[i]);
    FlowTable table({262144});
    for (const auto& p : packets) table.track(p, 1);
    size_t next = 0;
    BENCHMARK("flow lookup, 100k flows in the table") {
        const auto t = table.track(packets[next], 2);
        next = (next + 7919) % packets.size();  // a stride, so lookups are not cache-hot
        return t.index;
    };

    Packet rp;
    parse(req.data(), static_cast<uint32_t>(req.size()), rp);
    const hs_database_t* bdb = block->database_for(kProtoTcp, 9200);
    const hs_database_t* sdb = stream->stream_database_for(9200);
    hs_scratch_t* bs = block->scratch(0);
    hs_scratch_t* ss = stream->scratch(0);
    auto count = [](unsigned, unsigned long long, unsigned long long, unsigned, void* c) -> int {
        ++*static_cast<int*>(c);
        return 0;
    };
    BENCHMARK("hs_scan of a 150-byte request (block)") {
        int n = 0;
        hs_scan(bdb, reinterpret_cast<const char*>(rp.payload()), rp.payload_len, 0, bs, count, &n);
        return n;
    };
    BENCHMARK("hs_open_stream + scan + close (stream)") {
        int n = 0;
        hs_stream_t* s = nullptr;
        hs_open_stream(sdb, 0, &s);
        hs_scan_stream(s, reinterpret_cast<const char*>(rp.payload()), rp.payload_len, 0, ss, count,
                       &n);
        hs_close_stream(s, ss, count, &n);
        return n;
    };

    WorkerStats stats(block->rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    Pipeline bp(*block, 0, stats, *alerts);
    BENCHMARK("pipeline, block: the request") {
        bp.process(req.data(), static_cast<uint32_t>(req.size()), 1);
        return stats.counters.rx_packets;
    };
    WorkerStats sstats(stream->rules().size());
    Pipeline sp(*stream, 0, sstats, *alerts, FlowTableConfig{262144});
    BENCHMARK("pipeline, stream: the request (retransmitted after the first)") {
        sp.process(req.data(), static_cast<uint32_t>(req.size()), 1);
        return sstats.counters.rx_packets;
    };
}
