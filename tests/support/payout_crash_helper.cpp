// A child process for the payout crash tests: runs one payout round against a node and a
// database, and kills itself with SIGKILL at the named checkpoint (before_send, after_send,
// after_record) to prove that no crash point makes a payout go out twice or get lost.
#include <csignal>
#include <cstring>
#include <iostream>

#include "accounting/payouts.h"
#include "store/store.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: payout_crash_helper RPC_PORT DB_URL [CRASH_AT]\n";
    return 2;
  }
  pool::node::RpcOptions rpc_options;
  rpc_options.port = static_cast<uint16_t>(std::stoi(argv[1]));
  rpc_options.user = rpc_options.password = "pool";
  pool::node::RpcClient rpc(rpc_options);
  pool::node::BitcoinNode node(rpc);
  auto store = pool::store::open_store(argv[2]);
  const std::string crash_at = argc > 3 ? argv[3] : "";
  pool::accounting::PayoutOptions options;
  options.network = pool::bitcoin::Network::kRegtest;
  options.min_payout_sats = 1000;
  options.comment_prefix = "crash-test payout ";
  options.checkpoint = [&](const char* point) {
    if (crash_at == point) ::raise(SIGKILL);
  };
  const auto report = pool::accounting::run_payouts(*store, node, options);
  std::cout << "paid " << report.paid_sats << " to " << report.recipients << " reconciled_sent "
            << report.reconciled_sent << " released " << report.reconciled_released << " error '" << report.error
            << "'" << std::endl;
  return report.error.empty() ? 0 : 1;
}
