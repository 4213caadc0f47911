#include <catch2/catch.hpp>

#include "config/pool_size.hpp"
#include "config/replay.hpp"

using namespace pktsieve;

TEST_CASE("infinite_rx files are read from the EAL's --vdev arguments") {
    const std::vector<std::string> eal{
        "pktsieve",
        "--vdev=net_pcap0,rx_pcap=/a.pcap,infinite_rx=1",
        "--vdev",
        "eth_pcap1,rx_pcap=/b.pcap,rx_pcap=/c.pcap,infinite_rx=1",
        "--vdev=net_pcap2,rx_pcap=/d.pcap",                // not infinite
        "--vdev=net_pcap3,rx_pcap=/e.pcap,infinite_rx=0",  // off
        "--vdev=net_ring0,rx_pcap=/f.pcap,infinite_rx=1",  // not a pcap port
        "--vdev"};                                         // dangling: ignored
    CHECK(infinite_replay_files(eal) == std::vector<std::string>{"/a.pcap", "/b.pcap", "/c.pcap"});
    CHECK(infinite_replay_files({"pktsieve", "-l", "0-2"}).empty());
}

TEST_CASE("the mbuf pool holds every replayed frame, each in one mbuf") {
    SECTION("no replay: what the receive path needs, or --mbufs when larger") {
        auto s = size_mbufs(5000, 8191, {}, 2176, 128);
        CHECK(s.error.empty());
        CHECK(s.count == 8191);
        CHECK(s.data_room == 2176);
        CHECK(size_mbufs(9000, 8191, {}, 2176, 128).count == 9000);
    }
    SECTION("replayed files add their frames; the largest frame sets the data room") {
        auto s = size_mbufs(5000, 8191, {{"a", 20000, 1514}, {"b", 16, 9014}}, 2176, 128);
        CHECK(s.error.empty());
        CHECK(s.count == 25016);
        CHECK(s.data_room == 9014 + 128);
    }
    SECTION("a frame no mbuf can hold is an error that says what to do") {
        auto s = size_mbufs(5000, 8191, {{"big.pcap", 1, 65500}}, 2176, 128);
        CHECK(s.count == 0);
        CHECK_THAT(s.error, Catch::Contains("big.pcap") && Catch::Contains("65500 bytes") &&
                                Catch::Contains("without infinite_rx") &&
                                Catch::Contains("editcap -s 65407"));
        CHECK(size_mbufs(0, 0, {{"edge.pcap", 1, 65407}}, 2176, 128).data_room == 65535);
    }
}

TEST_CASE("the pool's floor: --mbufs, else a reserve with a port and none with --pcap") {
    // A port's queue: its descriptors, a burst, 4 lcores' caches.
    CHECK(mbufs_needed({1, 1024, 1, 0, 512, 4, 256}) == 1024 + 512 + 4 * 384 + 1024);
    // Software distribution adds each worker's ring.
    CHECK(mbufs_needed({1, 1024, 2, 1024, 512, 5, 256}) == 1024 + 2 * 1536 + 5 * 384 + 1024);
    // A --pcap run, one worker at the default burst: no descriptor ring, no RX lcore's rings.
    const ReceivePath pcap = pcap_receive_path(1, false, 32);
    CHECK(mbufs_needed(pcap) == 32 + 4 * 384 + 1024);
    CHECK(mbufs_needed(pcap_receive_path(8, true, 32)) == 8 * (1024 + 32) + 11 * 384 + 1024);
    CHECK(mbufs_floor(0, true) == 0);
    CHECK(mbufs_floor(0, false) == kPortMbufs);
    CHECK(mbufs_floor(20000, true) == 20000);
    CHECK(mbufs_floor(20000, false) == 20000);
    // What create_pool asks for in --pcap mode: the receive path's needs, well under the
    // reserve a port gets; pool_mbufs (what sets --pcap's -m) says the same.
    CHECK(size_mbufs(mbufs_needed(pcap), mbufs_floor(0, true), {}, 2176, 128).count == 2592);
    CHECK(size_mbufs(mbufs_needed(pcap), mbufs_floor(0, false), {}, 2176, 128).count == 8191);
    CHECK(pool_mbufs(pcap, 0, true) == 2592);
    CHECK(pool_mbufs(pcap, 20000, true) == 20000);
}

TEST_CASE("a --pcap run's mbufs hold the file's largest frame, at most the default room") {
    // Headroom 128 and the frame, in whole cache lines: small frames share a page.
    CHECK(pcap_data_room(60, 128, 2176) == 192);
    CHECK(pcap_data_room(64, 128, 2176) == 192);
    CHECK(pcap_data_room(65, 128, 2176) == 256);
    CHECK(pcap_data_room(1514, 128, 2176) == 1664);
    CHECK(pcap_data_room(0, 128, 2176) == 192);  // an empty capture still gets a usable room
    // Longer frames keep the default room and are chained, as a port's jumbo frames are.
    CHECK(pcap_data_room(2048, 128, 2176) == 2176);
    CHECK(pcap_data_room(9000, 128, 2176) == 2176);
    CHECK(pcap_data_room(65535, 128, 2176) == 2176);
    // infinite_rx files still widen the room beyond it (they cannot be chained).
    CHECK(size_mbufs(100, 0, {{"jumbo.pcap", 1, 9000}}, pcap_data_room(60, 128, 2176), 128)
              .data_room == 9128);
}

TEST_CASE("when every receive queue replays a file, its mbufs are sized to the files' frames") {
    const std::vector<ReplayFile> small{{"a.pcap", 400000, 64}, {"b.pcap", 400000, 60}};
    // 64-byte frames: 128 headroom + 64, not the default 2 KiB room.
    CHECK(replay_data_room(2, small, 128, 2176) == 192);
    CHECK(size_mbufs(5000, 0, small, replay_data_room(2, small, 128, 2176), 128).data_room == 192);
    const std::vector<ReplayFile> mix{{"mix.pcap", 600000, 1514}};
    CHECK(replay_data_room(1, mix, 128, 2176) == 1664);  // 1642, rounded to a cache line
    // A queue that replays nothing (a NIC's, or a file that could not be counted): the default.
    CHECK(replay_data_room(3, small, 128, 2176) == 2176);
    CHECK(replay_data_room(1, {}, 128, 2176) == 2176);
    // Jumbo frames: the default here; size_mbufs then gives them the room they need.
    const std::vector<ReplayFile> jumbo{{"jumbo.pcap", 10, 9014}};
    CHECK(replay_data_room(1, jumbo, 128, 2176) == 2176);
    CHECK(size_mbufs(0, 0, jumbo, replay_data_room(1, jumbo, 128, 2176), 128).data_room ==
          9014 + 128);
}
