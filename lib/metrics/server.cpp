#include "metrics/server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <stdexcept>

namespace pktsieve {

struct MetricsServer::Impl {
    httplib::Server server;
};

MetricsServer::MetricsServer(const ListenAddress& at, std::function<std::string()> body)
    : impl_(std::make_unique<Impl>()) {
    auto& s = impl_->server;
    // Two threads: a scrape takes microseconds, and more would only compete with the main lcore.
    s.new_task_queue = [] { return new httplib::ThreadPool(2); };
    s.set_payload_max_length(4096);  // a GET has no body worth reading
    s.set_read_timeout(5, 0);
    s.set_write_timeout(5, 0);
    s.set_keep_alive_max_count(100);
    s.set_tcp_nodelay(true);  // headers and body leave at once: no delayed-ACK stall per scrape
    s.Get("/metrics", [body](const httplib::Request&, httplib::Response& res) {
        res.set_content(body(), "text/plain; version=0.0.4; charset=utf-8");
    });
    s.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("pktsieve: metrics at /metrics\n", "text/plain");
    });
    if (!s.bind_to_port(at.host, at.port))
        throw std::runtime_error(fmt::format("--metrics: cannot listen on {}:{} ({})", at.host,
                                             at.port, "address in use or not on this host"));
    thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
}

MetricsServer::~MetricsServer() {
    impl_->server.stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace pktsieve
