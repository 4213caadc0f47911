#include "pcap/pcap_count.hpp"

#include <pcap/pcap.h>

#include <algorithm>

namespace pktsieve {

PcapCount count_pcap(const std::string& path) {
    PcapCount out;
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) {
        out.error = err;
        return out;
    }
    out.link_type = pcap_datalink(p);
    const char* name = pcap_datalink_val_to_name(out.link_type);
    out.link_name = name ? name : "unknown";
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        ++out.packets;
        out.bytes += h->caplen;
        out.max_frame = std::max<uint32_t>(out.max_frame, h->caplen);
    }
    if (rc == PCAP_ERROR) out.error = pcap_geterr(p);
    pcap_close(p);
    return out;
}

}  // namespace pktsieve
