#include "rules/classification.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "rules/list_syntax.hpp"

namespace pktsieve {

namespace {

// Suricata's own classification.config (the one it installs by default).
constexpr std::string_view kBuiltin = R"(
config classification: not-suspicious,Not Suspicious Traffic,3
config classification: unknown,Unknown Traffic,3
config classification: bad-unknown,Potentially Bad Traffic,2
config classification: attempted-recon,Attempted Information Leak,2
config classification: successful-recon-limited,Information Leak,2
config classification: successful-recon-largescale,Large Scale Information Leak,2
config classification: attempted-dos,Attempted Denial of Service,2
config classification: successful-dos,Denial of Service,2
config classification: attempted-user,Attempted User Privilege Gain,1
config classification: unsuccessful-user,Unsuccessful User Privilege Gain,1
config classification: successful-user,Successful User Privilege Gain,1
config classification: attempted-admin,Attempted Administrator Privilege Gain,1
config classification: successful-admin,Successful Administrator Privilege Gain,1
config classification: rpc-portmap-decode,Decode of an RPC Query,2
config classification: shellcode-detect,Executable code was detected,1
config classification: string-detect,A suspicious string was detected,3
config classification: suspicious-filename-detect,A suspicious filename was detected,2
config classification: suspicious-login,An attempted login using a suspicious username was detected,2
config classification: system-call-detect,A system call was detected,2
config classification: tcp-connection,A TCP connection was detected,4
config classification: trojan-activity,A Network Trojan was detected,1
config classification: unusual-client-port-connection,A client was using an unusual port,2
config classification: network-scan,Detection of a Network Scan,3
config classification: denial-of-service,Detection of a Denial of Service Attack,2
config classification: non-standard-protocol,Detection of a non-standard protocol or event,2
config classification: protocol-command-decode,Generic Protocol Command Decode,3
config classification: web-application-activity,access to a potentially vulnerable web application,2
config classification: web-application-attack,Web Application Attack,1
config classification: misc-activity,Misc activity,3
config classification: misc-attack,Misc Attack,2
config classification: icmp-event,Generic ICMP event,3
config classification: inappropriate-content,Inappropriate Content was Detected,1
config classification: policy-violation,Potential Corporate Privacy Violation,1
config classification: default-login-attempt,Attempt to login by a default username and password,2
config classification: targeted-activity,Targeted Malicious Activity was Detected,1
config classification: exploit-kit,Exploit Kit Activity Detected,1
config classification: external-ip-check,Device Retrieving External IP Address Detected,2
config classification: domain-c2,Domain Observed Used for C2 Detected,1
config classification: pup-activity,Possibly Unwanted Program Detected,2
config classification: credential-theft,Successful Credential Theft Detected,1
config classification: social-engineering,Possible Social Engineering Attempted,2
config classification: coin-mining,Crypto Currency Mining Activity Detected,2
config classification: command-and-control,Malware Command and Control Activity Detected,1
)";

constexpr std::string_view kPrefix = "config classification:";

}  // namespace

const Classifications& Classifications::builtin() {
    static const Classifications table = [] {
        std::vector<RuleError> errors;
        Classifications c = parse(kBuiltin, "built-in", errors);
        return c;
    }();
    return table;
}

Classifications Classifications::parse(std::string_view text, const std::string& file,
                                       std::vector<RuleError>& errors) {
    Classifications out;
    out.source_ = file;
    int lineno = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t nl = std::min(text.find('\n', pos), text.size());
        const std::string_view line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        ++lineno;
        if (line.empty() || line.front() == '#') continue;
        auto bad = [&](const std::string& why) { errors.push_back({file, lineno, why}); };
        if (line.substr(0, kPrefix.size()) != kPrefix) {
            bad("expected 'config classification: name,description,priority'");
            continue;
        }
        const auto fields = split_commas(line.substr(kPrefix.size()));
        if (fields.size() != 3 || fields[0].empty()) {
            bad("expected 'name,description,priority'");
            continue;
        }
        int priority = 0;
        const auto p = fields[2];
        const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), priority);
        if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || priority < 1 ||
            priority > 255) {
            bad("priority must be an integer in [1, 255], got '" + std::string(p) + "'");
            continue;
        }
        // A later line for the same name wins, as in Suricata.
        Classification c{std::string(fields[0]), std::string(fields[1]), priority};
        out.table_.insert_or_assign(c.name, std::move(c));
    }
    return out;
}

Classifications Classifications::load(const std::string& path, std::vector<RuleError>& errors) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        errors.push_back({path, 0, "cannot open classification file"});
        Classifications empty;
        empty.source_ = path;
        return empty;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path, errors);
}

const Classification* Classifications::find(std::string_view name) const {
    const auto it = table_.find(name);
    return it == table_.end() ? nullptr : &it->second;
}

}  // namespace pktsieve
