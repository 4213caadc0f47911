// libFuzzer: the packet parser on any bytes, under each link type it reads (the first byte
// picks one). Beyond no crash: what it returns describes bytes inside the frame.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "packet/packet.hpp"

using namespace pktsieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const auto link = static_cast<LinkType>(data[0] % 4);
    const std::vector<uint8_t> frame(data + 1, data + size);  // exact size: ASan sees overreads
    const uint32_t len = static_cast<uint32_t>(frame.size());
    Packet p;
    const Malformed why = parse(frame.data(), len, p, link);
    if (why != Malformed::none) return 0;
    if (p.data != frame.data() || p.len != len) std::abort();
    if (p.payload_off > len || p.payload_len > len - p.payload_off) std::abort();
    if (p.l3 == L3::none && (p.proto != 0 || p.payload_len != 0)) std::abort();
    if (p.later_fragment && !p.fragment) std::abort();
    if (p.vlan_count > p.vlan.size()) std::abort();
    return 0;
}
