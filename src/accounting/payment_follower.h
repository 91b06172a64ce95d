#pragma once
// Following a sent payout until it is final. sendmany returning a txid does not mean the miners
// got paid: the transaction can be dropped from the node's mempool, abandoned in the wallet, or
// conflicted by another spend of its coins. The leader checks every sent payment that is not
// final yet, a bounded batch per round; each trouble raises one ALERT line when it begins (not on
// every round) and counts in pool_payouts_in_trouble until the transaction is back in the mempool
// or confirms. A payout whose transaction was fee-bumped (bumpfee: same comment, same outputs)
// is followed as the replacement from then on (Store::repoint_payment). Nothing is ever resent: whether to credit the miners back is the operator's call
// (`poold --recredit-payment`, payment_reversal.h).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::accounting {

struct FollowOptions {
  /// A payment is final (no longer followed) once its transaction has this many confirmations.
  int confirmations = 6;
  /// Out of the mempool with 0 confirmations for this long before it counts as evicted (a reorg
  /// or a node restart takes a transaction out briefly).
  std::chrono::milliseconds evicted_grace{std::chrono::minutes(5)};
  /// Payments checked per round (the rest wait for the next rounds, in id order, wrapping).
  int batch = 100;
  /// Set to the number of payments in trouble after every round (borrowed, may be null).
  std::atomic<int64_t>* in_trouble = nullptr;
};

struct FollowReport {
  int checked = 0;
  int finalized = 0;
  int alerts = 0;   // ALERT lines logged this round (a trouble that began or changed)
  int cleared = 0;  // troubles that ended this round
  int repointed = 0;  // payments now followed as the fee bump that replaced their transaction
  int64_t in_trouble = 0;
  std::string error;  // the node or the database could not be asked; states left as they were
};

/// Why a wallet send will not pay: "replaced" (by a fee bump, checked first: once the bump
/// confirms the original is conflicted too), "conflicted", "abandoned"; "" when it may.
std::string dead_send_reason(const node::WalletTransaction& tx);
/// What the operator does with an abandoned payout before it can be credited back.
std::string abandoned_instruction(int64_t id, const std::string& txid, int confirmations);

/// Owns the position in the list of payments it follows, so a long list is covered over rounds.
class PaymentFollower {
 public:
  explicit PaymentFollower(FollowOptions options) : options_(options) {}
  /// Checks the next batch of sent payments that are not final yet.
  FollowReport run_once(store::Store& store, node::BitcoinNode& wallet);
  const FollowOptions& options() const { return options_; }

 private:
  FollowOptions options_;
  int64_t after_id_ = 0;
};

}  // namespace pool::accounting
