// pktsieve-ctl: read a running pktsieve through its DPDK telemetry socket.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "config/options.hpp"
#include "control/ctl_options.hpp"
#include "control/report.hpp"

namespace {

// Reload answers ok, the generation now running, and on failure every error as file:line.
int reload(pktsieve::TelemetryClient& client, const pktsieve::CtlOptions& o) {
    std::string cmd = "/pktsieve/reload";
    for (const auto& f : o.rules) cmd += "," + f;
    const auto reply = client.query(cmd);
    if (o.json) std::cout << reply.dump() << std::endl;
    for (const char* what : {"failed", "skipped"}) {
        if (!reply.contains(what)) continue;
        for (const auto& e : reply.at(what))
            std::cerr << what << " " << pktsieve::from_telemetry_text(e.get<std::string>()) << "\n";
        // A reply holds 16 KiB: the rest are counted, and --check-rules lists each.
        const auto count = reply.value(std::string(what) + "_count", size_t{0});
        if (count > reply.at(what).size())
            std::cerr << "... and " << count - reply.at(what).size() << " more " << what
                      << " (pktsieve --check-rules FILE lists each)\n";
    }
    if (reply.at("ok").get<int>() != 1) {
        for (const auto& e : reply.at("errors"))
            std::cerr << pktsieve::from_telemetry_text(e.get<std::string>()) << "\n";
        std::cerr << "pktsieve-ctl: reload rejected (" << reply.at("error_count").get<int>()
                  << " errors); generation " << reply.at("generation").get<uint64_t>()
                  << " keeps running\n";
        return 1;
    }
    if (!o.json)
        std::cout << "reloaded: generation " << reply.at("generation").get<uint64_t>() << ", "
                  << reply.at("rules_loaded").get<uint64_t>() << " rules, "
                  << reply.value("rules_failed", uint64_t{0}) << " failed, "
                  << reply.at("rules_skipped").get<uint64_t>() << " skipped, compiled in "
                  << reply.at("compile_us").get<uint64_t>() / 1000 << " ms\n";
    return 0;
}

int show(const pktsieve::CtlOptions& o) {
    const double timeout_s = pktsieve::ctl_timeout_s(o);
    const std::string socket = pktsieve::find_telemetry_socket(o.file_prefix, timeout_s);
    pktsieve::TelemetryClient client(socket, timeout_s);
    if (o.command == "reload") return reload(client, o);
    if (o.command == "raw") {
        std::cout << client.query(o.raw_command).dump(1) << "\n";
        return 0;
    }
    for (;;) {
        if (o.watch_s > 0 && !o.json) std::cout << "\x1b[H\x1b[2J";  // clear the terminal
        if (o.prometheus) {
            std::cout << pktsieve::fetch_document(client, "/pktsieve/metrics") << std::flush;
        } else {
            const auto report = pktsieve::fetch_report(client, socket);
            if (o.json)
                std::cout << report.text << std::flush;  // the --stats-json document, as is
            else
                std::cout << pktsieve::render_report(report, o.top) << std::flush;
        }
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
