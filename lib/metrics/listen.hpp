// Where --metrics listens: "PORT" (loopback), "HOST:PORT" or "[IPV6]:PORT".
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace pktsieve {

struct ListenAddress {
    std::string host;  // an address, without brackets for IPv6
    uint16_t port = 0;
    std::string url() const;  // http://host:port/metrics
};

// "PORT" (loopback: 127.0.0.1), "HOST:PORT" or "[IPV6]:PORT". Throws std::invalid_argument.
ListenAddress parse_listen_address(const std::string& text);

}  // namespace pktsieve
