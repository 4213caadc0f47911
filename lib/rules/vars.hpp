// Rule variables ($HOME_NET, $HTTP_PORTS, ...): defaults, overrides, lookup.
// Thread-safety: build once at start-up, then read-only.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pktsieve {

class Vars {
  public:
    // Sensor defaults: HOME_NET and EXTERNAL_NET are "any" (a sensor's own addresses are the
    // targets), port groups follow Suricata's suricata.yaml defaults.
    Vars();
    // NAME=VALUE, NAME with or without '$'. Throws SyntaxError on a malformed assignment.
    void set(std::string_view assignment);
    void set(const std::string& name, const std::string& value) { vars_[name] = value; }
    // Throws SyntaxError naming the variable when it is undefined.
    const std::string& get(std::string_view name) const;
    const std::map<std::string, std::string>& all() const { return vars_; }

  private:
    std::map<std::string, std::string> vars_;
};

}  // namespace pktsieve
