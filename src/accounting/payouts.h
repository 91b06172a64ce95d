#pragma once
// Payouts that are never sent twice: a payout and its amounts are written as `pending` (balances
// reserved) in one transaction before sendmany; the txid and the network fee are recorded after.
// A pending payout found later is reconciled against the wallet by its unique comment and either
// completed or released, never re-sent blindly. The fee comes out of the recipients' amounts
// (sendmany's subtractfeefrom), so the wallet spends exactly what the books debit. At most
// max_outputs recipients per transaction; a batch the wallet refuses stops the run, is logged and
// counted once, and is not written again while nothing about it changed.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounting/payout_plan.h"
#include "bitcoin/network.h"
#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::accounting {

struct PayoutOptions {
  int64_t min_payout_sats = 100000;
  /// Recipients per transaction (config [pool] payout_max_outputs); more balances go in more
  /// transactions, one payment row and one comment each.
  int max_outputs = 250;
  bitcoin::Network network = bitcoin::Network::kMain;
  std::string comment_prefix = "bitcoin-mining-pool payout ";
  /// Test hook: called at "before_send", "after_send" and "after_record".
  std::function<void(const char* point)> checkpoint;
  /// Counts wallet sends beyond the first found for one payout's comment (money paid twice);
  /// borrowed, may be null. Exposed as pool_payout_duplicate_sends_total.
  std::atomic<uint64_t>* duplicate_sends = nullptr;
  /// Counts batches the wallet refused (locked, short of funds, a bad output, any sendmany
  /// error), once per distinct refusal; borrowed, may be null. pool_payout_refused_total.
  std::atomic<uint64_t>* refused = nullptr;
  /// Remembers the last refusal so the same batch in the same circumstances is not attempted
  /// (no rows written) or logged again; borrowed, may be null (then every run tries again).
  PayoutRefusals* refusals = nullptr;
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
  bool refused = false;  // the wallet refused a batch (logged by run_payouts, once per refusal)
  int64_t paid_sats = 0;  // what the books paid: the outputs plus the fees taken from them
  int64_t fee_sats = 0;
  int recipients = 0;
  std::vector<std::string> txids;  // one per batch sent, in order
  std::string txid;                // the last of them
  std::string error;  // why the run stopped, if it did (the batches after it wait)
};

/// Completes or releases every pending payout by looking for its comment in the wallet. Leaves
/// them pending if the node cannot be asked. More than one wallet send with one payout's comment
/// means it was paid more than once: logged as an error and counted in options.duplicate_sends.
PayoutReport reconcile_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options);

/// Reconciles, then pays every balance of at least min_payout (not dust) in batches of at most
/// max_outputs, one sendmany each, one after another; a refused or unknown batch ends the run.
PayoutReport run_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options);

}  // namespace pool::accounting
