#include "http/chunked.hpp"

#include "text/ascii.hpp"

namespace pktsieve {

ChunkedBody::Result ChunkedBody::feed(std::string_view& in) {
    while (!in.empty()) {
        if (state_ == State::data) {
            const uint64_t n = left_ < in.size() ? left_ : in.size();
            in.remove_prefix(n);
            left_ -= n;
            if (left_ == 0) state_ = State::data_end;
            continue;
        }
        const char c = in.front();
        in.remove_prefix(1);
        if (c != '\n' && ++line_ > kMaxLine) return Result::malformed;
        switch (state_) {
            case State::size:
                if (const int d = hex_value(c); d >= 0) {
                    if (left_ >> 40) return Result::malformed;  // no chunk is a terabyte
                    left_ = left_ << 4 | static_cast<uint64_t>(d);
                    digits_ = true;
                } else if (c == ';' || c == ' ' || c == '\t') {
                    state_ = State::extension;
                } else if (c == '\n' && digits_) {
                    state_ = left_ ? State::data : State::trailer;
                    line_ = 0;
                } else if (c != '\r') {
                    return Result::malformed;
                }
                break;
            case State::extension:
                if (c == '\n') {
                    if (!digits_) return Result::malformed;
                    state_ = left_ ? State::data : State::trailer;
                    line_ = 0;
                }
                break;
            case State::data_end:  // the CRLF after a chunk's data
                if (c == '\n') {
                    state_ = State::size;
                    digits_ = false;
                    line_ = 0;
                } else if (c != '\r') {
                    return Result::malformed;
                }
                break;
            case State::trailer:  // header lines after the last chunk, up to an empty one
                if (c == '\n') {
                    // Only "" or "\r" is the empty line: "X\n" is a (bad) trailer line, and
                    // ending there would take the trailers after it for the next request.
                    if (line_ == 0 || (line_ == 1 && line_starts_cr_)) return Result::done;
                    line_ = 0;
                } else if (line_ == 1) {
                    line_starts_cr_ = c == '\r';
                }
                break;
            case State::data:
                break;
        }
    }
    return Result::more;
}

}  // namespace pktsieve
