// The Telnet followers of one worker: a fixed pool, one follower per client while its login is
// read (its first TelnetFollower::kMaxData bytes of lines), then given back. The pool is zeroed
// pages: a follower given back is taken first, then ones never used, so pages become resident
// only as the most clients followed at once grows.
// Thread-safety: one TelnetSessions per worker; a Flow belongs to one flow.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "memory/zeroed_array.hpp"
#include "telnet/follower.hpp"

namespace pktsieve {

class TelnetSessions {
  public:
    static constexpr uint32_t kNone = UINT32_MAX;
    struct Flow {  // one flow's client side
        uint32_t slot = kNone;
        bool done = false;        // read as far as kept (or no follower was free): not followed
        bool login_read = false;  // its user name and password were taken as intel
    };
    struct Fed {
        std::string_view lines;    // every line so far, when this call completed one; else empty
        bool no_follower = false;  // none was free: the flow is not followed
    };

    explicit TelnetSessions(uint32_t followers);
    // The flow's next client bytes, in order.
    Fed feed(Flow& f, std::string_view in);
    // Bytes were lost: the lines are read anew from the next bytes.
    void restart(Flow& f);
    void release(Flow& f);
    size_t memory_bytes() const {
        return followers_.memory_bytes() + free_.capacity() * sizeof(uint32_t);
    }

  private:
    ZeroedArray<TelnetFollower> followers_;
    std::vector<uint32_t> free_;  // given back (reserved for all)
    uint32_t fresh_ = 0;          // followers_ from here on were never used
};

}  // namespace pktsieve
