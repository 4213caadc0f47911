#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/options.hpp"
#include "match/db_cache.hpp"
#include "match/load.hpp"
#include "rules/parser.hpp"

using namespace pktsieve;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/pktsieve-dbcache-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::vector<HsExpression> two_literals(const std::string& a = "abc") {
    std::vector<HsExpression> e(2);
    e[0].regex = a;
    e[0].id = 0;
    e[1].regex = "x[0-9]+y";
    e[1].id = 1;
    e[1].flags = HS_FLAG_CASELESS;
    return e;
}

int count_match(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
    ++*static_cast<int*>(ctx);
    return 0;
}

int matches(const hs_database_t* db, const std::string& text) {
    hs_scratch_t* s = nullptr;
    REQUIRE(hs_alloc_scratch(db, &s) == HS_SUCCESS);
    int n = 0;
    hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, s, count_match, &n);
    hs_free_scratch(s);
    return n;
}

std::vector<fs::path> entries(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    return out;
}

}  // namespace

TEST_CASE("a cached database is the one compiled; anything else is a miss", "[dbcache]") {
    TempDir tmp;
    DbCache cache((tmp.path / "cache").string());
    REQUIRE(cache.usable());
    CHECK((fs::status(tmp.path / "cache").permissions() & fs::perms::all) == fs::perms::owner_all);
    const auto exprs = two_literals();
    const std::string d = DbCache::describe(exprs, HS_MODE_BLOCK);
    CHECK(d != DbCache::describe(exprs, HS_MODE_STREAM));
    CHECK(d != DbCache::describe(two_literals("abd"), HS_MODE_BLOCK));
    auto flagged = exprs;
    flagged[0].flags |= HS_FLAG_SINGLEMATCH;
    CHECK(d != DbCache::describe(flagged, HS_MODE_BLOCK));
    auto bounded = exprs;
    bounded[0].ext.flags = HS_EXT_FLAG_MAX_OFFSET;
    bounded[0].ext.max_offset = 10;
    CHECK(d != DbCache::describe(bounded, HS_MODE_BLOCK));

    CHECK(cache.load(d) == nullptr);
    const CompiledDb c = compile_expressions(exprs, HS_MODE_BLOCK);
    REQUIRE(c.db);
    cache.store(d, c.db);
    hs_database_t* got = cache.load(d);
    REQUIRE(got);
    CHECK(matches(got, "..abc..X12Y..") == 2);
    CHECK(matches(got, "..ab..xy..") == 0);
    hs_free_database(got);
    hs_free_database(c.db);
    CHECK(cache.hits() == 1);
    CHECK(cache.misses() == 1);

    // A file whose description differs (a hash collision looks the same) or whose database is
    // damaged is not used.
    const auto files = entries(tmp.path / "cache");
    REQUIRE(files.size() == 1);
    std::string bytes;
    {
        std::ifstream in(files[0], std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto rewrite = [&](const std::string& b) {
        std::ofstream(files[0], std::ios::binary | std::ios::trunc) << b;
    };
    std::string other = bytes;
    other[8 + 20] ^= 1;  // inside the description
    rewrite(other);
    CHECK(cache.load(d) == nullptr);
    std::string damaged = bytes;
    damaged[damaged.size() - 40] ^= 0x55;  // inside the serialised database
    rewrite(damaged);
    CHECK(cache.load(d) == nullptr);
    rewrite(bytes.substr(0, bytes.size() - 100));  // cut short
    CHECK(cache.load(d) == nullptr);
    rewrite("");
    CHECK(cache.load(d) == nullptr);
    rewrite(bytes);
    hs_database_t* again = cache.load(d);
    CHECK(again != nullptr);
    hs_free_database(again);
}

TEST_CASE("a cache directory others may write to is not used", "[dbcache]") {
    TempDir tmp;
    fs::create_directory(tmp.path / "open");
    ::chmod((tmp.path / "open").c_str(), 0777);
    DbCache open((tmp.path / "open").string());
    CHECK_FALSE(open.usable());
    CHECK_THAT(open.problem(), Catch::Contains("writable by others"));
    std::ofstream(tmp.path / "file") << "x";
    DbCache file((tmp.path / "file").string());
    CHECK_FALSE(file.usable());
    const std::string d = DbCache::describe(two_literals(), HS_MODE_BLOCK);
    CHECK(open.load(d) == nullptr);
    const CompiledDb c = compile_expressions(two_literals(), HS_MODE_BLOCK);
    open.store(d, c.db);  // refused quietly
    hs_free_database(c.db);
    CHECK(entries(tmp.path / "open").empty());
}

TEST_CASE("the cache keeps its size bound, the least recently used files going first",
          "[dbcache]") {
    TempDir tmp;
    std::vector<std::string> descriptions;
    uint64_t one = 0;
    {
        DbCache cache(tmp.path.string());
        for (int i = 0; i < 6; ++i) {
            const auto exprs = two_literals("word" + std::to_string(i));
            descriptions.push_back(DbCache::describe(exprs, HS_MODE_BLOCK));
            const CompiledDb c = compile_expressions(exprs, HS_MODE_BLOCK);
            cache.store(descriptions.back(), c.db);
            hs_free_database(c.db);
        }
        one = fs::file_size(entries(tmp.path)[0]);
        // Ages: the first stored is the oldest, but it was used last.
        auto t = fs::file_time_type::clock::now() - std::chrono::hours(1);
        for (const auto& d : descriptions) {
            for (const auto& p : entries(tmp.path))
                if (fs::last_write_time(p) > t) {
                    fs::last_write_time(p, t);
                    break;
                }
            t += std::chrono::minutes(1);
            (void)d;
        }
        hs_database_t* db = cache.load(descriptions[0]);  // used now: kept
        REQUIRE(db);
        hs_free_database(db);
    }
    DbCache bounded(tmp.path.string(), one * 3 + one / 2);
    bounded.prune();
    CHECK(entries(tmp.path).size() == 3);
    hs_database_t* kept = bounded.load(descriptions[0]);
    CHECK(kept != nullptr);
    hs_free_database(kept);
}

TEST_CASE("a rule set loaded again comes from the cache and matches alike", "[dbcache]") {
    TempDir tmp;
    LoadOptions opts(1, TcpMatching::stream);
    opts.rule_cache = (tmp.path / "c").string();
    const std::string rules = PKTSIEVE_SOURCE_DIR "/signatures/pktsieve.rules";
    const auto first = load_ruleset({rules}, Vars(), opts);
    REQUIRE(first.ruleset);
    CHECK(first.profile.cached == 0);
    CHECK(first.cache_problem.empty());
    const auto second = load_ruleset({rules}, Vars(), opts);
    REQUIRE(second.ruleset);
    CHECK(second.profile.databases_built == first.profile.databases_built);
    CHECK(second.profile.cached == second.profile.databases_built);
    CHECK(second.ruleset->database_bytes() == first.ruleset->database_bytes());
    for (uint16_t port : {23, 80, 8080, 9200})
        CHECK((second.ruleset->database_for(kProtoTcp, port) == nullptr) ==
              (first.ruleset->database_for(kProtoTcp, port) == nullptr));
    opts.rule_cache = "/proc/pktsieve-cannot-be-here";
    const auto third = load_ruleset({rules}, Vars(), opts);
    REQUIRE(third.ruleset);  // compiled: the cache is a convenience
    CHECK_FALSE(third.cache_problem.empty());
}

TEST_CASE("--rule-cache auto picks a directory per user", "[dbcache][options]") {
    CHECK(rule_cache_dir("auto", 0, "/x", "/root") == "/var/cache/pktsieve");
    CHECK(rule_cache_dir("auto", 1000, "/home/u/.c", "/home/u") == "/home/u/.c/pktsieve");
    CHECK(rule_cache_dir("auto", 1000, nullptr, "/home/u") == "/home/u/.cache/pktsieve");
    CHECK(rule_cache_dir("auto", 1000, "relative", "/home/u") == "/home/u/.cache/pktsieve");
    CHECK(rule_cache_dir("auto", 1000, nullptr, nullptr) == "");
    CHECK(rule_cache_dir("none", 0, nullptr, nullptr) == "");
    CHECK(rule_cache_dir("/srv/c", 1000, nullptr, nullptr) == "/srv/c");
}
