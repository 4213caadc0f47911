#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/options.hpp"
#include "control/ctl_options.hpp"

using namespace pktsieve;

namespace {
CtlOptions parse(std::vector<const char*> args) {
    args.insert(args.begin(), "pktsieve-ctl");
    return parse_ctl_command_line(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("pktsieve-ctl commands and options", "[ctl]") {
    CHECK(parse({"stats"}).command == "stats");
    CHECK(parse({"--prometheus", "stats"}).prometheus);
    CHECK(parse({"raw", "/pktsieve/stats"}).raw_command == "/pktsieve/stats");
    CHECK_THROWS_WITH(parse({"--prometheus", "--json", "stats"}), Catch::Contains("--prometheus"));
    CHECK_THROWS_WITH(parse({"--prometheus", "raw", "/x"}), Catch::Contains("--prometheus"));
    CHECK_THROWS_WITH(parse({}), Catch::Contains("missing command"));
    CHECK_THROWS_WITH(parse({"stop"}), Catch::Contains("unknown command 'stop'"));
    CHECK_THROWS_WITH(parse({"--top", "0", "stats"}), Catch::Contains("--top"));
}

TEST_CASE("pktsieve-ctl waits for an answer at most --timeout, else its command's default",
          "[ctl]") {
    CHECK(ctl_timeout_s(parse({"stats"})) == 30);
    CHECK(ctl_timeout_s(parse({"reload"})) == 600);  // the reply waits for the compile
    CHECK(ctl_timeout_s(parse({"--timeout", "2.5", "stats"})) == 2.5);
    CHECK(ctl_timeout_s(parse({"--timeout", "5", "reload"})) == 5);
    CHECK_THROWS_WITH(parse({"--timeout", "-1", "stats"}), Catch::Contains("--timeout"));
    CHECK_THROWS_WITH(parse({"--timeout", "nan", "stats"}), Catch::Contains("--timeout"));
}

TEST_CASE("reload sends absolute paths of readable files and refuses others first", "[ctl]") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("pktsieve-ctl-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const auto rules = dir / "ok.rules";
    std::ofstream(rules) << "alert tcp any any -> any 80 (content:\"x\"; sid:1;)\n";
    const auto o = parse({"reload", "--rules", rules.c_str()});
    CHECK(o.rules == std::vector<std::string>{rules.string()});
    CHECK(parse({"reload", "--rules", dir.c_str()}).rules.size() == 1);  // a folder of rules
    CHECK_THROWS_WITH(
        parse({"reload", "--rules", (dir / "missing.rules").c_str()}),
        Catch::Contains("no rule file or folder") && Catch::Contains("missing.rules"));
    CHECK_THROWS_WITH(parse({"reload", "--rules", "a,b.rules"}), Catch::Contains("','"));
    if (getuid() != 0) {  // root reads whatever the mode says
        const auto secret = dir / "secret.rules";
        std::ofstream(secret) << "\n";
        std::filesystem::permissions(secret, std::filesystem::perms::none);
        CHECK_THROWS_WITH(parse({"reload", "--rules", secret.c_str()}),
                          Catch::Contains("cannot read"));
    }
    std::filesystem::remove_all(dir);
}
