#include "accounting/pplns.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace pool::accounting {

namespace {

/// floor(a * b / c) exactly, for c > 0 and a result below 2^63 (b <= c here).
int64_t mul_div(uint64_t a, unsigned __int128 b, unsigned __int128 c) {
  // 192-bit product as hi:lo, then binary long division.
  const unsigned __int128 mask64 = (static_cast<unsigned __int128>(1) << 64) - 1;
  const unsigned __int128 lo_part = (b & mask64) * a;
  const unsigned __int128 hi_part = (b >> 64) * a + (lo_part >> 64);
  const unsigned __int128 lo = (hi_part << 64) | (lo_part & mask64);
  const unsigned __int128 hi = hi_part >> 64;
  unsigned __int128 remainder = 0, quotient = 0;
  for (int bit = 191; bit >= 0; --bit) {
    const bool top = (remainder >> 127) != 0;
    remainder <<= 1;
    remainder |= bit >= 128 ? (hi >> (bit - 128)) & 1 : (lo >> bit) & 1;
    quotient <<= 1;
    if (top || remainder >= c) {
      remainder -= c;
      quotient |= 1;
    }
  }
  return static_cast<int64_t>(quotient);
}

}  // namespace

Split split_pplns(int64_t reward_sats, double fee_percentage, const std::vector<store::WeightedShare>& window) {
  Split split;
  if (reward_sats <= 0) return split;
  const int64_t fee_ppm = std::clamp<int64_t>(std::llround(fee_percentage * 10000.0), 0, 1000000);
  split.fee_sats = static_cast<int64_t>(static_cast<unsigned __int128>(reward_sats) * fee_ppm / 1000000);
  const int64_t distributable = reward_sats - split.fee_sats;

  // Exact integer weights: every difficulty scaled by one power of two so the largest share weighs
  // about 2^90. Shares whose difficulties lie within 2^37 of each other (any realistic vardiff
  // range) are represented exactly; far smaller ones keep 90 bits of relative precision.
  int max_exp = INT32_MIN;
  for (const auto& s : window) {
    if (s.difficulty > 0 && std::isfinite(s.difficulty)) max_exp = std::max(max_exp, std::ilogb(s.difficulty));
  }
  if (max_exp == INT32_MIN) {
    split.remainder_sats = distributable;  // nobody to pay: everything stays with the pool
    return split;
  }
  std::map<std::string, unsigned __int128> weight;
  unsigned __int128 total = 0;
  for (const auto& s : window) {
    if (!(s.difficulty > 0) || !std::isfinite(s.difficulty)) continue;
    const auto w = static_cast<unsigned __int128>(std::ldexp(s.difficulty, 90 - max_exp));
    if (w == 0) continue;
    weight[s.address] += w;
    total += w;  // at most 2^91 per share: room for 2^36 shares
  }
  int64_t paid = 0;
  for (const auto& [address, w] : weight) {
    const int64_t credit = mul_div(static_cast<uint64_t>(distributable), w, total);
    if (credit > 0) split.credits[address] = credit;
    paid += credit;
  }
  split.remainder_sats = distributable - paid;
  return split;
}

}  // namespace pool::accounting
