// The Prometheus text exposition format (version 0.0.4): metric families with HELP and TYPE,
// each family's samples together, label values escaped. Label values come from rule files and
// attackers, so any byte is safe: valid UTF-8 passes, `\` `"` and newline are escaped as the
// format says, and control or invalid bytes are written as the text \xNN.
// Thread-safety: one Exposition per rendering.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace pktsieve {

enum class MetricType { counter, gauge };

// What a metric family is, described once (name, help, type) like a counter table row.
struct MetricInfo {
    std::string_view name;
    std::string_view help;
    MetricType type;
};

using Label = std::pair<std::string_view, std::string_view>;

class Exposition {
  public:
    // Starts a family: its HELP and TYPE lines. Samples that follow belong to it.
    void family(const MetricInfo& m);
    void family(std::string_view name, std::string_view help, MetricType type);
    // A sample of the current family.
    void sample(std::initializer_list<Label> labels, uint64_t value);
    void sample(std::initializer_list<Label> labels, double value);
    const std::string& text() const { return text_; }
    std::string take() { return std::move(text_); }

  private:
    void labels(std::initializer_list<Label> labels);
    std::string text_;
    std::string name_;
};

// A label value as the format writes it between quotes.
std::string escape_label_value(std::string_view v);
// HELP text: `\` and newline escaped.
std::string escape_help(std::string_view v);

}  // namespace pktsieve
