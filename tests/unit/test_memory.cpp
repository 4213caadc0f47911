// ZeroedArray's memory: what it asks of the kernel.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "memory/zeroed_array.hpp"

using namespace pktsieve;

namespace {

// The VmFlags line of the mapping that holds `addr` (/proc/self/smaps), empty when not found.
std::string vm_flags_of(const void* addr) {
    std::ifstream smaps("/proc/self/smaps");
    const auto at = reinterpret_cast<uintptr_t>(addr);
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        unsigned long lo = 0, hi = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {  // a mapping's first line
            inside = at >= lo && at < hi;
        } else if (inside && line.rfind("VmFlags:", 0) == 0) {
            return line;
        }
    }
    return {};
}

}  // namespace

TEST_CASE("large tables ask for transparent huge pages, small ones do not", "[memory]") {
    // The kernel reports the advice as the mapping's "hg" flag whatever its THP mode; a kernel
    // built without THP refuses the advice and has no such directory.
    if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage")) {
        WARN("kernel without transparent huge pages: nothing to check");
        return;
    }
    ZeroedArray<uint64_t> large(size_t{1} << 20);  // 8 MiB
    large[12345] = 1;
    const std::string flags = vm_flags_of(large.data());
    INFO(flags);
    REQUIRE(!flags.empty());
    CHECK(flags.find(" hg") != std::string::npos);
    ZeroedArray<uint64_t> mapped_small(size_t{1} << 15);  // 256 KiB: mapped, no advice
    mapped_small[1] = 1;
    const std::string small_flags = vm_flags_of(mapped_small.data());
    INFO(small_flags);
    CHECK(small_flags.find(" hg") == std::string::npos);
}
