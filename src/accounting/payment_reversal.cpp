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
                   "again; to give it up, spend its inputs back to the wallet and wait " +
                   std::to_string(confirmations) + " blocks (see the operator guide)");
  }
  if (dead == "replaced") {
    return refused(name + ": its transaction " + payment->txid + " was replaced by " + tx->replaced_by_txid +
                   " (a fee bump pays the same miners); refusing. The running pool follows the payout as its "
                   "replacement");
  }
  if (dead == "abandoned") return refused(name + ": its transaction " + payment->txid + " is abandoned; " +
                                          abandoned_instruction(id, payment->txid, confirmations));
  if (-tx->confirmations < confirmations) {
    return refused(name + ": its transaction " + payment->txid + " is conflicted by a spend only " +
                   std::to_string(-tx->confirmations) + " blocks deep; a reorg could still make it pay. Wait until " +
                   std::to_string(confirmations) + " (payout_confirmations)");
  }
  // Conflicted deep enough, but by what: not by another send of the same payout (a fee bump, a
  // resend), which paid the miners. Any live send with its comment pays them too.
  const auto live = wallet.find_sends_by_comment(payment->comment, 0);
  if (!live.empty()) {
    return refused(name + ": the wallet has a send with its comment '" + payment->comment + "' that pays the miners (" +
                   live.front().txid + ", " + std::to_string(live.front().confirmations) + " confirmations); refusing");
  }
  for (const auto& other : tx->walletconflicts) {
    const auto conflict = wallet.get_transaction(other);
    // A same-comment spend that is itself conflicted at depth never paid either (the coins went
    // back to the wallet); any other one may have.
    if (conflict && conflict->comment == payment->comment && conflict->confirmations > -confirmations) {
      return refused(name + ": its transaction " + payment->txid + " is conflicted by " + other +
                     ", a send with the same comment (" + std::to_string(conflict->confirmations) +
                     " confirmations) that pays the same miners; refusing");
    }
  }
  if (!store.reverse_payment(id)) {
    return {ReversalOutcome::Status::kAlreadyReversed, name + " was already reversed; nothing is credited again"};
  }
  int64_t total = 0;
  for (const auto& [address, sats] : payment->amounts) total += sats;
  const std::string why = "conflicted by a spend " + std::to_string(-tx->confirmations) + " blocks deep";
  const std::string message = name + " reversed: its transaction " + payment->txid + " is " + why + "; " +
                              std::to_string(total) + " sat credited back to " +
                              std::to_string(payment->amounts.size()) + " miners (balance_changes 'payout_reversed')";
  spdlog::warn("payout {}", message);
  return {ReversalOutcome::Status::kReversed, message};
}

}  // namespace pool::accounting
