#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "watch/file_watch.hpp"

using namespace pktsieve;

namespace {

void write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

}  // namespace

TEST_CASE("a rewritten or replaced rule file is noticed once things settle", "[watch]") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("pktsieve-watch-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto rules = dir / "a.rules";
    write(rules, "one");
    FileWatch w({rules.string()}, 200);
    CHECK_FALSE(w.changed(1000));
    write(dir / "other.txt", "not watched");
    CHECK_FALSE(w.changed(2000));

    write(rules, "two");           // in place
    CHECK_FALSE(w.changed(3000));  // the event is seen now; it must settle for 200 ms
    CHECK_FALSE(w.changed(3100));
    CHECK(w.changed(3300));
    CHECK_FALSE(w.changed(4000));  // once

    write(dir / "a.rules.tmp", "three");  // written aside, then renamed over the file
    std::filesystem::rename(dir / "a.rules.tmp", rules);
    CHECK_FALSE(w.changed(5000));
    CHECK(w.changed(5300));

    const auto b = dir / "b.rules";
    write(b, "b");
    w.watch({b.string()});
    write(rules, "four");
    CHECK_FALSE(w.changed(6000));
    CHECK_FALSE(w.changed(7000));  // a.rules is no longer watched
    write(b, "b2");
    CHECK_FALSE(w.changed(8000));
    CHECK(w.changed(8300));
    std::filesystem::remove_all(dir);
}
