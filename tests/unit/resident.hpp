// Test helper: this process's resident memory (/proc/self/statm), for tests that check memory
// is reserved, not written, until used.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdio>

namespace pktsieve::test {

inline size_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    unsigned long size = 0, pages = 0;
    if (f) {
        if (std::fscanf(f, "%lu %lu", &size, &pages) != 2) pages = 0;
        std::fclose(f);
    }
    return pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace pktsieve::test
