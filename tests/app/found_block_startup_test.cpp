// poold at start-up: a found block left in the spill file by a run that died before submitting it
// (or before the database had it) goes to the node and into the database; the spill file is then
// removed. Uses the [database] spill_dir key and the documented file name.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "accounting/block_ledger.h"
#include "app/config.h"
#include "app/pool_app.h"
#include "bitcoin/address.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "testnode/test_node.h"

namespace pool::app {
namespace {

constexpr const char* kPoolAddress = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

TEST(FoundBlockStartUp, SpilledBlockIsSubmittedAndStored) {
  testnode::TestNode node{testnode::TestNodeOptions{}};
  node.start();
  char tmpl[] = "/tmp/pool-startup-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::filesystem::path spill_dir = dir / "spill";
  std::filesystem::create_directory(spill_dir);

  // The earlier run: found a block, spilled it, died before submitblock.
  node::RpcOptions rpc_options;
  rpc_options.port = node.port();
  rpc_options.user = rpc_options.password = "pool";
  node::RpcClient rpc(rpc_options);
  node::BitcoinNode client(rpc);
  const auto found = test::find_block(client, bitcoin::address_to_script(kPoolAddress, bitcoin::Network::kRegtest),
                                      kPoolAddress, 1000);
  const auto record = accounting::found_block_record(found.found, found.block, "pplns");
  const auto spill_file = spill_dir / "found-blocks-pool.db.spill";
  accounting::BlockSpill(spill_file).append(record);
  ASSERT_EQ(client.get_block_count(), 0);

  Config config = load_config_text("[bitcoin]\nuser = pool\npassword = pool\nport = " + std::to_string(node.port()) +
                                       "\n[stratum]\nhost = 127.0.0.1\n[pool]\naddress = " + kPoolAddress +
                                       "\n[database]\ndb_path = sqlite:///" + (dir / "pool.db").string() +
                                       "\nspill_dir = " + spill_dir.string() + "\n",
                                   "startup.ini");
  config.stratum.port = 0;
  config.api.port = 0;
  {
    PoolApp app(config);
    std::atomic<bool> stop{false};
    ASSERT_TRUE(app.start(stop));
    // Submitted before any new work: our block is the tip.
    EXPECT_EQ(client.get_block_header(bitcoin::Uint256::from_hex(record.hash)).confirmations, 1);
    EXPECT_TRUE(test::eventually([&] { return !std::filesystem::exists(spill_file); }));
    app.stop();
  }
  auto store = store::open_store("sqlite:///" + (dir / "pool.db").string());
  const auto blocks = store->blocks(std::nullopt, 10);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].hash, record.hash);
  EXPECT_EQ(blocks[0].status, "pending");
  EXPECT_EQ(blocks[0].finder_address, kPoolAddress);
  EXPECT_EQ(store->block_hex(record.hash), record.block_hex);
  node.stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pool::app
