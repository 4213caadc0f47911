// Alert lines rendered into one reused buffer, for the aggregator's EVE log: what does not
// change between alerts is rendered once — a rule's "alert" object once per rule and set, the
// timestamp's date and time once per second — so a line costs its addresses, ports and copies.
// The lines are byte for byte eve_alert()'s (tests/unit/test_eve.cpp compares them).
// Thread-safety: one writer per thread (the aggregator's).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "classify/alert.hpp"
#include "rules/rule.hpp"

namespace pktsieve {

class EveAlertWriter {
  public:
    // Appends the alert's line to `out`. `rule_json` caches the rule's rendered part: empty the
    // first time (rendered then), kept by the caller per rule of a set and passed again.
    void append(fmt::memory_buffer& out, const AlertRecord& a, const Rule& r, unsigned lcore,
                std::string& rule_json);
    // The part of a line that depends on the rule alone: `"alert":{…}`.
    static std::string rule_json(const Rule& r);

  private:
    void append_timestamp(fmt::memory_buffer& out, uint64_t ts_us);
    uint64_t second_ = UINT64_MAX;  // of `date_time_`
    char date_time_[40] = {};       // "2015-05-20T12:34:56"
    uint32_t date_time_len_ = 0;
};

}  // namespace pktsieve
