#include "metrics/listen.hpp"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

namespace pktsieve {

std::string ListenAddress::url() const {
    return fmt::format("http://{}:{}/metrics",
                       host.find(':') != std::string::npos ? "[" + host + "]" : host, port);
}

ListenAddress parse_listen_address(const std::string& text) {
    ListenAddress a{"127.0.0.1", 0};
    std::string_view port = text;
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        a.host = text.substr(0, colon);
        port = std::string_view(text).substr(colon + 1);
        if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
            a.host = a.host.substr(1, a.host.size() - 2);
        else if (a.host.find(':') != std::string::npos)
            throw std::invalid_argument(
                fmt::format("'{}': write an IPv6 address in brackets, e.g. [::1]:9469", text));
        if (a.host.empty()) throw std::invalid_argument(fmt::format("'{}': no address", text));
    }
    unsigned n = 0;
    const auto r = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || n == 0 ||
        n > 65535)
        throw std::invalid_argument(
            fmt::format("'{}' is not PORT, ADDRESS:PORT or [IPV6]:PORT (port 1..65535)", text));
    a.port = static_cast<uint16_t>(n);
    return a;
}

}  // namespace pktsieve
