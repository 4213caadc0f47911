#include "rules/vars.hpp"

#include "rules/error.hpp"

namespace pktsieve {

Vars::Vars() {
    vars_ = {
        {"HOME_NET", "any"},
        {"EXTERNAL_NET", "any"},
        {"HTTP_SERVERS", "$HOME_NET"},
        {"SMTP_SERVERS", "$HOME_NET"},
        {"SQL_SERVERS", "$HOME_NET"},
        {"DNS_SERVERS", "$HOME_NET"},
        {"TELNET_SERVERS", "$HOME_NET"},
        {"HTTP_PORTS",
         "[80,81,311,383,591,593,901,1220,1414,1741,1830,2301,2381,2809,3037,3128,3702,4343,4848,"
         "5250,6988,7000,7001,7144,7145,7510,7777,7779,8000,8008,8014,8028,8080,8085,8088,8090,"
         "8118,8123,8180,8181,8243,8280,8300,8800,8888,8899,9000,9060,9080,9090,9091,9200,9443,"
         "9999,11371,34443,34444,37564,41080,50002,55555]"},
        {"SHELLCODE_PORTS", "!80"},
        {"ORACLE_PORTS", "1521"},
        {"SSH_PORTS", "22"},
        {"TELNET_PORTS", "[23,2323]"},
        {"ES_PORTS", "[9200,9201]"},
        {"PROXY_PORTS", "[3128,8080,8090,8118,8123,8888,37564]"},
    };
}

void Vars::set(std::string_view a) {
    const auto eq = a.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw SyntaxError("variable assignment '" + std::string(a) + "' is not NAME=VALUE");
    std::string_view name = a.substr(0, eq);
    if (name.front() == '$') name.remove_prefix(1);
    if (name.empty()) throw SyntaxError("empty variable name in '" + std::string(a) + "'");
    vars_[std::string(name)] = std::string(a.substr(eq + 1));
}

const std::string& Vars::get(std::string_view name) const {
    auto it = vars_.find(std::string(name));
    if (it == vars_.end()) throw SyntaxError("undefined variable '$" + std::string(name) + "'");
    return it->second;
}

}  // namespace pktsieve
