#pragma once
// poold --check-config: after the file itself, tries what the configuration points at (the
// node's RPC, its chain, the wallet, the payout address, the database) and says what it found.
#include <ostream>

#include "app/config.h"

namespace pool::app {

/// Prints one line per check; returns false when something the pool needs does not work.
bool report_environment(const Config& config, std::ostream& out);

}  // namespace pool::app
