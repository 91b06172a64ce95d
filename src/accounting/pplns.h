#pragma once
// PPLNS reward split, in integer satoshis: the fee comes off the top, the rest is split in
// proportion to each address's difficulty in the window, and rounding remainders go to the pool,
// so credits + pool part always equal the reward exactly.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace pool::accounting {

/// The PPLNS weight rule, the one place it is written (PplnsWeights and the committed window
/// leaves both use it): a window whose largest difficulty is D is scaled by 2^(90 - ilogb(D)), and
/// each share weighs floor(difficulty * 2^(90 - ilogb(D))), an unsigned 128-bit integer.
/// The scale exponent ilogb(D) of a window (INT32_MIN for an empty window, D <= 0 or not finite).
int weight_exponent(double max_difficulty);
/// One share's weight under `exponent` (0 for a difficulty that is not positive and finite).
/// Throws std::logic_error when the difficulty is above the window's declared maximum.
unsigned __int128 share_weight(double difficulty, int exponent);
/// The pool fee in parts per million: clamp(llround(fee_percentage * 10000), 0, 1000000).
int64_t fee_ppm_of(double fee_percentage);

struct Split {
  std::map<std::string, int64_t> credits;  // address -> satoshis
  int64_t fee_sats = 0;
  int64_t remainder_sats = 0;  // rounding leftovers
  int64_t pool_sats() const { return fee_sats + remainder_sats; }
};

/// Exact integer weights per address, fed one share at a time, so a window far larger than
/// memory can be split (memory grows with the number of addresses, not shares). Every
/// difficulty is scaled by one power of two so that `max_difficulty` weighs about 2^90: shares
/// within 2^37 of the largest (any realistic vardiff range) are weighed exactly, far smaller ones
/// with 90 bits of relative precision.
class PplnsWeights {
 public:
  /// `max_difficulty` is the largest difficulty that will be added (0 for an empty window).
  explicit PplnsWeights(double max_difficulty);
  /// Throws std::logic_error for a difficulty above the declared maximum.
  void add(std::string_view address, double difficulty);
  /// fee_percentage is 0..100 (resolution 0.0001%).
  Split split(int64_t reward_sats, double fee_percentage) const;

 private:
  int max_exp_;
  std::map<std::string, unsigned __int128, std::less<>> weight_;
  unsigned __int128 total_ = 0;
};

/// The split of a reward by integer weights: fee_sats = floor(reward * fee_ppm / 1e6), each
/// address floor(distributable * weight / total), the rest (rounding) to the pool. `total` must be
/// the sum of the weights. Pure; PplnsWeights and committed windows both split with it.
Split split_by_weights(const std::map<std::string, unsigned __int128, std::less<>>& weights, unsigned __int128 total,
                       int64_t reward_sats, int64_t fee_ppm);

/// The split of an in-memory window. Pure.
Split split_pplns(int64_t reward_sats, double fee_percentage, const std::vector<store::WeightedShare>& window);

/// Streams the store's window for a block found at until_ms and splits its reward.
Split split_window(store::Store& store, int64_t until_ms, double window, int64_t reward_sats, double fee_percentage);

}  // namespace pool::accounting
