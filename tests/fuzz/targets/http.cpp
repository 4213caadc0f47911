// libFuzzer: an HTTP request head through the parser (views inside the head, the URI never
// grows when normalised; ../checks.hpp).
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "../checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<char> head(data, data + size);  // exact size: ASan sees overreads
    if (pktsieve::fuzz::check_http_head(std::string_view(head.data(), head.size()))) std::abort();
    return 0;
}
