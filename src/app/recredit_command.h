#pragma once
// poold --recredit-payment ID: the operator's decision to credit a sent payout back to its miners
// because its transaction will never pay (conflicted at payout_confirmations depth by a spend that
// is not another send of the payout).
// Runs as the accounting leader (so no running instance may lead meanwhile), from the pool's wallet.
#include <cstdint>
#include <ostream>

#include "app/config.h"

namespace pool::app {

/// Exit status: 0 credited back (or already reversed: nothing credited twice), 1 refused (the
/// payment does not exist, is not sent, or its transaction may still pay), 2 could not run (the
/// database or the node cannot be reached, another poold leads, a different wallet).
int run_recredit_command(const Config& config, int64_t payment_id, std::ostream& out);

}  // namespace pool::app
