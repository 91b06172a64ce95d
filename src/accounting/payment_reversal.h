#pragma once
// Crediting back a payout that will never pay: the operator's deliberate decision
// (`poold --recredit-payment ID`), never automatic. Allowed only when the wallet shows the
// payment's transaction conflicted by a spend that is at least payout_confirmations deep (a
// shallower conflict can still be undone by a reorg, and then the payout would pay as well), and
// that spend is not another send of the same payout (a fee bump or a resend with its comment:
// those paid the miners). Abandoned is not enough: an abandoned transaction can still be mined if
// another node relays it; the operator first spends its inputs back to the wallet. The reversal
// itself is one fenced store transaction (Store::reverse_payment).
#include <cstdint>
#include <string>

#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::accounting {

struct ReversalOutcome {
  enum class Status {
    kReversed,         // credited back now
    kAlreadyReversed,  // nothing credited again
    kRefused,          // not eligible (the message says why)
  };
  Status status = Status::kRefused;
  std::string message;  // one line for the operator
};

/// Asks the wallet about payment `id`'s transaction and, if it will never pay, marks the payment
/// reversed and credits its items back. Throws what the store or the node throws.
ReversalOutcome recredit_payment(store::Store& store, node::BitcoinNode& wallet, int64_t id, int confirmations);

}  // namespace pool::accounting
