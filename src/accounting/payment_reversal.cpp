#include "accounting/payment_reversal.h"

#include <spdlog/spdlog.h>

#include "accounting/payment_follower.h"

namespace pool::accounting {

namespace {

ReversalOutcome refused(const std::string& message) { return {ReversalOutcome::Status::kRefused, message}; }

}  // namespace

ReversalOutcome recredit_payment(store::Store& store, node::BitcoinNode& wallet, int64_t id, int confirmations) {
  const std::string name = "payment " + std::to_string(id);
  std::optional<store::PaymentRecord> payment;
  for (const auto& p : store.ledger_snapshot().payments) {
    if (p.id == id) payment = p;
  }
  if (!payment) return refused(name + " does not exist");
  if (payment->status == "reversed") {
    return {ReversalOutcome::Status::kAlreadyReversed, name + " was already reversed; nothing is credited again"};
  }
  if (payment->status != "sent") {
    return refused(name + " is " + payment->status + ", not sent: only a sent payment can be credited back" +
                   (payment->status == "pending" ? " (a pending one is settled by the leader's reconciliation)" : ""));
  }
  const auto tx = wallet.get_transaction(payment->txid);
  if (!tx) {
    return refused(name + ": the wallet does not know its transaction " + payment->txid +
                   " (is this the pool's wallet?); refusing");
  }
  const std::string dead = dead_send_reason(*tx);
  if (dead.empty()) {
    return refused(name + ": its transaction " + payment->txid + " has " + std::to_string(tx->confirmations) +
                   " confirmations and may still pay the miners; refusing. If it left the mempool, broadcast it "
                   "again, or abandon it first (bitcoin-cli abandontransaction " + payment->txid + ")");
  }
  if (dead == "replaced") {
    return refused(name + ": its transaction " + payment->txid + " was replaced by " + tx->replaced_by_txid +
                   ", which pays the same miners; refusing");
  }
  if (dead == "conflicted" && -tx->confirmations < confirmations) {
    return refused(name + ": its transaction " + payment->txid + " is conflicted by a spend only " +
                   std::to_string(-tx->confirmations) + " blocks deep; a reorg could still make it pay. Wait until " +
                   std::to_string(confirmations) + " (payout_confirmations)");
  }
  if (!store.reverse_payment(id)) {
    return {ReversalOutcome::Status::kAlreadyReversed, name + " was already reversed; nothing is credited again"};
  }
  int64_t total = 0;
  for (const auto& [address, sats] : payment->amounts) total += sats;
  const std::string why = dead == "conflicted" ? "conflicted by a spend " + std::to_string(-tx->confirmations) + " blocks deep"
                                               : "abandoned in the wallet";
  const std::string message = name + " reversed: its transaction " + payment->txid + " is " + why + "; " +
                              std::to_string(total) + " sat credited back to " +
                              std::to_string(payment->amounts.size()) + " miners (balance_changes 'payout_reversed')";
  spdlog::warn("payout {}", message);
  return {ReversalOutcome::Status::kReversed, message};
}

}  // namespace pool::accounting
