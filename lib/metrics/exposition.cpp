#include "metrics/exposition.hpp"

#include <fmt/format.h>

#include "text/utf8.hpp"

namespace pktsieve {

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    append_utf8_escaped(out, v, [](std::string& o, unsigned char c, bool printable) {
        if (c == '\\')
            o += "\\\\";
        else if (c == '"')
            o += "\\\"";
        else if (c == '\n')
            o += "\\n";
        else if (!printable)
            o += fmt::format("\\\\x{:02x}", c);  // the text \xNN: no raw control or bad byte
        else
            o.push_back(static_cast<char>(c));
    });
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    return out;
}

void Exposition::family(const MetricInfo& m) {
    family(m.name, m.help, m.type);
}

void Exposition::family(std::string_view name, std::string_view help, MetricType type) {
    name_ = name;
    text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name,
                         type == MetricType::counter ? "counter" : "gauge");
}

void Exposition::labels(std::initializer_list<Label> labels) {
    text_ += name_;
    if (labels.size() == 0) return;
    text_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
        text_ += fmt::format("{}{}=\"{}\"", first ? "" : ",", k, escape_label_value(v));
        first = false;
    }
    text_ += '}';
}

void Exposition::sample(std::initializer_list<Label> l, uint64_t value) {
    labels(l);
    text_ += fmt::format(" {}\n", value);
}

void Exposition::sample(std::initializer_list<Label> l, double value) {
    labels(l);
    text_ += fmt::format(" {}\n", value);
}

}  // namespace pktsieve
