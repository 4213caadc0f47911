#include "control/ctl_options.hpp"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "config/options.hpp"

namespace po = boost::program_options;

namespace pktsieve {

namespace {

po::options_description describe(CtlOptions& o) {
    po::options_description d("options");
    // clang-format off
    d.add_options()
        ("help,h", po::bool_switch(&o.help), "print this help and exit")
        ("file-prefix", po::value(&o.file_prefix)->value_name("PREFIX"),
         "the daemon's EAL --file-prefix (default: the one running pktsieve)")
        ("json", po::bool_switch(&o.json), "print the stats document (the same JSON --stats-json writes) instead of the table")
        ("prometheus", po::bool_switch(&o.prometheus),
         "print the Prometheus metrics (the text --metrics serves at /metrics), e.g. for "
         "node_exporter's textfile collector")
        ("watch", po::value(&o.watch_s)->default_value(0)->value_name("SECONDS"),
         "refresh every SECONDS until interrupted (0: print once)")
        ("top", po::value(&o.top)->default_value(10)->value_name("N"),
         "rules and ports to show (1..100)")
        ("timeout", po::value(&o.timeout_s)->value_name("SECONDS"),
         "give up on a daemon that does not answer within SECONDS (default: 30, and 600 for "
         "reload, whose reply waits for the compile)")
        ("rules", po::value(&o.rules)->value_name("FILE")->composing(),
         "reload: load these rule files instead of the running set's (repeatable)");
    // clang-format on
    return d;
}

}  // namespace

CtlOptions parse_ctl_command_line(int argc, const char* const* argv) {
    CtlOptions o;
    auto desc = describe(o);
    po::options_description hidden;
    std::vector<std::string> words;
    hidden.add_options()("words", po::value(&words));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("words", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw OptionError(e.what());
    }
    if (o.help) return o;
    if (words.empty()) throw OptionError("missing command (stats, raw); see --help");
    o.command = words[0];
    if (o.command == "stats") {
        if (words.size() > 1) throw OptionError("stats takes no argument");
    } else if (o.command == "raw") {
        if (words.size() != 2 || words[1].empty() || words[1][0] != '/')
            throw OptionError("raw needs one telemetry command, e.g. raw /pktsieve/stats");
        o.raw_command = words[1];
    } else if (o.command == "reload") {
        if (words.size() > 1) throw OptionError("reload takes no argument (use --rules FILE)");
        // The daemon may run elsewhere in the file system: it gets absolute paths.
        for (auto& f : o.rules) {
            if (f.find(',') != std::string::npos)
                throw OptionError("rule file names cannot contain ',': " + f);
            f = std::filesystem::absolute(f).lexically_normal().string();
            // Refused here, with the reason, rather than by the daemon after a round trip.
            std::error_code ec;
            if (!std::filesystem::exists(f, ec))
                throw OptionError("reload: no rule file or folder " + f);
            if (access(f.c_str(), R_OK) != 0)
                throw OptionError("reload: cannot read " + f + ": " + std::strerror(errno));
        }
    } else {
        throw OptionError("unknown command '" + o.command + "' (stats, raw, reload)");
    }
    if (!o.rules.empty() && o.command != "reload") throw OptionError("--rules is for reload");
    if (o.watch_s < 0) throw OptionError("--watch must be >= 0");
    if (!(o.timeout_s >= 0) || o.timeout_s > 86400)
        throw OptionError("--timeout must be in 0..86400 seconds (0: the default)");
    if (o.prometheus && (o.command != "stats" || o.json))
        throw OptionError("--prometheus is for stats, without --json");
    if (o.top == 0 || o.top > 100) throw OptionError("--top must be in 1..100");
    return o;
}

double ctl_timeout_s(const CtlOptions& o) {
    if (o.timeout_s > 0) return o.timeout_s;
    return o.command == "reload" ? 600 : 30;
}

std::string ctl_help_text() {
    CtlOptions o;
    std::ostringstream s;
    s << "usage: pktsieve-ctl [options] stats     show a running daemon's stats\n"
         "       pktsieve-ctl [options] raw CMD   send one DPDK telemetry command, print JSON\n"
         "       pktsieve-ctl [options] reload [--rules FILE...]\n"
         "                                        reload the rules (exit 1 and every error if\n"
         "                                        they are rejected; the running set stays)\n\n"
      << describe(o);
    return s.str();
}

}  // namespace pktsieve
