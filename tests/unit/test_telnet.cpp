// The Telnet follower (lib/telnet) and the shipped Telnet rule on its telnet.data buffer.
#include <catch2/catch.hpp>

#include "shipped_run.hpp"
#include "telnet/follower.hpp"
#include "telnet/sessions.hpp"

using namespace pktsieve;
using namespace pktsieve::test;
using namespace std::string_literals;  // "...\0..."s keeps its NULs

namespace {

const std::string kNop = "\xff\xf1"s, kWillNaws = "\xff\xfb\x1f"s, kDoEcho = "\xff\xfd\x01"s,
                  kNaws = "\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0"s, kGa = "\xff\xf9"s;

// `word` with `between` put between every pair of its characters.
std::string interleave(const std::string& word, const std::string& between) {
    std::string out;
    for (size_t i = 0; i < word.size(); ++i) out += (i ? between : "") + word.substr(i, 1);
    return out;
}

std::string normalised(const std::string& in, size_t piece) {
    TelnetFollower t;
    for (size_t at = 0; at < in.size(); at += piece) t.feed(std::string_view(in).substr(at, piece));
    return std::string(t.data());
}

}  // namespace

TEST_CASE("Telnet negotiation anywhere is removed, in any pieces", "[telnet]") {
    for (const std::string& between : {kNop, kWillNaws, kDoEcho, kNaws, kGa, kNop + kNaws}) {
        const std::string typed = kWillNaws + interleave("root", between) + "\r\n" +
                                  interleave("xc3511", between) + "\r\0"s + kNaws + "ls\n";
        for (size_t piece : {1, 2, 3, 1000}) {
            INFO("piece " << piece);
            CHECK(normalised(typed, piece) == "root\r\nxc3511\r\nls\r\n");
        }
    }
}

TEST_CASE("Telnet line ends, IAC IAC and editing", "[telnet]") {
    CHECK(normalised(std::string("a\xff\xff"
                                 "b\r\n",
                                 6),
                     1) ==
          "a\xff"
          "b\r\n");  // a literal 255
    CHECK(normalised("admin\r\0admin\r\0"s, 1) == "admin\r\nadmin\r\n");
    CHECK(normalised("roox\x08t\r\npass\x7f\x7fss\n", 1) == "root\r\npass\r\n");
    CHECK(normalised("rooo\xff\xf7t\r\nwrong\xff\xf8right\r\n", 2) == "root\r\nright\r\n");
    CHECK(normalised("a\rb\r\r\nc", 1) == "a\r\nb\r\n\r\n");  // CR alone ends a line; c pends
    // SB data may hold IAC IAC (a 255) and SE only after IAC ends it.
    CHECK(normalised(std::string("\xff\xfa\x18\xff\xff\xf0x\xff\xf0user\r\n", 14), 1) ==
          "user\r\n");
    TelnetFollower t;
    CHECK(t.feed("abc") == 0);
    CHECK(t.pending() == "abc");
    CHECK(t.feed("\r\ndef\r\n") == 2);
    CHECK(t.data() == "abc\r\ndef\r\n");
}

TEST_CASE("Telnet data is bounded", "[telnet]") {
    TelnetFollower t;
    const std::string line(500, 'x');  // kept as its first kMaxLine bytes
    for (int i = 0; i < 5; ++i) t.feed(line + "\r\n");
    CHECK(t.full());
    CHECK(t.data().size() == TelnetFollower::kMaxData);
    CHECK(t.pending().empty());
    TelnetFollower u;
    u.feed(std::string(1000, 'y'));
    CHECK(u.pending().size() == TelnetFollower::kMaxLine);
}

namespace {

uint64_t telnet_alerts(const std::vector<Bytes>& frames, TcpMatching tcp) {
    auto rs = shipped(tcp);
    WorkerStats stats(rs->rules().size());
    auto alerts = std::make_unique<BurstAlerts>();
    Pipeline pipe(*rs, 0, stats, *alerts);
    for (const auto& f : frames) pipe.process(f.data(), static_cast<uint32_t>(f.size()), 1);
    pipe.finish();
    return stats.counters.alerts;
}

}  // namespace

TEST_CASE("a login with negotiation between every character alerts once", "[telnet]") {
    for (const std::string& between : {kNop, kWillNaws, kDoEcho, kNaws}) {
        const std::string typed =
            interleave("root", between) + "\r\n" + interleave("vizxv", between) + "\r\n";
        SECTION("one segment, stream mode") {
            Conversation c(41000, 23);
            c.server("login: ");
            c.client(typed);
            c.close();
            CHECK(telnet_alerts(c.frames, TcpMatching::stream) == 1);
        }
        SECTION("one segment, block mode") {
            Conversation c(41001, 23);
            c.client(typed);
            CHECK(telnet_alerts(c.frames, TcpMatching::block) == 1);
        }
        SECTION("one byte per segment, port 2323") {
            Conversation c(41002, 2323);
            for (char ch : typed) c.client(std::string(1, ch));
            c.close();
            CHECK(telnet_alerts(c.frames, TcpMatching::stream) == 1);
        }
    }
}

TEST_CASE("banners, prompts and negotiation without a login do not alert", "[telnet]") {
    Conversation c(41003, 23);
    c.server("\xff\xfd\x18\xff\xfd\x20\r\nWelcome\r\nlogin: ");
    c.client(kWillNaws + kNaws + kDoEcho);
    c.client(kNop + kNop);
    c.client("\r\n");  // an empty line: no user name
    c.close();
    CHECK(telnet_alerts(c.frames, TcpMatching::stream) == 0);
    Conversation d(41004, 23);
    d.client("root");  // a user name, never ended, no password
    d.close();
    CHECK(telnet_alerts(d.frames, TcpMatching::stream) == 0);
}

TEST_CASE("Telnet sessions: a bounded pool, each follower given back once its login is read",
          "[telnet]") {
    TelnetSessions s(1);
    TelnetSessions::Flow a, b, c;
    CHECK(s.feed(a, "ro").lines.empty());
    CHECK(s.feed(a, "ot\r\n").lines == "root\r\n");
    const auto none = s.feed(b, "x\r\n");  // the one follower is a's
    CHECK(none.no_follower);
    CHECK(b.done);
    CHECK(s.feed(b, "y\r\n").lines.empty());
    const std::string line(100, 'p');
    for (int i = 0; i < 5 && !a.done; ++i) s.feed(a, line + "\r\n");
    CHECK(a.done);                               // its first 512 bytes are read
    CHECK(s.feed(a, "more\r\n").lines.empty());  // ... and its follower is given back
    CHECK(s.feed(c, "user\r\n").lines == "user\r\n");
    s.restart(c);  // a gap: read anew
    CHECK(s.feed(c, "pw\r\n").lines == "pw\r\n");
}

TEST_CASE("Telnet sessions: every follower of the pool serves, and one given back starts empty",
          "[telnet]") {
    TelnetSessions s(3);
    TelnetSessions::Flow f[4];
    for (int i = 0; i < 3; ++i) {  // followers never used before
        const std::string user = "user" + std::to_string(i) + "\r\n";
        CHECK(s.feed(f[i], user).lines == user);
    }
    CHECK(s.feed(f[3], "x\r\n").no_follower);  // all three are in use
    s.restart(f[1]);                           // gives its follower back
    TelnetSessions::Flow late;
    CHECK(s.feed(late, "admin\r\n").lines == "admin\r\n");  // f[1]'s, without its lines
    CHECK(s.feed(f[0], "pw\r\n").lines == "user0\r\npw\r\n");
}
