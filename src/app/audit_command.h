#pragma once
// poold --audit: runs the ledger audit once against the configured database and the node's
// wallet, prints every check, and says whether the books balance.
#include <ostream>

#include "app/config.h"

namespace pool::app {

/// Exit status: 0 the books balance, 1 they do not, 2 the audit could not be completed (the
/// database or the wallet could not be read).
int run_audit_command(const Config& config, std::ostream& out);

}  // namespace pool::app
