// Attacker intel: what the parsers already read, cut into short texts worth counting — the
// Telnet user name and password a client tried, the host:port a proxy probe asks for, the file
// a traversal asks for, the command passed to exec() in an Elasticsearch script.
//
// Texts are attacker-controlled bytes: kept raw (at most IntelText::kMaxBytes, marked when
// cut) and escaped only when written (json_quote_untrusted).
// Thread-safety: pure functions and value types.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pktsieve {

// A bounded text key for SpaceSaving: a credential is two fields (user, password) in one.
struct IntelText {
    static constexpr size_t kMaxBytes = 120;
    static constexpr uint16_t kOneField = UINT16_MAX;
    uint16_t len = 0;
    uint16_t split = kOneField;         // where the second field begins (credentials)
    bool truncated = false;             // longer than kMaxBytes: cut
    std::array<char, kMaxBytes> bytes;  // the first len are the text (not cleared: hot path)

    static IntelText of(std::string_view a);
    static IntelText pair(std::string_view a, std::string_view b);
    std::string_view text() const { return {bytes.data(), len}; }
    std::string_view first() const { return text().substr(0, split == kOneField ? len : split); }
    std::string_view second() const {
        return split == kOneField ? std::string_view{} : text().substr(split);
    }
    uint64_t hash() const;
    bool operator==(const IntelText& o) const {
        return len == o.len && split == o.split && text() == o.text();
    }
    bool operator<(const IntelText& o) const {
        return text() != o.text() ? text() < o.text() : split < o.split;
    }
};

// The kinds of intel, each counted in its own summary.
enum class IntelKind : uint8_t {
    telnet_credentials,
    proxy_targets,
    traversal_targets,
    rce_commands
};
inline constexpr size_t kIntelKinds = 4;
std::string_view intel_kind_name(IntelKind k);

// A Telnet client's first two lines (after any empty ones): the user name and the
// password tried. `lines` is TelnetFollower::data() (each line ends "\r\n"). False until two
// lines are there.
bool telnet_login(std::string_view lines, IntelText& out);

// A proxy probe's target: CONNECT's authority ("host:port"), or an absolute URI's host and
// port ("http://host[:port]/..." -> "host:80"). False for an ordinary request.
bool proxy_target(std::string_view method, std::string_view uri_raw, IntelText& out);

// A request whose path climbs with "..", once percent-decoded (twice, for %252e): the file it
// asks for, dot segments resolved ("\\" as "/"), without the query.
bool traversal_target(std::string_view uri_raw, IntelText& out);

// The first string passed to exec( in `text` (a script in a URI, percent-decoded, or a JSON
// body): exec("id"), exec(\"id\") (JSON-escaped) or exec('id'); JSON escapes undone.
bool exec_command(std::string_view text, IntelText& out);

}  // namespace pktsieve
