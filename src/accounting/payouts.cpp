#include "accounting/payouts.h"

#include <spdlog/spdlog.h>

#include "bitcoin/address.h"

namespace pool::accounting {

namespace {
/// A coinbase can be spent once it is this deep (Bitcoin Core: COINBASE_MATURITY 100, so 101).
constexpr int64_t kCoinbaseSpendableDepth = 101;
}  // namespace

PayoutReport reconcile_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options) {
  PayoutReport report;
  for (const auto& p : store.payments(std::string("pending"), 1000)) {
    std::vector<node::WalletTransaction> sends;
    try {
      // Look back to two hours before the payout was written (wallet and pool clocks may differ).
      sends = node.find_sends_by_comment(p.comment, p.created_ms / 1000 - 7200);
    } catch (const std::exception& e) {
      report.error = std::string("cannot reconcile pending payouts: ") + e.what();
      return report;  // leave them pending; never guess
    }
    if (sends.size() > 1) {
      std::string txids;
      for (const auto& tx : sends) txids += (txids.empty() ? "" : ", ") + tx.txid;
      spdlog::error("ALERT payout {}: the wallet sent it {} times (comment '{}': {}); miners were paid more than once",
                    p.id, sends.size(), p.comment, txids);
      report.duplicate_sends += static_cast<int>(sends.size() - 1);
      if (options.duplicate_sends) *options.duplicate_sends += sends.size() - 1;
    }
    if (!sends.empty()) {
      store.complete_payment(p.id, sends.front().txid);
      spdlog::info("payout {}: found in the wallet as {}; completed", p.id, sends.front().txid);
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

PayoutReport run_payouts(store::Store& store, node::BitcoinNode& node, const PayoutOptions& options) {
  PayoutReport report = reconcile_payouts(store, node, options);
  if (!report.error.empty()) return report;
  // Credits from blocks whose coinbase the wallet cannot spend yet (fewer than
  // kCoinbaseSpendableDepth confirmations) wait for the next run, so a payout never asks the wallet for coins it lacks.
  const int64_t tip = node.get_block_count();
  const auto held_back = store.credits_from_blocks_above(tip - kCoinbaseSpendableDepth + 1);
  std::map<std::string, int64_t> amounts;
  for (const auto& [address, balance] : store.balances()) {
    const auto held = held_back.find(address);
    const int64_t sats = balance - (held == held_back.end() ? 0 : held->second);
    if (address == store::kPoolAccount || sats <= 0 || sats < options.min_payout_sats) continue;
    try {
      bitcoin::address_to_script(address, options.network);
    } catch (const bitcoin::AddressError& e) {
      spdlog::warn("payout: skipping {} ({} sat): {}", address, sats, e.what());
      continue;
    }
    amounts[address] = sats;
  }
  if (amounts.empty()) return report;
  // Ask the wallet first: a payout it cannot fund would only be written, refused and released,
  // leaving a payment row and balance changes behind on every retry.
  int64_t needed = 0;
  for (const auto& [address, sats] : amounts) needed += sats;
  const int64_t spendable = node.get_balance_sats();
  if (spendable < needed) {
    report.error = "Insufficient funds: the wallet can spend " + node::sats_to_btc_string(spendable) +
                   " BTC, the payout needs " + node::sats_to_btc_string(needed) +
                   " BTC (a block reward can be spent after " + std::to_string(kCoinbaseSpendableDepth) + " confirmations)";
    return report;
  }
  const int64_t id = store.create_payment(amounts, options.comment_prefix);
  const std::string comment = options.comment_prefix + std::to_string(id);
  if (options.checkpoint) options.checkpoint("before_send");
  if (options.still_leading && !options.still_leading()) {
    report.error = "leadership moved before sendmany: payout " + std::to_string(id) +
                   " is left pending for the new leader to reconcile";
    return report;
  }
  std::string txid;
  try {
    txid = node.send_many(amounts, comment);
  } catch (const node::RpcError& e) {
    // The node answered: nothing was sent. Give the balances back; retry next round.
    store.release_payment(id);
    report.error = "sendmany refused: " + e.rpc_message();
    return report;
  } catch (const std::exception& e) {
    // Unknown whether it was sent (RpcOutcomeUnknown, or anything else that is not the node's
    // answer): leave it pending; only reconciliation by comment settles it, never a resend.
    report.outcome_unknown = true;
    spdlog::warn("payout {}: sendmany outcome unknown, left pending for reconciliation: {}", id, e.what());
    report.error = std::string("sendmany outcome unknown (reconciled next round): ") + e.what();
    return report;
  }
  if (options.checkpoint) options.checkpoint("after_send");
  store.complete_payment(id, txid);
  if (options.checkpoint) options.checkpoint("after_record");
  for (const auto& [address, sats] : amounts) report.paid_sats += sats;
  report.recipients = static_cast<int>(amounts.size());
  report.txid = txid;
  spdlog::info("payout {}: {} sat to {} miners in {}", id, report.paid_sats, report.recipients, txid);
  return report;
}

}  // namespace pool::accounting
