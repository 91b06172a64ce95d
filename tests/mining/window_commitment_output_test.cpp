#include "mining/window_commitment_output.h"

#include <gtest/gtest.h>

#include "bitcoin/hex.h"
#include "bitcoin/sha256.h"

namespace pool::mining {
namespace {

bitcoin::Uint256 some_root() { return bitcoin::sha256d(bitcoin::Bytes{'w', 'i', 'n', 'd', 'o', 'w'}); }

TEST(WindowCommitmentOutput, IsOpReturnPushingPplnAndTheRootInInternalOrder) {
  const auto root = some_root();
  const auto script = window_commitment_script(root);
  EXPECT_EQ(bitcoin::to_hex(script), "6a24" + bitcoin::to_hex(bitcoin::Bytes{'P', 'P', 'L', 'N'}) + root.internal_hex());
  EXPECT_EQ(parse_window_commitment(script), root);
}

TEST(WindowCommitmentOutput, OtherOpReturnsAreNotCommitments) {
  auto script = window_commitment_script(some_root());
  script[2] = 'X';  // another magic
  EXPECT_FALSE(parse_window_commitment(script));
  auto witness = bitcoin::from_hex("6a24aa21a9ed" + std::string(64, '0'));
  EXPECT_FALSE(parse_window_commitment(witness));
  auto longer = window_commitment_script(some_root());
  longer.push_back(0);
  EXPECT_FALSE(parse_window_commitment(longer));
}

TEST(WindowCommitmentOutput, FoundAmongACoinbasesOutputs) {
  bitcoin::Transaction coinbase;
  coinbase.outputs.push_back({5000, bitcoin::from_hex("0014" + std::string(40, '1'))});
  EXPECT_FALSE(find_window_commitment(coinbase));
  coinbase.outputs.push_back({0, window_commitment_script(some_root())});
  coinbase.outputs.push_back({0, bitcoin::from_hex("6a24aa21a9ed" + std::string(64, '0'))});
  EXPECT_EQ(find_window_commitment(coinbase), some_root());
}

}  // namespace
}  // namespace pool::mining
