// The client side of a Telnet session as the server's login sees it: IAC commands and option
// negotiation (WILL/WONT/DO/DONT x, SB ... SE) removed, IAC IAC a literal 0xFF, CR NUL / CR LF /
// CR / LF ending a line, backspace, DEL and IAC EC erasing a character, IAC EL the line. Bots
// put negotiation between the characters of a user name or password, one per segment; the
// normalised bytes are what rules match (the `telnet.data` buffer) and where the credentials
// tried are read.
// Bounded: the first kMaxData normalised bytes (a login happens first), lines of kMaxLine; no
// allocation (followers live in a per-worker pool).
// Thread-safety: a value owned by one flow.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pktsieve {

class TelnetFollower {
  public:
    static constexpr size_t kMaxData = 512;
    static constexpr size_t kMaxLine = 128;

    // Feeds the client's next bytes (in order); returns the lines they completed.
    unsigned feed(std::string_view in);
    // Every completed line so far, each ending "\r\n", up to kMaxData bytes.
    std::string_view data() const { return {data_.data(), data_len_}; }
    // No more room: later lines are not kept (the follower can be dropped).
    bool full() const { return data_len_ >= kMaxData; }
    // The line being typed (not yet ended).
    std::string_view pending() const { return {line_.data(), line_len_}; }
    void reset();

  private:
    enum class State : uint8_t { data, cr, iac, option, sb, sb_iac };
    void end_line();
    void add(char c);
    void erase_char();

    State state_ = State::data;
    uint16_t line_len_ = 0, data_len_ = 0;
    std::array<char, kMaxLine> line_;
    std::array<char, kMaxData> data_;
};

}  // namespace pktsieve
