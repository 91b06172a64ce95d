#include "accounting/pplns.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <stdexcept>

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

int weight_exponent(double max_difficulty) {
  return max_difficulty > 0 && std::isfinite(max_difficulty) ? std::ilogb(max_difficulty) : INT32_MIN;
}

unsigned __int128 share_weight(double difficulty, int exponent) {
  if (!(difficulty > 0) || !std::isfinite(difficulty)) return 0;
  if (exponent == INT32_MIN || std::ilogb(difficulty) > exponent) {
    throw std::logic_error("PPLNS share difficulty above the window's declared maximum");
  }
  return static_cast<unsigned __int128>(std::ldexp(difficulty, 90 - exponent));
}

int64_t fee_ppm_of(double fee_percentage) {
  return std::clamp<int64_t>(std::llround(fee_percentage * 10000.0), 0, 1000000);
}

Split split_by_weights(const std::map<std::string, unsigned __int128, std::less<>>& weights, unsigned __int128 total,
                       int64_t reward_sats, int64_t fee_ppm) {
  Split split;
  if (reward_sats <= 0) return split;
  fee_ppm = std::clamp<int64_t>(fee_ppm, 0, 1000000);
  split.fee_sats = static_cast<int64_t>(static_cast<unsigned __int128>(reward_sats) * fee_ppm / 1000000);
  const int64_t distributable = reward_sats - split.fee_sats;
  if (total == 0) {
    split.remainder_sats = distributable;  // nobody to pay: everything stays with the pool
    return split;
  }
  int64_t paid = 0;
  for (const auto& [address, w] : weights) {
    const int64_t credit = mul_div(static_cast<uint64_t>(distributable), w, total);
    if (credit > 0) split.credits[address] = credit;
    paid += credit;
  }
  split.remainder_sats = distributable - paid;
  return split;
}

PplnsWeights::PplnsWeights(double max_difficulty) : max_exp_(weight_exponent(max_difficulty)) {}

void PplnsWeights::add(std::string_view address, double difficulty) {
  const unsigned __int128 w = share_weight(difficulty, max_exp_);
  if (w == 0) return;
  auto it = weight_.find(address);
  if (it == weight_.end()) it = weight_.emplace(std::string(address), 0).first;
  it->second += w;
  total_ += w;  // at most 2^91 per share: room for 2^36 shares
}

Split PplnsWeights::split(int64_t reward_sats, double fee_percentage) const {
  return split_by_weights(weight_, total_, reward_sats, fee_ppm_of(fee_percentage));
}

Split split_pplns(int64_t reward_sats, double fee_percentage, const std::vector<store::WeightedShare>& window) {
  double max_difficulty = 0;
  for (const auto& s : window) {
    if (std::isfinite(s.difficulty)) max_difficulty = std::max(max_difficulty, s.difficulty);
  }
  PplnsWeights weights(max_difficulty);
  for (const auto& s : window) weights.add(s.address, s.difficulty);
  return weights.split(reward_sats, fee_percentage);
}

Split split_window(store::Store& store, int64_t until_ms, double window, int64_t reward_sats, double fee_percentage) {
  double max_difficulty = 0;
  std::optional<PplnsWeights> weights;
  // Pass 0 finds the largest difficulty, pass 1 weighs every share; both see one snapshot.
  store.walk_window(until_ms, window, 2, [&](int pass, const store::WindowShare& s) {
    if (pass == 0) {
      if (std::isfinite(s.difficulty)) max_difficulty = std::max(max_difficulty, s.difficulty);
      return;
    }
    if (!weights) weights.emplace(max_difficulty);
    weights->add(s.address, s.difficulty);
  });
  if (!weights) weights.emplace(0.0);
  return weights->split(reward_sats, fee_percentage);
}

}  // namespace pool::accounting
