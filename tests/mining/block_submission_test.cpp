// End to end against a regtest node — the project's strict test node, and a real bitcoind when
// one is installed (otherwise those cases print a SKIP line): template -> job -> solved share ->
// block -> accepted; and each kind of broken block rejected with Bitcoin Core's reason.
#include <gtest/gtest.h>

#include "bitcoin/merkle.h"
#include "bitcoin/target.h"
#include "mining/block_submitter.h"
#include "net/http_server.h"
#include "mining/job_builder.h"
#include "mining/job_manager.h"
#include "support/mining_helpers.h"
#include "support/regtest_backend.h"

namespace pool::mining {
namespace {

class BlockSubmission : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend = GetParam() == "bitcoind" ? test::make_bitcoind_backend() : test::make_test_node_backend();
    if (!backend) GTEST_SKIP() << test::kBitcoindSkip;
    backend->generate(3);
    backend->add_transactions(12);  // segwit, with depends and fees
    start_height = backend->node().get_block_count();
  }
  node::BitcoinNode& node() { return backend->node(); }
  Job fresh_job(const CoinbaseOptions& options = {}) {
    tmpl = std::make_shared<const node::BlockTemplate>(node().get_block_template());
    return build_job(tmpl, backend->wallet_script(), options, "1", true);
  }
  // Re-grinds the nonce after tampering so the block fails for the tampering, not for PoW.
  static void regrind(bitcoin::Block& block, bool recompute_root = true) {
    if (recompute_root) block.header.merkle_root = bitcoin::block_merkle_root(block);
    const auto target = *bitcoin::target_from_bits(block.header.bits);
    for (block.header.nonce = 0; !bitcoin::hash_meets_target(block.header.hash(), target); ++block.header.nonce) {
    }
  }
  std::string submit_reason(const bitcoin::Block& block) {
    return node().submit_block(bitcoin::to_hex(block.serialize())).value_or("accepted");
  }

  std::unique_ptr<test::RegtestBackend> backend;
  std::shared_ptr<const node::BlockTemplate> tmpl;
  int64_t start_height = 0;
};

TEST_P(BlockSubmission, SolvedShareBecomesAcceptedBlock) {
  const Job job = fresh_job();
  ASSERT_EQ(tmpl->transactions.size(), 12u);
  const Solution s = test::solve(job, test::base_solution(job), job.network_target);
  const bitcoin::Block block = assemble_block(job, s);
  const SubmitResult r = submit_block(node(), block, job.height);
  EXPECT_EQ(r.status, SubmitStatus::kAccepted) << r.reason;
  EXPECT_TRUE(r.in_best_chain);
  EXPECT_EQ(node().get_block_count(), start_height + 1);
  EXPECT_EQ(*node().get_block_hash(start_height + 1), block.header.hash());
  // The mined transactions left the mempool; the next template builds on our block.
  EXPECT_EQ(node().get_block_template().transactions.size(), 0u);
  EXPECT_EQ(submit_block(node(), block, job.height).status, SubmitStatus::kDuplicate);
}

// The whole path through the job manager: our block is accepted and the next job is clean on
// top of it; then another miner's block switches the tip and the next job is clean again while
// the old jobs become stale.
TEST_P(BlockSubmission, JobManagerFollowsTheTip) {
  JobRegistry registry;
  JobManager::Options options;
  options.payout_script = backend->wallet_script();
  JobManager manager(node(), registry, options, nullptr);
  const JobPtr first = manager.refresh_now();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->height, start_height + 1);
  const Solution s = test::solve(*first, test::base_solution(*first), first->network_target);
  ASSERT_EQ(submit_block(node(), assemble_block(*first, s), first->height).status, SubmitStatus::kAccepted);
  const JobPtr second = manager.refresh_now();
  EXPECT_TRUE(second->clean_jobs);
  EXPECT_EQ(second->height, start_height + 2);
  backend->generate(1);
  const JobPtr third = manager.refresh_now();
  EXPECT_TRUE(third->clean_jobs);
  EXPECT_EQ(third->height, start_height + 3);
  EXPECT_EQ(registry.find(second->id), nullptr);
  EXPECT_EQ(registry.find(third->id), third);
}

TEST_P(BlockSubmission, VersionRolledShareIsAcceptedToo) {
  const Job job = fresh_job();
  Solution s = test::base_solution(job);
  s.version = job.version | 0x1fffe000;  // BIP310 rolled bits
  s = test::solve(job, s, job.network_target);
  EXPECT_EQ(submit_block(node(), assemble_block(job, s), job.height).status, SubmitStatus::kAccepted);
}

TEST_P(BlockSubmission, HashAboveTargetIsHighHash) {
  const Job job = fresh_job();
  Solution s = test::base_solution(job);
  for (s.nonce = 0; bitcoin::hash_meets_target(solution_header(job, s).hash(), job.network_target); ++s.nonce) {
  }
  EXPECT_EQ(submit_reason(assemble_block(job, s)), "high-hash");
}

TEST_P(BlockSubmission, WrongMerkleRootIsRejected) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::base_solution(job));
  block.header.merkle_root.data()[0] ^= 1;
  regrind(block, false);
  EXPECT_EQ(submit_reason(block), "bad-txnmrklroot");
}

TEST_P(BlockSubmission, WrongHeightPushIsRejected) {
  auto wrong = std::make_shared<node::BlockTemplate>(node().get_block_template());
  wrong->height += 1;
  const Job job = build_job(wrong, backend->wallet_script(), CoinbaseOptions{}, "2", true);
  const bitcoin::Block block = assemble_block(job, test::solve(job, test::base_solution(job), job.network_target));
  EXPECT_EQ(submit_reason(block), "bad-cb-height");
}

TEST_P(BlockSubmission, MissingWitnessCommitmentIsRejected) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::base_solution(job));
  auto& coinbase = block.transactions[0];
  coinbase.outputs.erase(coinbase.outputs.begin() + static_cast<long>(*bitcoin::find_witness_commitment(coinbase)));
  coinbase.inputs[0].witness.clear();
  regrind(block);
  EXPECT_EQ(submit_reason(block), "unexpected-witness");
}

TEST_P(BlockSubmission, WrongWitnessCommitmentIsRejected) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::base_solution(job));
  auto& coinbase = block.transactions[0];
  coinbase.outputs[*bitcoin::find_witness_commitment(coinbase)].script_pubkey[10] ^= 1;
  regrind(block);
  EXPECT_EQ(submit_reason(block), "bad-witness-merkle-match");
}

TEST_P(BlockSubmission, WrongSizeWitnessReservedValueIsRejected) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::base_solution(job));
  block.transactions[0].inputs[0].witness = {bitcoin::Bytes(31, 0)};
  regrind(block);
  EXPECT_EQ(submit_reason(block), "bad-witness-nonce-size");
}

// Bitcoin Core's submitblock fills in a missing witness reserved value; the test node does too.
TEST_P(BlockSubmission, MissingReservedValueIsFilledInBySubmitblock) {
  const Job job = fresh_job();
  bitcoin::Block block = assemble_block(job, test::base_solution(job));
  block.transactions[0].inputs[0].witness.clear();
  regrind(block);
  EXPECT_EQ(submit_reason(block), "accepted");
}

TEST_P(BlockSubmission, CoinbaseOverpayIsRejected) {
  auto greedy = std::make_shared<node::BlockTemplate>(node().get_block_template());
  greedy->coinbase_value += 1;
  const Job job = build_job(greedy, backend->wallet_script(), CoinbaseOptions{}, "3", true);
  const bitcoin::Block block = assemble_block(job, test::solve(job, test::base_solution(job), job.network_target));
  const SubmitResult r = submit_block(node(), block, job.height);
  EXPECT_EQ(r.status, SubmitStatus::kRejected);
  EXPECT_EQ(r.reason, "bad-cb-amount");
}

TEST_P(BlockSubmission, BlockOnStaleTipIsNotOnBestChain) {
  const Job job = fresh_job();
  backend->generate(1);  // someone else found the block first
  const bitcoin::Block block = assemble_block(job, test::solve(job, test::base_solution(job), job.network_target));
  const SubmitResult r = submit_block(node(), block, job.height);
  EXPECT_FALSE(r.in_best_chain);
  EXPECT_EQ(r.status, SubmitStatus::kInconclusive) << r.reason;
}

TEST_P(BlockSubmission, UndecodableBlocksAreRejected) {
  try {
    node().submit_block("00");
    FAIL();
  } catch (const node::RpcError& e) {
    EXPECT_EQ(e.code(), -22);
  }
  // Bitcoin Core v30 checks proof of work first: an all-zero header has no valid target.
  bitcoin::Block no_transactions;
  const SubmitResult r = submit_block(node(), no_transactions, 1);
  EXPECT_EQ(r.status, SubmitStatus::kRejected);
  EXPECT_EQ(r.reason, "high-hash");
}

INSTANTIATE_TEST_SUITE_P(Regtest, BlockSubmission, ::testing::Values("testnode", "bitcoind"),
                         [](const auto& info) { return info.param; });

TEST(SubmitAnswer, InterpretsCoreAnswers) {
  EXPECT_EQ(interpret_submit_answer(std::nullopt), SubmitStatus::kAccepted);
  EXPECT_EQ(interpret_submit_answer("duplicate"), SubmitStatus::kDuplicate);
  EXPECT_EQ(interpret_submit_answer("inconclusive"), SubmitStatus::kInconclusive);
  EXPECT_EQ(interpret_submit_answer("bad-txnmrklroot"), SubmitStatus::kRejected);
}

}  // namespace
}  // namespace pool::mining

namespace pool::mining {
namespace {

// A node that answers every call with an error that says nothing about the block (Core answers
// -28 while it is still loading after a restart): the block is unsettled, to be submitted again,
// never written off as rejected. A decode failure (-22) is a verdict.
TEST(BlockSubmitErrors, OnlyErrorsAboutTheBlockRejectIt) {
  for (const auto& [code, expected] : {std::pair{-28, SubmitStatus::kUnreachable}, std::pair{-9, SubmitStatus::kUnreachable},
                                       std::pair{-22, SubmitStatus::kRejected}}) {
    net::HttpServer node("127.0.0.1", 0, [code = code](const net::HttpRequest&) {
      return net::HttpResponse{500, "application/json",
                               R"({"result":null,"error":{"code":)" + std::to_string(code) + R"(,"message":"Loading block index..."},"id":1})"};
    });
    node.start();
    node::RpcOptions options;
    options.port = node.port();
    options.user = options.password = "pool";
    node::RpcClient rpc(options);
    node::BitcoinNode bitcoin(rpc);
    const auto result = submit_block_hex(bitcoin, "00", bitcoin::Uint256{}, 1, 2);
    EXPECT_EQ(result.status, expected) << "error code " << code;
    node.stop();
  }
}

}  // namespace
}  // namespace pool::mining
