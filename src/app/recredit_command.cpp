#include "app/recredit_command.h"

#include "accounting/payment_reversal.h"
#include "app/pool_app.h"
#include "node/bitcoin_node.h"

namespace pool::app {

int run_recredit_command(const Config& config, int64_t payment_id, std::ostream& out) {
  std::unique_ptr<store::Store> store;
  try {
    store = store::open_store(config.database.db_path);
    node::RpcClient rpc(rpc_options_for(config.bitcoin));
    node::BitcoinNode wallet(rpc, config.bitcoin.wallet);
    // Money moves only from the leader: a running poold on this SQLite file, or the leading
    // instance on PostgreSQL, must not write at the same time.
    store->claim_exclusive_use();
    if (!store->try_acquire_leadership()) {
      out << "recredit: another poold instance leads the accounting; stop it (or wait until it hands over) and "
             "run this again"
          << std::endl;
      return 2;
    }
    const auto recorded = store->setting("wallet_identity");
    const std::string identity = wallet.wallet_identity();
    if (recorded && *recorded != identity) {
      out << "recredit: this node's wallet is " << identity << ", but the pool pays from " << *recorded
          << "; configure [bitcoin] wallet to the pool's wallet" << std::endl;
      return 2;
    }
    const auto outcome = accounting::recredit_payment(*store, wallet, payment_id, config.pool.payout_confirmations);
    store->release_leadership();
    out << "recredit: " << outcome.message << std::endl;
    return outcome.status == accounting::ReversalOutcome::Status::kRefused ? 1 : 0;
  } catch (const std::exception& e) {
    out << "recredit: could not be completed: " << e.what() << std::endl;
    return 2;
  }
}

}  // namespace pool::app
