// HyperLogLog (Flajolet et al. 2007) with the small-range correction (linear counting): the
// number of distinct items added, in 2^P one-byte registers, with a relative standard error of
// 1.04 / sqrt(2^P) (P = 8: 6.5 %; P = 10: 3.25 %). Two sketches of the same P merge exactly
// (register-wise maximum), so workers' and intervals' sketches combine into the sketch of the
// union. Items are added as 64-bit hashes (address_hash for addresses).
// Thread-safety: a value type; one writer.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "packet/flow_hash.hpp"
#include "packet/packet.hpp"

namespace pktsieve {

template <unsigned P>
class HyperLogLog {
    static_assert(P >= 4 && P <= 16);

  public:
    static constexpr size_t kRegisters = size_t{1} << P;
    static double standard_error() { return 1.04 / std::sqrt(double(kRegisters)); }

    void add(uint64_t hash) {
        const size_t idx = hash >> (64 - P);
        // Rank of the first 1 bit in the remaining 64 - P bits (a sentinel bit bounds it).
        const uint64_t rest = (hash << P) | (uint64_t{1} << (P - 1));
        const auto rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
        if (rank > reg_[idx]) reg_[idx] = rank;
    }
    void merge(const HyperLogLog& o) {
        for (size_t i = 0; i < kRegisters; ++i) reg_[i] = reg_[i] > o.reg_[i] ? reg_[i] : o.reg_[i];
    }
    void clear() { reg_.fill(0); }
    bool empty() const {
        for (uint8_t r : reg_)
            if (r) return false;
        return true;
    }
    double estimate() const {
        constexpr double m = double(kRegisters);
        constexpr double alpha = P == 4   ? 0.673
                                 : P == 5 ? 0.697
                                 : P == 6 ? 0.709
                                          : 0.7213 / (1 + 1.079 / m);
        double sum = 0;
        unsigned zeros = 0;
        for (uint8_t r : reg_) {
            sum += std::ldexp(1.0, -int(r));
            zeros += r == 0;
        }
        const double raw = alpha * m * m / sum;
        if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / double(zeros));
        return raw;
    }
    const std::array<uint8_t, kRegisters>& registers() const { return reg_; }
    std::array<uint8_t, kRegisters>& registers() { return reg_; }

  private:
    std::array<uint8_t, kRegisters> reg_{};
};

// A well-spread 64-bit hash of an address (IPv4 addresses are stored IPv4-mapped).
inline uint64_t address_hash(const IpAddr& a) {
    uint64_t lo, hi;
    std::memcpy(&lo, a.data(), 8);
    std::memcpy(&hi, a.data() + 8, 8);
    return detail::fmix(detail::fmix(lo) ^ hi ^ 0x5bd1e9955bd1e995ull);
}

// Per-port sources (many sketches): 256 registers; sensor addresses and threats: 1,024.
using PortSketch = HyperLogLog<8>;
using WideSketch = HyperLogLog<10>;

}  // namespace pktsieve
