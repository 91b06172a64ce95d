#pragma once
// The pure part of a payout run: which balances are paid (at least min_payout, spendable, a
// valid address, not dust), how they are cut into transactions of at most N outputs, and the
// memory of the last batch the wallet refused, so the same refusal is not tried, written and
// logged again until something about it changes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bitcoin/network.h"

namespace pool::accounting {

using PayoutAmounts = std::map<std::string, int64_t>;  // address -> satoshis

/// A balance left out of this run and why (an invalid address, or dust).
struct SkippedPayout {
  std::string address;
  int64_t sats = 0;
  std::string why;
  bool dust = false;  // below its output's dust limit
};

struct PayoutSelection {
  PayoutAmounts amounts;
  std::vector<SkippedPayout> skipped;
};

/// The balances to pay: each less its credits the wallet cannot spend yet (`held_back`), at least
/// `min_payout_sats`, to an address valid on `network` and not below that address's dust limit
/// (Bitcoin Core would refuse the output). The pool's own account is never paid.
PayoutSelection select_payouts(const std::map<std::string, int64_t>& balances,
                               const std::map<std::string, int64_t>& held_back, int64_t min_payout_sats,
                               bitcoin::Network network);

/// Cuts `amounts` into batches of at most `max_outputs` outputs, in address order.
std::vector<PayoutAmounts> split_batches(const PayoutAmounts& amounts, int max_outputs);

/// Owns the circumstances of the last refused batch: its amounts, the wallet's spendable balance
/// and its lock state. The same refusal in the same circumstances is not logged or counted again;
/// a batch sendmany itself refused (rows written) is not tried again in them.
class PayoutRefusals {
 public:
  static std::string circumstances(const PayoutAmounts& batch, int64_t spendable_sats, const std::string& lock_state);
  bool refused_before(const std::string& circumstances) const { return !last_.empty() && last_ == circumstances; }
  void remember(std::string circumstances, std::string message, bool wrote_rows) {
    last_ = std::move(circumstances);
    message_ = std::move(message);
    wrote_rows_ = wrote_rows;
  }
  void forget() { last_.clear(), message_.clear(), wrote_rows_ = false; }
  const std::string& message() const { return message_; }
  bool wrote_rows() const { return wrote_rows_; }

 private:
  std::string last_, message_;
  bool wrote_rows_ = false;
};

}  // namespace pool::accounting
