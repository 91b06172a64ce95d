#include "app/audit_command.h"

#include "accounting/ledger_audit.h"
#include "app/pool_app.h"
#include "node/bitcoin_node.h"

namespace pool::app {

int run_audit_command(const Config& config, std::ostream& out) {
  try {
    auto store = store::open_store(config.database.db_path);
    node::RpcClient rpc(rpc_options_for(config.bitcoin));
    node::BitcoinNode wallet(rpc, config.bitcoin.wallet);
    // A database that never ran poold has no pool id and so no payouts of its own to look for.
    const std::string prefix = store->setting("pool_id") ? payout_comment_prefix(*store) : "";
    const auto report = accounting::run_ledger_audit(*store, wallet, prefix);
    for (const auto& line : report.lines()) out << line << '\n';
    out.flush();
    if (!report.complete) return 2;
    return report.ok() ? 0 : 1;
  } catch (const std::exception& e) {
    out << "ledger audit: could not be completed: " << e.what() << std::endl;
    return 2;
  }
}

}  // namespace pool::app
