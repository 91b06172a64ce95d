// End to end against the strict test node: template -> job -> solved share -> block -> accepted;
// and each kind of broken block rejected with Bitcoin Core's reason.
#include <gtest/gtest.h>

#include "bitcoin/merkle.h"
#include "bitcoin/target.h"
#include "mining/block_submitter.h"
#include "mining/job_builder.h"
#include "support/mining_helpers.h"

namespace pool::mining {
namespace {

class BlockSubmission : public ::testing::Test {
 protected:
  void SetUp() override {
    f.rpc->call("generatetoaddress", "[3,\"" + f.wallet_address + "\"]");
    f.rpc->call("test_addtransactions", "[12]");  // segwit and legacy, with depends and fees
  }
  Job fresh_job(const CoinbaseOptions& options = {}) {
    tmpl = std::make_shared<const node::BlockTemplate>(f.node->get_block_template());
    return build_job(tmpl, f.wallet_script, options, "1", true);
  }
  // Re-grinds the nonce after tampering so the block fails for the tampering, not for PoW.
  static void regrind(bitcoin::Block& block) {
    block.header.merkle_root = bitcoin::block_merkle_root(block);
    const auto target = *bitcoin::target_from_bits(block.header.bits);
    block.header.nonce = 0;
    while (!bitcoin::hash_meets_target(block.header.hash(), target)) ++block.header.nonce;
  }
  std::string submit_reason(const bitcoin::Block& block) {
    return f.node->submit_block(bitcoin::to_hex(block.serialize())).value_or("accepted");
  }

  test::NodeFixture f;
  std::shared_ptr<const node::BlockTemplate> tmpl;
};

TEST_F(BlockSubmission, SolvedShareBecomesAcceptedBlock) {
  const Job job = fresh_job();
  ASSERT_EQ(tmpl->transactions.size(), 12u);
  const Solution s = test::solve(job, test::base_solution(job), job.network_target);
  const bitcoin::Block block = assemble_block(job, s);
  const SubmitResult r = submit_block(*f.node, block, job.height);
  EXPECT_EQ(r.status, SubmitStatus::kAccepted) << r.reason;
  EXPECT_TRUE(r.in_best_chain);
  EXPECT_EQ(f.node->get_block_count(), 4);
  EXPECT_EQ(*f.node->get_block_hash(4), block.header.hash());
  // The node's mempool lost the mined transactions; submitting again is a duplicate.
  EXPECT_EQ(submit_block(*f.node, block, job.height).status, SubmitStatus::kDuplicate);
}

TEST_F(BlockSubmission, VersionRolledShareIsAcceptedToo) {
  const Job job = fresh_job();
  Solution s = test::base_solution(job);
  s.version = job.version | 0x1fffe000;  // BIP310 rolled bits
  s = test::solve(job, s, job.network_target);
  EXPECT_EQ(submit_block(*f.node, assemble_block(job, s), job.height).status, SubmitStatus::kAccepted);
}

TEST_F(BlockSubmission, HashAboveTargetIsHighHash) {
  const Job job = fresh_job();
  Solution s = test::base_solution(job);
  for (s.nonce = 0; bitcoin::hash_meets_target(solution_header(job, s).hash(), job.network_target); ++s.nonce) {
  }
  EXPECT_EQ(submit_reason(assemble_block(job, s)), "high-hash");
}

TEST_F(BlockSubmission, WrongMerkleRootIsRejected) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::solve(job, test::base_solution(job), job.network_target));
  std::swap(block.transactions[1], block.transactions[2]);
  const auto root = bitcoin::block_merkle_root(block);
  std::swap(block.transactions[1], block.transactions[2]);
  block.header.merkle_root = root;  // header commits to a different order than the block has
  const auto target = *bitcoin::target_from_bits(block.header.bits);
  for (block.header.nonce = 0; !bitcoin::hash_meets_target(block.header.hash(), target); ++block.header.nonce) {
  }
  EXPECT_EQ(submit_reason(block), "bad-txnmrklroot");
}

TEST_F(BlockSubmission, WrongHeightPushIsRejected) {
  auto wrong = std::make_shared<node::BlockTemplate>(f.node->get_block_template());
  wrong->height += 1;
  const Job job = build_job(wrong, f.wallet_script, CoinbaseOptions{}, "2", true);
  const bitcoin::Block block = assemble_block(job, test::solve(job, test::base_solution(job), job.network_target));
  EXPECT_EQ(submit_reason(block), "bad-cb-height");
}

TEST_F(BlockSubmission, MissingWitnessCommitmentIsRejected) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::base_solution(job));
  auto& coinbase = block.transactions[0];
  coinbase.outputs.erase(coinbase.outputs.begin() + static_cast<long>(*bitcoin::find_witness_commitment(coinbase)));
  coinbase.inputs[0].witness.clear();
  regrind(block);
  EXPECT_EQ(submit_reason(block), "unexpected-witness");
}

TEST_F(BlockSubmission, WrongWitnessCommitmentIsRejected) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::base_solution(job));
  auto& coinbase = block.transactions[0];
  coinbase.outputs[*bitcoin::find_witness_commitment(coinbase)].script_pubkey[10] ^= 1;
  regrind(block);
  EXPECT_EQ(submit_reason(block), "bad-witness-merkle-match");
  coinbase.outputs[*bitcoin::find_witness_commitment(coinbase)].script_pubkey[10] ^= 1;
  coinbase.inputs[0].witness.clear();  // commitment present, reserved value missing
  regrind(block);
  EXPECT_EQ(submit_reason(block), "bad-witness-nonce-size");
}

TEST_F(BlockSubmission, CoinbaseOverpayIsRejected) {
  auto greedy = std::make_shared<node::BlockTemplate>(f.node->get_block_template());
  greedy->coinbase_value += 1;
  const Job job = build_job(greedy, f.wallet_script, CoinbaseOptions{}, "3", true);
  const bitcoin::Block block = assemble_block(job, test::solve(job, test::base_solution(job), job.network_target));
  EXPECT_EQ(submit_reason(block), "bad-cb-amount");
  EXPECT_EQ(submit_block(*f.node, block, job.height).status, SubmitStatus::kRejected);
}

TEST_F(BlockSubmission, StaleTipBlockIsNotOnBestChain) {
  const Job job = fresh_job();
  f.rpc->call("generatetoaddress", "[1,\"" + f.wallet_address + "\"]");  // someone else found it
  const bitcoin::Block block = assemble_block(job, test::solve(job, test::base_solution(job), job.network_target));
  const SubmitResult r = submit_block(*f.node, block, job.height);
  EXPECT_FALSE(r.in_best_chain);
  EXPECT_NE(r.status, SubmitStatus::kAccepted);
}

TEST_F(BlockSubmission, GarbageIsDecodeFailure) {
  EXPECT_THROW(f.node->submit_block("00"), node::RpcError);
  bitcoin::Block empty;
  EXPECT_EQ(submit_block(*f.node, empty, 1).status, SubmitStatus::kRejected);
}

TEST(SubmitAnswer, InterpretsCoreAnswers) {
  EXPECT_EQ(interpret_submit_answer(std::nullopt), SubmitStatus::kAccepted);
  EXPECT_EQ(interpret_submit_answer("duplicate"), SubmitStatus::kDuplicate);
  EXPECT_EQ(interpret_submit_answer("inconclusive"), SubmitStatus::kInconclusive);
  EXPECT_EQ(interpret_submit_answer("bad-txnmrklroot"), SubmitStatus::kRejected);
}

}  // namespace
}  // namespace pool::mining
