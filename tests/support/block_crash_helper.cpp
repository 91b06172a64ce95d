// A child process for the found-block crash tests: starts as poold does (spill file read back,
// unsettled blocks submitted again, ledger storing), and when CRASH_AT is given finds a block and
// kills itself with SIGKILL right after the spill/record step (after_spill) or right after
// submitblock, before the answer is recorded (after_submit). Without CRASH_AT it only recovers
// and exits 0 once everything is stored.
#include <csignal>
#include <iostream>
#include <thread>

#include "accounting/block_ledger.h"
#include "bitcoin/address.h"
#include "store/store.h"
#include "support/mining_helpers.h"

int main(int argc, char** argv) {
  using namespace pool;
  if (argc < 4) {
    std::cerr << "usage: block_crash_helper RPC_PORT DB_URL SPILL_FILE [CRASH_AT]\n";
    return 2;
  }
  node::RpcOptions rpc_options;
  rpc_options.port = static_cast<uint16_t>(std::stoi(argv[1]));
  rpc_options.user = rpc_options.password = "pool";
  node::RpcClient rpc(rpc_options);
  node::BitcoinNode node(rpc);
  auto store = store::open_store(argv[2]);
  const std::string crash_at = argc > 4 ? argv[4] : "";

  accounting::BlockLedger ledger(*store, {argv[3], std::chrono::milliseconds(10), std::chrono::milliseconds(100)});
  std::cout << "submitted again: " << accounting::resubmit_unsettled_blocks(&ledger, *store, node) << std::endl;
  ledger.start();
  if (!crash_at.empty()) {
    const std::string miner = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
    const auto script = bitcoin::address_to_script(miner, bitcoin::Network::kRegtest);
    accounting::PipelineRecorder recorder(ledger, "pplns");
    mining::BlockPipeline pipeline(
        node,
        [&](const mining::FoundBlock& found, const bitcoin::Block& block) {
          recorder.before_submit(found, block);
          if (crash_at == "after_spill") ::raise(SIGKILL);
        },
        [&](const mining::FoundBlock&, const mining::SubmitResult& result) {
          if (crash_at == "after_submit") ::raise(SIGKILL);
          recorder.after_submit(result);
        });
    pipeline.submit(test::find_block(node, script, miner, store::now_ms()).found);
    pipeline.stop();
  }
  for (int i = 0; i < 2000 && !ledger.waiting().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return ledger.waiting().empty() ? 0 : 1;
}
