#pragma once
// Payouts that are never sent twice: a payout and its amounts are written as `pending` (balances
// reserved) in one transaction before sendmany; the txid is recorded after. A pending payout
// found later is reconciled against the wallet by its unique comment and either completed or
// released, never re-sent blindly.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "bitcoin/network.h"
#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::accounting {

struct PayoutOptions {
  int64_t min_payout_sats = 100000;
  bitcoin::Network network = bitcoin::Network::kMain;
  std::string comment_prefix = "bitcoin-mining-pool payout ";
  /// Test hook: called at "before_send", "after_send" and "after_record".
  std::function<void(const char* point)> checkpoint;
  /// Counts wallet sends beyond the first found for one payout's comment (money paid twice);
  /// borrowed, may be null. Exposed as pool_payout_duplicate_sends_total.
  std::atomic<uint64_t>* duplicate_sends = nullptr;
  /// A pending payment the wallet has no send for is released only once it is this old. Its
  /// sendmany may still be queued in the node (a deadline that fired, the wallet lock held by a
  /// rescan) or in flight from a leader that just lost its lock; releasing it then and paying
  /// again would pay twice. 0 releases at once (tests of crashes before sendmany).
  std::chrono::milliseconds release_grace{0};
  /// Asked right before sendmany; false (this instance no longer leads) leaves the payment
  /// pending for the new leader's reconciliation. May be empty.
  std::function<bool()> still_leading;
};

struct PayoutReport {
  int reconciled_sent = 0;
  int reconciled_released = 0;
  int reconciled_waiting = 0;  // not in the wallet yet, but younger than release_grace: left pending
  int duplicate_sends = 0;  // extra wallet sends found for one comment (an alert was logged)
  bool outcome_unknown = false;  // sendmany left and no answer came; the payment stays pending
  int64_t paid_sats = 0;
  int recipients = 0;
  std::string txid;
  std::string error;  // why nothing was paid this round, if so
};

/// Completes or releases every pending payout by looking for its comment in the wallet. Leaves
/// them pending if the node cannot be asked. More than one wallet send with one payout's comment
/// means it was paid more than once: logged as an error and counted in options.duplicate_sends.
PayoutReport reconcile_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options);

/// Reconciles, then pays every balance of at least min_payout in one sendmany.
PayoutReport run_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options);

}  // namespace pool::accounting
