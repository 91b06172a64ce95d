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

PplnsWeights::PplnsWeights(double max_difficulty)
    : max_exp_(max_difficulty > 0 && std::isfinite(max_difficulty) ? std::ilogb(max_difficulty) : INT32_MIN) {}

void PplnsWeights::add(std::string_view address, double difficulty) {
  if (!(difficulty > 0) || !std::isfinite(difficulty)) return;
  if (max_exp_ == INT32_MIN || std::ilogb(difficulty) > max_exp_) {
    throw std::logic_error("PPLNS share difficulty above the window's declared maximum");
  }
  const auto w = static_cast<unsigned __int128>(std::ldexp(difficulty, 90 - max_exp_));
  if (w == 0) return;
  auto it = weight_.find(address);
  if (it == weight_.end()) it = weight_.emplace(std::string(address), 0).first;
  it->second += w;
  total_ += w;  // at most 2^91 per share: room for 2^36 shares
}

Split PplnsWeights::split(int64_t reward_sats, double fee_percentage) const {
  Split split;
  if (reward_sats <= 0) return split;
  const int64_t fee_ppm = std::clamp<int64_t>(std::llround(fee_percentage * 10000.0), 0, 1000000);
  split.fee_sats = static_cast<int64_t>(static_cast<unsigned __int128>(reward_sats) * fee_ppm / 1000000);
  const int64_t distributable = reward_sats - split.fee_sats;
  if (total_ == 0) {
    split.remainder_sats = distributable;  // nobody to pay: everything stays with the pool
    return split;
  }
  int64_t paid = 0;
  for (const auto& [address, w] : weight_) {
    const int64_t credit = mul_div(static_cast<uint64_t>(distributable), w, total_);
    if (credit > 0) split.credits[address] = credit;
    paid += credit;
  }
  split.remainder_sats = distributable - paid;
  return split;
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
