#include "accounting/payouts.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "accounting/payment_follower.h"
#include "bitcoin/transaction.h"

namespace pool::accounting {

namespace {
using bitcoin::kCoinbaseSpendableDepth;

constexpr const char* kLockedMessage =
    "the wallet is locked (encrypted, no passphrase entered): nothing was sent. Unlock it "
    "(bitcoin-cli walletpassphrase \"<passphrase>\" <seconds>, long enough for the payout run) or pay from "
    "an unencrypted wallet; the payout goes out at the next try once the wallet is unlocked";

std::string lock_state(const std::optional<int64_t>& unlocked_until) {
  if (!unlocked_until) return "unencrypted";
  return *unlocked_until == 0 ? "locked" : "unlocked";
}

int64_t sum(const PayoutAmounts& amounts) {
  int64_t total = 0;
  for (const auto& [address, sats] : amounts) total += sats;
  return total;
}

/// One log line and one count per distinct refusal (the same refusal met again in the same
/// circumstances is quiet). `wrote_rows`: sendmany itself refused, after a payment was written and
/// released; such a batch is not tried again until its circumstances change.
void refuse(PayoutReport& report, const PayoutOptions& options, const std::string& circumstances, std::string message,
            bool wrote_rows = false) {
  const bool again = options.refusals && options.refusals->refused_before(circumstances) &&
                     options.refusals->message() == message;
  if (!again) {
    spdlog::error("payout refused: {}", message);
    if (options.refused) ++*options.refused;
  }
  if (options.refusals) options.refusals->remember(circumstances, message, wrote_rows);
  report.refused = true;
  report.error = "payout refused: " + message;
}

/// Errors sendmany raises before the wallet commits a transaction: invalid amount (-3), address
/// (-5) or parameter (-8), insufficient funds (-6), a locked wallet (-13), a wallet error such as
/// a fee or coin selection failure (-4). Any other code does not prove that nothing was sent.
bool refused_before_commit(const node::RpcError& e) {
  switch (e.code()) {
    case -3: case -4: case -5: case -6: case -8: case node::kRpcWalletUnlockNeeded: return true;
    default: return false;
  }
}

/// Why sendmany refused, and what the operator must do about it.
std::string refusal_message(const node::RpcError& e, const PayoutAmounts& batch) {
  if (e.code() == node::kRpcWalletUnlockNeeded) return kLockedMessage;
  return "sendmany refused the batch of " + std::to_string(batch.size()) + " outputs for " +
         node::sats_to_btc_string(sum(batch)) + " BTC (error " + std::to_string(e.code()) + ": " + e.rpc_message() +
         "); nothing was sent and the balances were given back. Check the wallet (bitcoin-cli getwalletinfo, "
         "getbalances) and the amounts; the same batch is not tried again until the wallet's balance or lock "
         "state or the amounts change";
}
}  // namespace

PayoutReport reconcile_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options) {
  PayoutReport report;
  for (const auto& p : store.payments(std::string("pending"), 1000)) {
    std::vector<node::WalletTransaction> sends, dead;
    try {
      // Look back to two hours before the payout was written (wallet and pool clocks may differ).
      for (auto& tx : node.find_all_sends_by_comment(p.comment, p.created_ms / 1000 - 7200)) {
        (dead_send_reason(tx).empty() ? sends : dead).push_back(std::move(tx));
      }
    } catch (const std::exception& e) {
      report.error = std::string("cannot reconcile pending payouts: ") + e.what();
      return report;  // leave them pending; never guess
    }
    int64_t items = 0;
    for (const auto& [address, sats] : p.amounts) items += sats;
    // The miners' fee is what came out of their outputs (a fee bump's extra comes from the change).
    const auto miners_fee = [&](const node::WalletTransaction& tx) {
      return tx.sent_sats > 0 ? items - tx.sent_sats : -tx.fee_sats;
    };
    if (sends.size() > 1) {
      std::string txids;
      for (const auto& tx : sends) txids += (txids.empty() ? "" : ", ") + tx.txid;
      spdlog::error("ALERT payout {}: the wallet sent it {} times (comment '{}': {}); miners were paid more than once",
                    p.id, sends.size(), p.comment, txids);
      report.duplicate_sends += static_cast<int>(sends.size() - 1);
      if (options.duplicate_sends) *options.duplicate_sends += sends.size() - 1;
    }
    if (!sends.empty()) {
      const int64_t fee = miners_fee(sends.front());
      store.complete_payment(p.id, sends.front().txid, fee);
      spdlog::info("payout {}: found in the wallet as {} (fee {} sat); completed", p.id, sends.front().txid, fee);
      ++report.reconciled_sent;
    } else if (!dead.empty()) {
      // Sent, and dead now (abandoned, conflicted, replaced). Not released: the balances given
      // back would be paid again by the next run, and the dead send can still confirm (an
      // abandoned one relayed by another node). Recorded as sent, so the follower raises its
      // trouble and the operator decides (poold --recredit-payment).
      const auto chosen = std::find_if(dead.begin(), dead.end(), [](const auto& tx) { return tx.replaced_by_txid.empty(); });
      const auto& tx = chosen == dead.end() ? dead.front() : *chosen;
      store.complete_payment(p.id, tx.txid, miners_fee(tx));
      spdlog::warn("payout {}: found in the wallet as {}, which is {} and will not pay as it is; completed as sent "
                   "(not released: it may still confirm), followed and alerted until the operator decides",
                   p.id, tx.txid, dead_send_reason(tx));
      ++report.reconciled_sent;
    } else if (store::now_ms() - p.created_ms < options.release_grace.count()) {
      ++report.reconciled_waiting;  // its sendmany may still be on its way into the wallet
    } else {
      store.release_payment(p.id);
      spdlog::warn("payout {}: not in the wallet; released, balances restored", p.id);
      ++report.reconciled_released;
    }
  }
  return report;
}

namespace {

/// Pays one batch: checks the wallet, reserves, sends, records. False stops the run.
bool pay_batch(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options, const PayoutAmounts& batch,
               PayoutReport& report) {
  // Ask the wallet first: a payout it cannot fund would only be written, refused and released,
  // leaving a payment row and balance changes behind on every retry.
  const std::string lock = lock_state(node.wallet_unlocked_until());
  const int64_t spendable = node.get_balance_sats();
  const std::string circumstances = PayoutRefusals::circumstances(batch, spendable, lock);
  if (options.refusals && options.refusals->refused_before(circumstances) && options.refusals->wrote_rows()) {
    // sendmany itself refused this batch after its dry run passed (a payment was written and
    // released): already logged and counted, and not tried again, so retries write nothing more.
    report.refused = true;
    report.error = "payout refused (unchanged since): " + options.refusals->message();
    return false;
  }
  if (lock == "locked") {
    refuse(report, options, circumstances, kLockedMessage);
    return false;
  }
  // The fee comes out of the outputs (subtractfeefrom names every recipient), so the wallet needs
  // exactly the items' sum: not a satoshi more for the fee.
  const int64_t needed = sum(batch);
  if (spendable < needed) {
    refuse(report, options, circumstances,
           "Insufficient funds: the wallet can spend " + node::sats_to_btc_string(spendable) + " BTC, the batch of " +
               std::to_string(batch.size()) + " outputs needs " + node::sats_to_btc_string(needed) +
               " BTC; nothing was written. Fund the wallet or wait: a block reward can be spent after " +
               std::to_string(kCoinbaseSpendableDepth) + " confirmations");
    return false;
  }
  // The wallet's own dry run of this very transaction (walletcreatefundedpsbt, nothing locked):
  // an output left at dust by its fee share, fee estimation failing, a duplicated script … are
  // refused here, before anything is written, so a refusal that passes (fees fall, blocks come)
  // is simply tried again next run at the cost of one RPC.
  try {
    node.check_send_many(batch);
  } catch (const node::RpcError& e) {
    refuse(report, options, circumstances,
           "the wallet would refuse the batch of " + std::to_string(batch.size()) + " outputs for " +
               node::sats_to_btc_string(needed) + " BTC (error " + std::to_string(e.code()) + ": " + e.rpc_message() +
               "); nothing was written. It is tried again each run; check the wallet and the amounts "
               "(an output too small for its share of the network fee waits for a larger balance or lower fees)");
    return false;
  }
  const int64_t id = store.create_payment(batch, options.comment_prefix);
  const std::string comment = options.comment_prefix + std::to_string(id);
  if (options.checkpoint) options.checkpoint("before_send");
  if (options.still_leading && !options.still_leading()) {
    report.error = "leadership moved before sendmany: payout " + std::to_string(id) +
                   " is left pending for the new leader to reconcile";
    return false;
  }
  std::string txid;
  try {
    txid = node.send_many(batch, comment);
  } catch (const node::RpcError& e) {
    if (refused_before_commit(e)) {
      // The node refused it before the wallet kept anything: nothing was sent. Give the balances
      // back; not retried while unchanged.
      store.release_payment(id);
      refuse(report, options, circumstances, "payout " + std::to_string(id) + ": " + refusal_message(e, batch), true);
      return false;
    }
    // Any other error (-1 "Wallet db error, transaction commit failed", ...) can come after the
    // transaction is in the wallet: unknown, as below.
    report.outcome_unknown = true;
    spdlog::warn("payout {}: sendmany failed with error {} ({}) that does not say nothing was sent; left pending "
                 "for reconciliation by its comment",
                 id, e.code(), e.rpc_message());
    report.error = "sendmany outcome unknown (error " + std::to_string(e.code()) + ": " + e.rpc_message() +
                   "; reconciled next round)";
    return false;
  } catch (const std::exception& e) {
    // Unknown whether it was sent (RpcOutcomeUnknown, or anything else that is not the node's
    // answer): leave it pending; only reconciliation by comment settles it, never a resend.
    report.outcome_unknown = true;
    spdlog::warn("payout {}: sendmany outcome unknown, left pending for reconciliation: {}", id, e.what());
    report.error = std::string("sendmany outcome unknown (reconciled next round): ") + e.what();
    return false;
  }
  if (options.checkpoint) options.checkpoint("after_send");
  // The fee goes on the books with the txid. Without it the payment stays pending: the next run's
  // reconciliation finds the send by its comment and records both.
  std::optional<node::WalletTransaction> tx;
  try {
    tx = node.get_transaction(txid);
  } catch (const std::exception& e) {
    report.error = "payout " + std::to_string(id) + " sent in " + txid + ", its fee unknown (" + e.what() +
                   "); left pending, reconciliation records it next round";
    return false;
  }
  if (!tx) {
    report.error = "payout " + std::to_string(id) + " sent in " + txid + " but the wallet does not know it yet; left pending";
    return false;
  }
  const int64_t fee = -tx->fee_sats;
  store.complete_payment(id, txid, fee);
  if (options.checkpoint) options.checkpoint("after_record");
  if (options.refusals) options.refusals->forget();
  report.paid_sats += needed;
  report.fee_sats += fee;
  report.recipients += static_cast<int>(batch.size());
  report.txids.push_back(txid);
  report.txid = txid;
  spdlog::info("payout {}: {} sat to {} miners in {} (network fee {} sat, shared by them)", id, needed, batch.size(), txid, fee);
  return true;
}

}  // namespace

PayoutReport run_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options) {
  PayoutReport report = reconcile_payouts(store, node, options);
  if (!report.error.empty()) return report;
  // Credits from blocks whose coinbase the wallet cannot spend yet (fewer than
  // kCoinbaseSpendableDepth confirmations) wait for the next run, so a payout never asks the wallet for coins it lacks.
  const int64_t tip = node.get_block_count();
  const auto selection = select_payouts(store.balances(), store.credits_from_blocks_above(tip - kCoinbaseSpendableDepth + 1),
                                        options.min_payout_sats, options.network);
  std::string dust;
  int dust_count = 0;
  for (const auto& s : selection.skipped) {
    if (!s.dust) {
      spdlog::warn("payout: skipping {} ({} sat): {}", s.address, s.sats, s.why);
    } else if (++dust_count <= 5) {
      dust += (dust.empty() ? "" : ", ") + s.address + " (" + std::to_string(s.sats) + " sat, " + s.why + ")";
    }
  }
  if (dust_count > 0) {
    spdlog::warn("payout: {} balance(s) below the dust limit of their address type wait until they grow: {}{}", dust_count,
                 dust, dust_count > 5 ? ", ..." : "");
  }
  for (const auto& batch : split_batches(selection.amounts, options.max_outputs)) {
    if (!pay_batch(store, node, options, batch, report)) break;  // the rest wait for the next run
  }
  return report;
}

}  // namespace pool::accounting
