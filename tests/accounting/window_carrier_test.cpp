// Which committed window root the next coinbases carry: the most recently found block's whose root
// no live block of ours carries, then the older ones; a root carried by a block that was orphaned
// (or rejected) is carried again; windows of dead blocks and empty windows are never carried.
#include "accounting/window_carrier.h"

#include <gtest/gtest.h>

namespace pool::accounting {
namespace {

bitcoin::Uint256 root(uint8_t n) {
  bitcoin::Uint256 r;
  r.data()[0] = n;
  r.data()[31] = 0x77;
  return r;
}

class CarrierPlanTest : public ::testing::Test {
 protected:
  void block(const std::string& hash, int64_t found_ms, const std::string& status = "pending") {
    store::BlockRecord b;
    b.hash = hash;
    b.found_ms = found_ms;
    b.status = status;
    blocks[hash] = b;
  }
  void window(const std::string& hash, uint8_t n, const std::string& carrier = "") {
    store::BlockWindow w;
    w.block_hash = hash;
    w.root = n ? root(n).internal_hex() : std::string(64, '0');
    w.commitment_block = carrier;
    w.commitment_txid = carrier.empty() ? "" : "txid-" + carrier;
    windows.push_back(w);
  }
  CarrierPlan plan() const { return plan_window_carriers(windows, blocks, carried); }

  std::vector<store::BlockWindow> windows;
  std::map<std::string, store::BlockRecord> blocks;
  std::map<std::string, CarriedRoot> carried;
};

TEST_F(CarrierPlanTest, TheMostRecentlyFoundUncarriedRootIsCarried) {
  block("b1", 100);
  block("b2", 200);
  window("b2", 2);
  window("b1", 1);
  auto p = plan();
  EXPECT_EQ(p.carry, root(2));
  EXPECT_EQ(p.carry_block, "b2");
  EXPECT_TRUE(p.changes.empty());

  // b3's coinbase carried b2's root: recorded, and b1's root is next.
  block("b3", 300, "found");
  carried["b3"] = {root(2), "tx3"};
  p = plan();
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].window_block, "b2");
  EXPECT_EQ(p.changes[0].carrier_block, "b3");
  EXPECT_EQ(p.changes[0].carrier_txid, "tx3");
  EXPECT_EQ(p.carry, root(1));
}

TEST_F(CarrierPlanTest, NothingToCarryOnceEveryRootIsCarriedByALiveBlock) {
  block("b1", 100, "confirmed");
  block("b2", 200, "confirmed");
  window("b1", 1, "b2");
  EXPECT_FALSE(plan().carry);
  EXPECT_TRUE(plan().changes.empty());
}

TEST_F(CarrierPlanTest, AnOrphanedCarrierIsClearedAndTheRootCarriedAgain) {
  block("b1", 100);
  block("b2", 200, "orphaned");
  window("b1", 1, "b2");
  auto p = plan();
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].window_block, "b1");
  EXPECT_EQ(p.changes[0].carrier_block, "");
  EXPECT_EQ(p.carry, root(1));

  // Another live block of ours carries it too: that one is recorded instead of clearing.
  block("b3", 300, "pending");
  carried["b3"] = {root(1), "tx3"};
  carried["b2"] = {root(1), "tx2"};  // the orphan's coinbase does not count
  p = plan();
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].carrier_block, "b3");
  EXPECT_FALSE(p.carry);
}

TEST_F(CarrierPlanTest, ARejectedCarrierDoesNotCount) {
  block("b1", 100);
  block("b2", 200, "rejected");
  window("b1", 1);
  carried["b2"] = {root(1), "tx2"};
  const auto p = plan();
  EXPECT_TRUE(p.changes.empty());
  EXPECT_EQ(p.carry, root(1));
}

TEST_F(CarrierPlanTest, WindowsOfDeadBlocksAndEmptyWindowsAreNotCarried) {
  block("b1", 100);
  block("b2", 200, "orphaned");
  block("b3", 300, "rejected");
  block("b4", 400);
  window("b1", 1);
  window("b2", 2);
  window("b3", 3);
  window("b4", 0);  // an empty window: root of zeros, nothing to commit
  EXPECT_EQ(plan().carry, root(1));
}

TEST_F(CarrierPlanTest, TheEarliestLiveCarrierIsRecordedWhenSeveralCarryARoot) {
  block("b1", 100);
  block("b2", 300);
  block("b3", 200, "found");
  window("b1", 1);
  carried["b2"] = {root(1), "tx2"};
  carried["b3"] = {root(1), "tx3"};
  const auto p = plan();
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].carrier_block, "b3");
  EXPECT_FALSE(p.carry);
}

}  // namespace
}  // namespace pool::accounting
