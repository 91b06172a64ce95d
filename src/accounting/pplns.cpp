#include "accounting/pplns.h"

#include <algorithm>
#include <cmath>

namespace pool::accounting {

Split split_pplns(int64_t reward_sats, double fee_percentage, const std::vector<store::WeightedShare>& window) {
  Split split;
  if (reward_sats <= 0) return split;
  const int64_t fee_ppm = std::clamp<int64_t>(std::llround(fee_percentage * 10000.0), 0, 1000000);
  split.fee_sats = static_cast<int64_t>(static_cast<unsigned __int128>(reward_sats) * fee_ppm / 1000000);
  const int64_t distributable = reward_sats - split.fee_sats;

  std::map<std::string, double> difficulty;
  for (const auto& s : window) {
    if (s.difficulty > 0 && std::isfinite(s.difficulty)) difficulty[s.address] += s.difficulty;
  }
  double largest = 0;
  for (const auto& [address, d] : difficulty) largest = std::max(largest, d);
  if (largest <= 0) {
    split.remainder_sats = distributable;  // nobody to pay: everything stays with the pool
    return split;
  }
  // Integer weights with 62 bits of resolution relative to the largest contributor; the
  // products below stay under 2^113.
  std::map<std::string, unsigned __int128> weight;
  unsigned __int128 total = 0;
  for (const auto& [address, d] : difficulty) {
    const auto w = static_cast<unsigned __int128>(std::ldexp(d / largest, 62));
    if (w == 0) continue;
    weight[address] = w;
    total += w;
  }
  int64_t paid = 0;
  for (const auto& [address, w] : weight) {
    const auto credit = static_cast<int64_t>(static_cast<unsigned __int128>(distributable) * w / total);
    if (credit > 0) split.credits[address] = credit;
    paid += credit;
  }
  split.remainder_sats = distributable - paid;
  return split;
}

}  // namespace pool::accounting
