// Skips an HTTP/1.1 chunked body (chunk-size lines, data, the last chunk, trailers) as it
// streams past, so the request after it on a keep-alive connection is found. Keeps no bytes.
// Thread-safety: a value owned by one flow.
#pragma once

#include <cstdint>
#include <string_view>

namespace pktsieve {

class ChunkedBody {
  public:
    enum class Result : uint8_t { more, done, malformed };
    // Consumes from the front of `in` what belongs to the body; `done`: the body ended (what
    // is left of `in` follows it); `malformed`: not a chunked body (stop following the flow).
    Result feed(std::string_view& in);

  private:
    static constexpr uint32_t kMaxLine = 1024;  // chunk-size line or trailer line
    // Ordered for size (16 bytes: it is part of every flow's match state).
    enum class State : uint8_t { size, extension, data, data_end, trailer } state_ = State::size;
    bool digits_ = false;          // the size line has a hex digit
    bool line_starts_cr_ = false;  // trailer state: the current line's first byte is '\r'
    uint32_t line_ = 0;            // bytes of the current line
    uint64_t left_ = 0;            // size being read, then data bytes left
};

}  // namespace pktsieve
