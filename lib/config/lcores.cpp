#include "config/lcores.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "config/options.hpp"

namespace pktsieve {

Distribution parse_distribution(std::string_view s) {
    if (s == "auto") return Distribution::automatic;
    if (s == "queues") return Distribution::queues;
    if (s == "software") return Distribution::software;
    throw OptionError("--distribution must be auto, queues or software, not '" + std::string(s) +
                      "'");
}

std::string_view to_string(Distribution d) {
    switch (d) {
        case Distribution::queues:
            return "queues";
        case Distribution::software:
            return "software";
        default:
            return "auto";
    }
}

namespace {
unsigned number(std::string_view s, std::string_view whole) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size())
        throw OptionError("bad lcore list '" + std::string(whole) + "'");
    return v;
}
}  // namespace

std::vector<unsigned> parse_lcore_list(std::string_view s) {
    std::vector<unsigned> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = std::min(s.find(',', start), s.size());
        const auto item = s.substr(start, comma - start);
        start = comma + 1;
        const auto dash = item.find('-');
        const unsigned lo = number(item.substr(0, dash), s);
        const unsigned hi = dash == std::string_view::npos ? lo : number(item.substr(dash + 1), s);
        if (hi < lo) throw OptionError("bad lcore range in '" + std::string(s) + "'");
        for (unsigned l = lo; l <= hi; ++l)
            if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
    }
    return out;
}

LcoreLayout plan_lcores(const std::vector<unsigned>& enabled, bool need_rx,
                        const std::vector<unsigned>& chosen_workers, unsigned max_workers) {
    const unsigned needed = need_rx ? 4 : 3;
    auto short_of = [&] {
        return OptionError("need at least " + std::to_string(needed) +
                           " lcores (main, aggregator, " + (need_rx ? "RX, " : "") +
                           "one worker); the EAL has " + std::to_string(enabled.size()));
    };
    if (enabled.size() < 2) throw short_of();
    LcoreLayout l;
    l.main = enabled[0];
    auto is_chosen = [&](unsigned c) {
        return std::find(chosen_workers.begin(), chosen_workers.end(), c) != chosen_workers.end();
    };
    for (unsigned c : chosen_workers) {
        if (std::find(enabled.begin(), enabled.end(), c) == enabled.end())
            throw OptionError("worker lcore " + std::to_string(c) + " is not enabled in the EAL");
        if (c == l.main)
            throw OptionError("worker lcore " + std::to_string(c) + " is the main lcore");
    }
    std::vector<unsigned> free;
    for (size_t i = 1; i < enabled.size(); ++i)
        if (!is_chosen(enabled[i])) free.push_back(enabled[i]);
    auto take = [&]() -> unsigned {
        if (free.empty()) throw short_of();
        const unsigned c = free.front();
        free.erase(free.begin());
        return c;
    };
    l.aggregator = take();
    if (need_rx) l.rx = take();
    l.workers = chosen_workers.empty() ? free : chosen_workers;
    if (max_workers && l.workers.size() > max_workers) l.workers.resize(max_workers);
    if (l.workers.empty()) throw short_of();
    if (max_workers && l.workers.size() < max_workers)  // asked for, so never fewer in silence
        throw OptionError(std::to_string(max_workers) + " workers need " +
                          std::to_string(needed - 1 + max_workers) + " lcores (main, aggregator, " +
                          (need_rx ? "RX, " : "") + std::to_string(max_workers) +
                          " workers); the EAL has " + std::to_string(enabled.size()));
    return l;
}

}  // namespace pktsieve
