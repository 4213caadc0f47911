// pktsieve-ctl: read a running pktsieve through its DPDK telemetry socket.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "config/options.hpp"
#include "control/ctl_options.hpp"
#include "control/report.hpp"

namespace {

int show(const pktsieve::CtlOptions& o) {
    const std::string socket = pktsieve::find_telemetry_socket(o.file_prefix);
    pktsieve::TelemetryClient client(socket);
    if (o.command == "raw") {
        std::cout << client.query(o.raw_command).dump(1) << "\n";
        return 0;
    }
    for (;;) {
        const auto report = pktsieve::fetch_report(client, socket, o.top);
        if (o.watch_s > 0 && !o.json) std::cout << "\x1b[H\x1b[2J";  // clear the terminal
        if (o.json)
            std::cout << pktsieve::report_json(report).dump() << std::endl;
        else
            std::cout << pktsieve::render_report(report) << std::flush;
        if (o.watch_s <= 0) return 0;
        std::this_thread::sleep_for(std::chrono::duration<double>(o.watch_s));
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto o = pktsieve::parse_ctl_command_line(argc, argv);
        if (o.help) {
            std::cout << pktsieve::ctl_help_text();
            return 0;
        }
        return show(o);
    } catch (const pktsieve::OptionError& e) {
        std::cerr << "pktsieve-ctl: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "pktsieve-ctl: " << e.what() << "\n";
        return 1;
    }
}
