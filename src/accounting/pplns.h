#pragma once
// PPLNS reward split, in integer satoshis: the fee comes off the top, the rest is split in
// proportion to each address's difficulty in the window, and rounding remainders go to the pool,
// so credits + pool part always equal the reward exactly.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace pool::accounting {

struct Split {
  std::map<std::string, int64_t> credits;  // address -> satoshis
  int64_t fee_sats = 0;
  int64_t remainder_sats = 0;  // rounding leftovers
  int64_t pool_sats() const { return fee_sats + remainder_sats; }
};

/// fee_percentage is 0..100 (resolution 0.0001%). Pure.
Split split_pplns(int64_t reward_sats, double fee_percentage, const std::vector<store::WeightedShare>& window);

}  // namespace pool::accounting
