#include "telnet/sessions.hpp"

namespace pktsieve {

TelnetSessions::TelnetSessions(uint32_t followers) : followers_(followers) {
    free_.reserve(followers);
}

void TelnetSessions::release(Flow& f) {
    if (f.slot != kNone) free_.push_back(f.slot);
    f.slot = kNone;
}

void TelnetSessions::restart(Flow& f) {
    release(f);
    f.done = false;
}

TelnetSessions::Fed TelnetSessions::feed(Flow& f, std::string_view in) {
    if (f.done) {
        release(f);  // kept until now: the lines of the last call were still being matched
        return {};
    }
    if (f.slot == kNone) {
        if (!free_.empty()) {
            f.slot = free_.back();
            free_.pop_back();
        } else if (fresh_ < followers_.size()) {
            f.slot = fresh_++;
        } else {
            f.done = true;
            return {{}, true};
        }
        followers_[f.slot].reset();
    }
    TelnetFollower& t = followers_[f.slot];
    Fed fed;
    if (t.feed(in) > 0) fed.lines = t.data();
    f.done = t.full();
    return fed;
}

}  // namespace pktsieve
