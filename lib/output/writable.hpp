// Checks at start-up that an output file can be written, so a daemon does not run for days and
// lose its final totals (or every alert) to a typo in a path. Thread-safety: pure function.
#pragma once

#include <string>

namespace pktsieve {

// "" when `path` can be created or appended to (and, with `beside`, a sibling `path + beside`
// created, as a write-then-rename needs); else the reason ("No such file or directory", ...).
// Leaves no file behind that was not there before, and never changes an existing one.
std::string writable(const std::string& path, const std::string& beside = "");

}  // namespace pktsieve
