#include <catch2/catch.hpp>

#include <stdexcept>

#include "guard/guarded.hpp"

using namespace pktsieve;

TEST_CASE("guarded turns an exception into a report and the failure value", "[guard]") {
    std::string reported;
    auto report = [&](const std::string& what) { reported = what; };
    CHECK(guarded([] { return 7; }, report, -1) == 7);
    CHECK(reported.empty());
    CHECK(guarded([]() -> int { throw std::runtime_error("hs_alloc_scratch failed"); }, report,
                  -1) == -1);
    CHECK(reported == "hs_alloc_scratch failed");
    CHECK(guarded([]() -> int { throw 42; }, report, -2) == -2);
    CHECK(reported == "unknown exception");
    // A report that throws in turn still ends in the failure value, not std::terminate.
    CHECK(guarded([]() -> int { throw std::runtime_error("x"); },
                  [](const std::string&) { throw std::bad_alloc(); }, -3) == -3);
}
