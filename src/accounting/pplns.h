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

/// The split of an in-memory window. Pure.
Split split_pplns(int64_t reward_sats, double fee_percentage, const std::vector<store::WeightedShare>& window);

/// Streams the store's window for a block found at until_ms and splits its reward.
Split split_window(store::Store& store, int64_t until_ms, double window, int64_t reward_sats, double fee_percentage);

}  // namespace pool::accounting
