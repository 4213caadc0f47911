#include "rules/list_syntax.hpp"

#include <algorithm>
#include <string>

#include "rules/error.hpp"

namespace pktsieve {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_commas(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start <= text.size()) {
        const auto comma = std::min(text.find(',', start), text.size());
        out.push_back(trim(text.substr(start, comma - start)));
        start = comma + 1;
    }
    return out;
}

std::vector<std::string_view> split_list(std::string_view text) {
    if (text.size() < 2 || text.front() != '[' || text.back() != ']')
        throw SyntaxError("unbalanced brackets in '" + std::string(text) + "'");
    std::vector<std::string_view> out;
    int depth = 0;
    size_t start = 1;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
        if (text[i] == '[') ++depth;
        if (text[i] == ']' && --depth < 0)
            throw SyntaxError("unbalanced brackets in '" + std::string(text) + "'");
        if (text[i] == ',' && depth == 0) {
            out.push_back(trim(text.substr(start, i - start)));
            start = i + 1;
        }
    }
    if (depth != 0) throw SyntaxError("unbalanced brackets in '" + std::string(text) + "'");
    out.push_back(trim(text.substr(start, text.size() - 1 - start)));
    for (auto item : out)
        if (item.empty()) throw SyntaxError("empty item in list '" + std::string(text) + "'");
    return out;
}

}  // namespace pktsieve
