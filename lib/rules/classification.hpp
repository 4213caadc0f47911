// classtype -> description and priority: Suricata's default table built in, or a
// classification.config (`config classification: name,description,priority` lines), as
// rulesets ship their own (ET Open adds pup-activity, coin-mining, credential-theft, ...).
// Thread-safety: immutable once built; the built-in table is a constant.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rules/error.hpp"

namespace pktsieve {

struct Classification {
    std::string name;
    std::string description;
    int priority = 3;
};

class Classifications {
  public:
    // Suricata's default classification.config.
    static const Classifications& builtin();
    // Parses a classification.config; every malformed line is one error (the rest still load).
    static Classifications parse(std::string_view text, const std::string& file,
                                 std::vector<RuleError>& errors);
    // Reads and parses `path`; an unreadable file is one error at line 0.
    static Classifications load(const std::string& path, std::vector<RuleError>& errors);

    // nullptr when the classtype is unknown.
    const Classification* find(std::string_view name) const;
    size_t size() const { return table_.size(); }
    const std::string& source() const { return source_; }  // file read, or "built-in"

  private:
    std::map<std::string, Classification, std::less<>> table_;
    std::string source_ = "built-in";
};

}  // namespace pktsieve
