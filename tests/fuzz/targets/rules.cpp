// libFuzzer: rule text through the parser and, for inputs whose first byte is a multiple of 8,
// the compiler front end and Hyperscan (a compile takes milliseconds: kept to a share of the
// inputs, which the fuzzer can still steer towards). Invariants in
// ../checks.hpp: errors name fuzz.rules and a line of the text, every parsed rule compiles or
// is reported as failed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0 || size > 16384) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (pktsieve::fuzz::check_rules(text, (data[0] & 7) == 0)) std::abort();
    return 0;
}
