// Which bytes of a TCP segment are new, in-order data for a flow direction's stream. Pure.
//
// Policy (docs/rules.md, "Stream matching"): in-order bytes are scanned once; bytes already
// seen (retransmissions, the old part of an overlap) are skipped, keeping the first copy; a
// segment beyond a gap restarts the stream at that segment (counted), so state never buffers.
// Thread-safety: value types.
#pragma once

#include <cstdint>

namespace pktsieve {

struct SeqTrack {
    uint32_t next = 0;  // next expected sequence number
    bool known = false;
};

struct NewBytes {
    uint32_t skip = 0;  // leading payload bytes already scanned
    uint32_t len = 0;   // bytes to scan after them
    bool gap = false;   // data missing before this segment: the stream restarts here
};

inline NewBytes new_bytes(SeqTrack& t, uint32_t seq, uint32_t len, bool syn, bool fin) {
    const uint32_t data_seq = syn ? seq + 1 : seq;  // SYN takes one sequence number
    NewBytes out;
    if (!t.known) {  // handshake or midstream pick-up: start here
        t.known = true;
        t.next = data_seq;
    }
    const auto ahead = static_cast<int32_t>(data_seq - t.next);  // wraps correctly
    if (ahead > 0) {
        out.gap = true;
        t.next = data_seq;
    }
    if (ahead < 0) {
        const uint32_t old = t.next - data_seq;  // -ahead, also for INT32_MIN
        out.skip = old < len ? old : len;
    }
    out.len = len - out.skip;
    t.next += out.len;
    // A FIN right after the data takes one more; a retransmitted FIN lands behind `next`.
    if (fin && data_seq + len == t.next) t.next += 1;
    return out;
}

}  // namespace pktsieve
