#include "accounting/payment_follower.h"

#include <spdlog/spdlog.h>

namespace pool::accounting {

namespace {

bool alerting(const std::string& trouble) { return !trouble.empty() && trouble != "missing"; }

std::string alert_text(const store::FollowedPayment& p, const std::string& trouble, int64_t confirmations,
                       const FollowOptions& options) {
  const std::string head = "ALERT payout " + std::to_string(p.id) + ": its transaction " + p.txid;
  const std::string decide = "; it is never resent automatically (see `poold --recredit-payment " +
                             std::to_string(p.id) + "` in the operator guide)";
  if (trouble == "conflicted") {
    return head + " is conflicted (" + std::to_string(confirmations) +
           " confirmations: another spend of its coins is in the chain) and will not pay the miners; once that spend is " +
           std::to_string(options.confirmations) + " blocks deep the payment can be credited back" + decide;
  }
  if (trouble == "abandoned") {
    return head + " was abandoned in the wallet; it pays nobody unless it is broadcast again, and " +
           abandoned_instruction(p.id, p.txid, options.confirmations) + decide;
  }
  if (trouble == "replaced") {
    return head + " was replaced by a transaction that is not a send of this payout (not the wallet's, or another "
                  "comment), so it is not followed as the payout" + decide;
  }
  if (trouble == "unknown") return head + " is not in the node's wallet (another wallet?)" + decide;
  return head + " has 0 confirmations and has not been in the node's mempool for " +
         std::to_string(options.evicted_grace.count() / 1000) +
         " s or more (evicted or dropped); rebroadcast it from the wallet" + decide;
}

}  // namespace

std::string dead_send_reason(const node::WalletTransaction& tx) {
  // Replaced first: once a fee bump confirms, the original is conflicted too, but by a
  // transaction that pays the same miners.
  if (!tx.replaced_by_txid.empty()) return "replaced";
  if (tx.confirmations < 0) return "conflicted";
  if (tx.abandoned) return "abandoned";
  return "";
}

std::string abandoned_instruction(int64_t id, const std::string& txid, int confirmations) {
  return "an abandoned transaction can still be mined if another node relays it, so it is not credited back as "
         "it is. Spend its inputs back to the wallet, so that it becomes conflicted (bitcoin-cli -named "
         "gettransaction txid=" + txid + " verbose=true lists them under decoded.vin, bitcoin-cli listunspent their "
         "values; then bitcoin-cli -named send outputs='{\"<a wallet address>\":<their sum>}' "
         "inputs='[{\"txid\":\"<txid>\",\"vout\":<n>},...]' add_inputs=false subtract_fee_from_outputs='[0]'); "
         "once that spend is " + std::to_string(confirmations) +
         " blocks deep (payout_confirmations), run poold --recredit-payment " + std::to_string(id);
}

namespace {

/// The fee bump that replaced `tx` when it is the same payout (a wallet send with its comment).
std::optional<node::WalletTransaction> same_payout_replacement(node::BitcoinNode& wallet, const node::WalletTransaction& tx) {
  if (tx.replaced_by_txid.empty() || tx.comment.empty()) return std::nullopt;
  auto next = wallet.get_transaction(tx.replaced_by_txid);
  if (!next || next->comment != tx.comment || next->fee_sats >= 0) return std::nullopt;
  return next;
}

}  // namespace

FollowReport PaymentFollower::run_once(store::Store& store, node::BitcoinNode& wallet) {
  FollowReport report;
  const auto batch = store.payments_to_follow(after_id_, options_.batch);
  after_id_ = static_cast<int>(batch.size()) < options_.batch ? 0 : batch.back().id;  // wrap at the end
  for (auto p : batch) {
    std::string trouble;
    int64_t since = 0, confirmations = 0;
    const int64_t now = store::now_ms();
    try {
      auto tx = wallet.get_transaction(p.txid);
      // A fee bump (bumpfee keeps the comment and the outputs) is the same payout: follow it.
      for (int hops = 0; tx && hops < 25; ++hops) {
        auto next = same_payout_replacement(wallet, *tx);
        if (!next) break;
        if (!store.repoint_payment(p.id, p.txid, next->txid)) break;  // settled meanwhile (reversed)
        spdlog::warn("payout {}: its transaction {} was replaced by the fee bump {} (same comment and outputs); "
                     "followed as {} from now on (the extra fee came from the wallet's change, not the miners)",
                     p.id, p.txid, next->txid, next->txid);
        ++report.repointed;
        if (alerting(p.trouble)) ++report.cleared;
        p.txid = next->txid;
        p.trouble.clear();
        p.trouble_ms = 0;
        tx = std::move(next);
      }
      if (!tx) {
        trouble = "unknown";
      } else {
        confirmations = tx->confirmations;
        trouble = dead_send_reason(*tx);
        if (trouble.empty() && confirmations >= options_.confirmations) {
          store.set_payment_final(p.id, now);
          ++report.finalized;
          if (alerting(p.trouble)) ++report.cleared;
          spdlog::info("payout {}: {} has {} confirmations; final", p.id, p.txid, confirmations);
          ++report.checked;
          continue;
        }
        if (trouble.empty() && confirmations == 0 && !wallet.in_mempool(p.txid)) {
          // Dropped from the mempool: evicted once it stays out past the grace.
          since = (p.trouble == "missing" || p.trouble == "evicted") ? p.trouble_ms : now;
          trouble = now - since >= options_.evicted_grace.count() ? "evicted" : "missing";
        }
      }
    } catch (const std::exception& e) {
      report.error = std::string("cannot follow sent payouts: ") + e.what();
      break;  // leave every state as it was; never guess
    }
    ++report.checked;
    if (trouble == p.trouble) continue;
    store.set_payment_trouble(p.id, trouble, since == 0 ? now : since);
    if (alerting(trouble)) {
      spdlog::error("{}", alert_text(p, trouble, confirmations, options_));
      ++report.alerts;
    } else if (alerting(p.trouble)) {
      spdlog::info("payout {}: {} is back ({} confirmations{}); no longer in trouble ({} before)", p.id, p.txid,
                   confirmations, confirmations == 0 ? ", in the mempool" : "", p.trouble);
      ++report.cleared;
    }
  }
  report.in_trouble = store.count_payments_in_trouble();
  if (options_.in_trouble) *options_.in_trouble = report.in_trouble;
  return report;
}

}  // namespace pool::accounting
