// What the /pktsieve/* telemetry commands share: columns of a reply, a count parameter; and
// the observation commands (telemetry_observe.cpp) that telemetry.cpp registers.
// Thread-safety: called on DPDK's telemetry thread; replies read published views only.
#pragma once

#include <rte_telemetry.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace pktsieve::telemetry {

// Every string of a reply as printable ASCII: other bytes and " \\ % as %XX (so "café" is
// "caf%C3%A9"). DPDK's JSON writer escapes differently across 22.11 releases and 22.11.11
// garbles bytes >= 0x80 (invalid JSON); a string with none of those reads the same under
// each. At most DPDK's 127 bytes, whole escapes.
inline std::string telemetry_text(std::string_view raw) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : raw) {
        const bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%';
        if (out.size() + (plain ? 1 : 3) > RTE_TEL_MAX_STRING_LEN - 1) break;
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

// Telemetry frees containers added with keep = 0 together with the response.
template <typename T, typename Fn>
inline void add_u64_column(rte_tel_data* d, const char* name, const std::vector<T>& rows,
                           Fn value) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (!c) return;
    rte_tel_data_start_array(c, RTE_TEL_U64_VAL);
    for (const auto& r : rows) rte_tel_data_add_array_u64(c, value(r));
    rte_tel_data_add_dict_container(d, name, c, 0);
}

template <typename T, typename Fn>
inline void add_string_column(rte_tel_data* d, const char* name, const std::vector<T>& rows,
                              Fn value) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (!c) return;
    rte_tel_data_start_array(c, RTE_TEL_STRING_VAL);
    for (const auto& r : rows) rte_tel_data_add_array_string(c, telemetry_text(value(r)).c_str());
    rte_tel_data_add_dict_container(d, name, c, 0);
}

inline unsigned param_count(const char* params, unsigned def, unsigned max) {
    if (!params || !*params) return def;
    const unsigned long n = std::strtoul(params, nullptr, 10);
    return n == 0 ? def : static_cast<unsigned>(std::min<unsigned long>(n, max));
}

// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_params(const char* params);

// /pktsieve/document and /pktsieve/metrics (telemetry_document.cpp).
int document_cmd(const char*, const char* params, rte_tel_data* d);
int metrics_cmd(const char*, const char* params, rte_tel_data* d);

// /pktsieve/observations and /pktsieve/intel (telemetry_observe.cpp).
int observations_cmd(const char*, const char* params, rte_tel_data* d);
int intel_cmd(const char*, const char* params, rte_tel_data* d);

}  // namespace pktsieve::telemetry
