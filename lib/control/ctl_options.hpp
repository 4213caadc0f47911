// Command line of pktsieve-ctl, kept in lib/ so it is tested.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace pktsieve {

struct CtlOptions {
    std::string command;             // "stats", "raw" or "reload"
    std::string raw_command;         // with "raw": the telemetry command to send
    std::string file_prefix;         // empty: find the one running pktsieve
    std::vector<std::string> rules;  // reload: absolute paths of the new rule files
    bool json = false;
    bool prometheus = false;  // stats: the /metrics text
    double watch_s = 0;       // 0: once
    unsigned top = 10;
    double timeout_s = 0;  // --timeout; 0: the command's default (ctl_timeout_s)
    bool help = false;
};

// How long pktsieve-ctl waits for the daemon to accept it and answer each request: --timeout,
// else 30 s, and 600 s for a reload's reply (compiling a large set takes minutes on a small
// machine). A daemon that stops answering gives an error naming what was waited for, not a
// hung command.
double ctl_timeout_s(const CtlOptions& o);

// Throws OptionError (config/options.hpp) with a message for the user.
CtlOptions parse_ctl_command_line(int argc, const char* const* argv);
std::string ctl_help_text();

}  // namespace pktsieve
