// Test helper: builds Ethernet frames byte by byte, so parser and pipeline tests need no pcap.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pktsieve::test {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

struct FrameSpec {
    std::vector<uint16_t> vlans;
    bool ipv6 = false;
    uint8_t proto = 6;
    uint8_t src4[4] = {203, 0, 113, 10};
    uint8_t dst4[4] = {198, 51, 100, 20};
    uint16_t sport = 40000, dport = 9200;
    uint8_t tcp_flags = 0x18;  // PSH|ACK
    uint32_t seq = 1;
    uint16_t frag = 0;  // IPv4 flags+offset field
    std::string payload;
};

inline Bytes l4(const FrameSpec& f) {
    Bytes b;
    if (f.proto == 6) {
        put16(b, f.sport);
        put16(b, f.dport);
        for (int shift = 24; shift >= 0; shift -= 8)
            b.push_back(static_cast<uint8_t>(f.seq >> shift));
        b.insert(b.end(), {0, 0, 0, 1, 0x50, f.tcp_flags, 0xfa, 0xf0, 0, 0, 0, 0});
    } else if (f.proto == 17) {
        put16(b, f.sport);
        put16(b, f.dport);
        put16(b, static_cast<uint16_t>(8 + f.payload.size()));
        put16(b, 0);
    }
    b.insert(b.end(), f.payload.begin(), f.payload.end());
    return b;
}

inline Bytes frame(const FrameSpec& f) {
    Bytes b(12, 0x02);
    for (uint16_t v : f.vlans) {
        put16(b, 0x8100);
        put16(b, v);
    }
    const Bytes l4b = l4(f);
    if (!f.ipv6) {
        put16(b, 0x0800);
        b.insert(b.end(), {0x45, 0});
        put16(b, static_cast<uint16_t>(20 + l4b.size()));
        b.insert(b.end(), {0, 1});
        put16(b, f.frag);
        b.insert(b.end(), {64, f.proto, 0, 0});
        b.insert(b.end(), f.src4, f.src4 + 4);
        b.insert(b.end(), f.dst4, f.dst4 + 4);
    } else {
        put16(b, 0x86dd);
        b.insert(b.end(), {0x60, 0, 0, 0});
        put16(b, static_cast<uint16_t>(l4b.size()));
        b.insert(b.end(), {f.proto, 64});
        for (int i = 0; i < 16; ++i) b.push_back(static_cast<uint8_t>(0x20 + i));
        for (int i = 0; i < 16; ++i) b.push_back(static_cast<uint8_t>(0x40 + i));
    }
    b.insert(b.end(), l4b.begin(), l4b.end());
    return b;
}

inline constexpr uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08, kFin = 0x01, kRst = 0x04;

// A TCP conversation built segment by segment, with real sequence numbers.
struct Conversation {
    uint16_t cport, sport;
    uint32_t cseq = 1000, sseq = 5000;
    std::vector<Bytes> frames;

    Conversation(uint16_t client_port, uint16_t server_port)
        : cport(client_port), sport(server_port) {
        frames.push_back(seg(true, kSyn, cseq - 1, ""));
        frames.push_back(seg(false, kSyn | kAck, sseq - 1, ""));
        frames.push_back(seg(true, kAck, cseq, ""));
    }
    Bytes seg(bool from_client, uint8_t flags, uint32_t seq, const std::string& data) const {
        FrameSpec f;
        f.sport = from_client ? cport : sport;
        f.dport = from_client ? sport : cport;
        if (!from_client) std::swap(f.src4, f.dst4);
        f.tcp_flags = flags;
        f.seq = seq;
        f.payload = data;
        return frame(f);
    }
    void client(const std::string& data) {
        frames.push_back(seg(true, kPsh | kAck, cseq, data));
        cseq += static_cast<uint32_t>(data.size());
    }
    void server(const std::string& data) {
        frames.push_back(seg(false, kPsh | kAck, sseq, data));
        sseq += static_cast<uint32_t>(data.size());
    }
    void close() {
        frames.push_back(seg(true, kFin | kAck, cseq, ""));
        frames.push_back(seg(false, kFin | kAck, sseq, ""));
    }
};

}  // namespace pktsieve::test
