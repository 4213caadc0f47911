// libFuzzer: the chunked-body state machine fed whole and cut into pieces of 1-16 bytes (the
// first byte says how many): the same end and the same bytes after the body (../checks.hpp).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (pktsieve::fuzz::check_chunked(body, 1 + data[0] % 16)) std::abort();
    return 0;
}
