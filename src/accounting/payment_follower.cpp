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
    return head + " was abandoned in the wallet and will not pay the miners unless it is broadcast again" + decide;
  }
  if (trouble == "replaced") {
    return head + " was replaced by a fee bump; the replacement carries no payout of the pool's own" + decide;
  }
  if (trouble == "unknown") return head + " is not in the node's wallet (another wallet?)" + decide;
  return head + " has 0 confirmations and has not been in the node's mempool for " +
         std::to_string(options.evicted_grace.count() / 1000) +
         " s or more (evicted or dropped); rebroadcast it from the wallet, or abandon it" + decide;
}

}  // namespace

std::string dead_send_reason(const node::WalletTransaction& tx) {
  if (tx.confirmations < 0) return "conflicted";
  if (tx.abandoned) return "abandoned";
  if (!tx.replaced_by_txid.empty()) return "replaced";
  return "";
}

FollowReport PaymentFollower::run_once(store::Store& store, node::BitcoinNode& wallet) {
  FollowReport report;
  const auto batch = store.payments_to_follow(after_id_, options_.batch);
  after_id_ = static_cast<int>(batch.size()) < options_.batch ? 0 : batch.back().id;  // wrap at the end
  for (const auto& p : batch) {
    std::string trouble;
    int64_t since = 0, confirmations = 0;
    const int64_t now = store::now_ms();
    try {
      const auto tx = wallet.get_transaction(p.txid);
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
