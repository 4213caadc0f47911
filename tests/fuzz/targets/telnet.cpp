// libFuzzer: the Telnet follower fed whole and cut into pieces of 1-16 bytes (the first byte
// says how many) ends in the same state (../checks.hpp).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view typed(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (pktsieve::fuzz::check_telnet(typed, 1 + data[0] % 16)) std::abort();
    return 0;
}
