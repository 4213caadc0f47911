#include "telnet/follower.hpp"

#include <string_view>

namespace pktsieve {

namespace {

constexpr unsigned char kIac = 0xff, kSb = 0xfa, kSe = 0xf0, kWill = 0xfb, kDont = 0xfe;
constexpr unsigned char kEc = 0xf7, kEl = 0xf8;

}  // namespace

void TelnetFollower::reset() {
    state_ = State::data;
    line_len_ = data_len_ = 0;
}

void TelnetFollower::add(char c) {
    if (line_len_ < kMaxLine) line_[line_len_++] = c;
}

void TelnetFollower::erase_char() {
    if (line_len_) --line_len_;
}

void TelnetFollower::end_line() {
    for (char c : std::string_view(line_.data(), line_len_))
        if (data_len_ < kMaxData) data_[data_len_++] = c;
    for (char c : {'\r', '\n'})
        if (data_len_ < kMaxData) data_[data_len_++] = c;
    line_len_ = 0;
}

unsigned TelnetFollower::feed(std::string_view in) {
    unsigned lines = 0;
    for (size_t i = 0; i < in.size(); ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        switch (state_) {
            case State::cr:  // CR NUL and CR LF are one end of line; CR alone ends it too
                state_ = State::data;
                if (c == '\n' || c == 0) break;
                [[fallthrough]];
            case State::data:
                if (c == kIac) {
                    state_ = State::iac;
                } else if (c == '\r' || c == '\n') {
                    end_line();
                    ++lines;
                    if (c == '\r') state_ = State::cr;
                } else if (c == 0x08 || c == 0x7f) {
                    erase_char();
                } else if (c != 0) {
                    add(static_cast<char>(c));
                }
                break;
            case State::iac:
                state_ = State::data;
                if (c == kIac) {
                    add(static_cast<char>(c));
                } else if (c >= kWill && c <= kDont) {
                    state_ = State::option;
                } else if (c == kSb) {
                    state_ = State::sb;
                } else if (c == kEc) {
                    erase_char();
                } else if (c == kEl) {
                    line_len_ = 0;
                }  // NOP, GA, AYT, ...: nothing typed
                break;
            case State::option:  // the option byte after WILL/WONT/DO/DONT
                state_ = State::data;
                break;
            case State::sb:  // sub-negotiation data (NAWS, TTYPE, ...) up to IAC SE
                if (c == kIac) state_ = State::sb_iac;
                break;
            case State::sb_iac:
                state_ = c == kSe ? State::data : State::sb;  // IAC IAC: a 255 inside
                break;
        }
    }
    return lines;
}

}  // namespace pktsieve
