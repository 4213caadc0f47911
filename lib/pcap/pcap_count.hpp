// Counts the records of a capture file with libpcap, the reader the net_pcap PMD uses, so
// pcap mode knows how many packets "the whole file" is before it starts.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>

namespace pktsieve {

struct PcapCount {
    uint64_t packets = 0;
    uint64_t bytes = 0;      // captured bytes
    uint32_t max_frame = 0;  // the largest record's captured bytes
    std::string error;       // empty when the file opened; a read error ends the count early
    int link_type = -1;      // pcap_datalink (DLT_*), -1 when the file did not open
    std::string link_name;   // libpcap's name for it ("EN10MB", "LINUX_SLL", ...)
};

PcapCount count_pcap(const std::string& path);

}  // namespace pktsieve
