// The coinbase layout miner firmware parses (docs/miner-guide.md, "Coinbase layout"): output 0
// pays the whole reward; the PPLNS window commitment follows when a root is carried; the BIP141
// witness commitment is always last. A block found on such a job is accepted by a regtest node
// and its coinbase gives the root back; personal SOLO jobs carry none; describe_coinbase names
// every output.
#include <gtest/gtest.h>

#include "bitcoin/address.h"
#include "bitcoin/merkle.h"
#include "bitcoin/script.h"
#include "mining/block_assembler.h"
#include "mining/block_submitter.h"
#include "mining/coinbase_description.h"
#include "mining/job_builder.h"
#include "mining/job_manager.h"
#include "mining/window_commitment_output.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "support/regtest_backend.h"
#include "support/vectors.h"

namespace pool::mining {
namespace {

const bitcoin::Bytes kPayout = bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8");

bitcoin::Uint256 root_of(uint8_t fill) {
  bitcoin::Bytes b(32);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(fill + i);
  return bitcoin::Uint256::from_internal(b);
}

std::shared_ptr<const node::BlockTemplate> load(const std::string& name) {
  return std::make_shared<const node::BlockTemplate>(node::parse_block_template(test::read_json_vector(name)));
}

// coinb1 || extranonce1 || extranonce2 || coinb2, parsed as a transaction, as firmware does.
bitcoin::Transaction parsed_coinbase(const Job& job) {
  const Solution s = test::base_solution(job);
  return bitcoin::Transaction::from_bytes(coinbase_bytes(job, s.extranonce1, s.extranonce2));
}

class CoinbaseLayoutFromVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(CoinbaseLayoutFromVectors, PayoutThenWindowCommitmentThenWitnessCommitment) {
  const auto tmpl = load(GetParam());
  const bitcoin::Uint256 root = root_of(0x40);
  const Job job = build_job(tmpl, kPayout, CoinbaseOptions{}, "1", true, root);
  EXPECT_EQ(job.window_commitment, root);
  const bitcoin::Transaction cb = parsed_coinbase(job);
  ASSERT_EQ(cb.outputs.size(), 3u);
  EXPECT_EQ(cb.outputs[0].value, tmpl->coinbase_value);
  EXPECT_EQ(cb.outputs[0].script_pubkey, kPayout);
  EXPECT_EQ(cb.outputs[1].value, 0);
  EXPECT_EQ(cb.outputs[1].script_pubkey, window_commitment_script(root));
  EXPECT_EQ(bitcoin::to_hex(cb.outputs[1].script_pubkey), "6a24" "50504c4e" + root.internal_hex());
  EXPECT_EQ(cb.outputs[2].value, 0);
  EXPECT_EQ(cb.outputs[2].script_pubkey, *tmpl->default_witness_commitment);
  EXPECT_EQ(bitcoin::find_witness_commitment(cb), std::optional<size_t>(2));
  EXPECT_EQ(find_window_commitment(cb), root);

  // The block's merkle root still folds from the branch, and its witness commitment checks out.
  const Solution s = test::base_solution(job);
  const bitcoin::Block block = assemble_block(job, s);
  EXPECT_EQ(bitcoin::block_merkle_root(block), solution_header(job, s).merkle_root);
}

TEST_P(CoinbaseLayoutFromVectors, WithoutRootTheLayoutIsUnchanged) {
  const auto tmpl = load(GetParam());
  const Job plain = build_job(tmpl, kPayout, CoinbaseOptions{}, "1", true);
  EXPECT_FALSE(plain.window_commitment);
  const bitcoin::Transaction cb = parsed_coinbase(plain);
  ASSERT_EQ(cb.outputs.size(), 2u);
  EXPECT_EQ(cb.outputs[0].value, tmpl->coinbase_value);
  EXPECT_EQ(cb.outputs[0].script_pubkey, kPayout);
  EXPECT_EQ(cb.outputs[1].script_pubkey, *tmpl->default_witness_commitment);
  EXPECT_FALSE(find_window_commitment(cb));

  // The commitment only inserts its output: the scriptSig (coinb1 and the tag) is the same, and
  // coinb2 differs by exactly the 47-byte output (value 8, length 1, script 38) and the count.
  const Job rooted = build_job(tmpl, kPayout, CoinbaseOptions{}, "1", true, root_of(1));
  EXPECT_EQ(rooted.coinb1, plain.coinb1);
  EXPECT_EQ(rooted.coinb2.size(), plain.coinb2.size() + 47);
}

INSTANTIATE_TEST_SUITE_P(RegtestTemplates, CoinbaseLayoutFromVectors,
                         ::testing::Values("regtest/gbt-empty.json", "regtest/gbt-with-4-txs.json",
                                           "regtest/gbt-with-114-txs.json"));

// The longest tag the scriptSig takes is cut exactly as without a commitment, the scriptSig stays
// within Core's 100 bytes, and the whole coinbase (with its witness) stays far inside the weight
// getblocktemplate leaves for it.
TEST(CoinbaseLayout, StaysWithinSizeLimitsWithTheLongestTag) {
  const auto tmpl = load("regtest/gbt-with-114-txs.json");
  const CoinbaseOptions options{std::string(200, 'T'), 4, 16};
  const Job plain = build_job(tmpl, kPayout, options, "1", true);
  const Job rooted = build_job(tmpl, kPayout, options, "1", true, root_of(9));
  const bitcoin::Transaction a = parsed_coinbase(plain), b = parsed_coinbase(rooted);
  EXPECT_EQ(b.inputs[0].script_sig, a.inputs[0].script_sig);
  EXPECT_LE(b.inputs[0].script_sig.size(), 100u);
  EXPECT_EQ(describe_coinbase(b, bitcoin::Network::kRegtest, false).tag,
            std::string(max_tag_length(tmpl->height, 20), 'T'));
  const Solution s = test::base_solution(rooted);
  const bitcoin::Block block = assemble_block(rooted, s);
  EXPECT_LE(block.transactions[0].weight(), 4000u);  // Bitcoin Core reserves at least 4,000 WU
}

// A personal SOLO job made from a base that carries a root carries none: the finder's output,
// then the witness commitment, and nothing else.
TEST(CoinbaseLayout, PersonalSoloJobCarriesNoCommitment) {
  const auto tmpl = load("regtest/gbt-with-4-txs.json");
  const bitcoin::Bytes payee = bitcoin::address_to_script(
      bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 1, bitcoin::Bytes(32, 0x79)), bitcoin::Network::kRegtest);
  const Job base = build_job(tmpl, kPayout, CoinbaseOptions{}, "7", true, root_of(3));
  const Job personal = personalize_job(base, payee, CoinbaseOptions{}, "7ab");
  EXPECT_FALSE(personal.window_commitment);
  const bitcoin::Transaction cb = parsed_coinbase(personal);
  ASSERT_EQ(cb.outputs.size(), 2u);
  EXPECT_EQ(cb.outputs[0].script_pubkey, payee);
  EXPECT_EQ(cb.outputs[0].value, tmpl->coinbase_value);
  EXPECT_FALSE(find_window_commitment(cb));
}

TEST(CoinbaseDescription, NamesEveryOutputWithAddressValueAndRole) {
  const auto tmpl = load("regtest/gbt-with-4-txs.json");
  const std::string address = bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 0, bitcoin::Bytes(20, 0x42));
  const bitcoin::Bytes script = bitcoin::address_to_script(address, bitcoin::Network::kRegtest);
  const bitcoin::Uint256 root = root_of(0x80);
  const Job job = build_job(tmpl, script, CoinbaseOptions{"/tag-x/", 4, 8}, "1", true, root);
  const CoinbaseDescription d = describe_coinbase(job_coinbase(job), bitcoin::Network::kRegtest, false);
  ASSERT_EQ(d.outputs.size(), 3u);
  EXPECT_EQ(d.outputs[0].role, "pool_reward");
  EXPECT_EQ(d.outputs[0].address, address);
  EXPECT_EQ(d.outputs[0].value, tmpl->coinbase_value);
  EXPECT_EQ(d.outputs[1].role, "window_commitment");
  EXPECT_EQ(d.outputs[1].window_root, root);
  EXPECT_FALSE(d.outputs[1].address);
  EXPECT_EQ(d.outputs[1].value, 0);
  EXPECT_EQ(d.outputs[2].role, "witness_commitment");
  EXPECT_FALSE(d.outputs[2].address);
  EXPECT_EQ(d.tag, "/tag-x/");
  EXPECT_EQ(d.total_sats, tmpl->coinbase_value);

  const CoinbaseDescription solo =
      describe_coinbase(job_coinbase(build_job(tmpl, script, CoinbaseOptions{}, "1", true)), bitcoin::Network::kRegtest, true);
  ASSERT_EQ(solo.outputs.size(), 2u);
  EXPECT_EQ(solo.outputs[0].role, "miner_reward");
  EXPECT_EQ(solo.outputs[1].role, "witness_commitment");
}

// Against the strict test node (and a real bitcoind when installed): a block found on a job that
// carries a root is accepted, and the coinbase the node stored gives the root back.
class CommittedBlock : public ::testing::TestWithParam<std::string> {};

TEST_P(CommittedBlock, IsAcceptedAndCarriesTheRoot) {
  auto backend = GetParam() == "bitcoind" ? test::make_bitcoind_backend() : test::make_test_node_backend();
  if (!backend) GTEST_SKIP() << test::kBitcoindSkip;
  backend->generate(3);
  backend->add_transactions(6);
  const bitcoin::Uint256 root = root_of(0x21);
  auto tmpl = std::make_shared<const node::BlockTemplate>(backend->node().get_block_template());
  const Job job = build_job(tmpl, backend->wallet_script(), CoinbaseOptions{}, "1", true, root);
  const Solution s = test::solve(job, test::base_solution(job), job.network_target);
  const bitcoin::Block block = assemble_block(job, s);
  const SubmitResult r = submit_block(backend->node(), block, job.height);
  ASSERT_EQ(r.status, SubmitStatus::kAccepted) << r.reason;
  EXPECT_TRUE(r.in_best_chain);

  const auto hex = backend->rpc().call("getblock", "[\"" + block.header.hash().hex() + "\",0]");
  const bitcoin::Block stored = bitcoin::Block::from_hex(hex.GetString());
  EXPECT_EQ(find_window_commitment(stored.transactions[0]), root);
  EXPECT_EQ(stored.transactions[0].outputs.size(), 3u);
  EXPECT_EQ(stored.transactions[0].outputs[0].value, tmpl->coinbase_value);
}

INSTANTIATE_TEST_SUITE_P(Regtest, CommittedBlock, ::testing::Values("testnode", "bitcoind"),
                         [](const auto& info) { return info.param; });

// set_window_commitment makes the refresh thread publish a job on the same tip (clean_jobs false)
// that carries the root, without waiting for the refresh interval; clearing it drops the output.
TEST(JobManagerWindowCommitment, ChangeRefreshesWorkOnTheSameTip) {
  test::NodeFixture f;
  JobRegistry registry;
  JobManager::Options o;
  o.payout_script = f.wallet_script;
  o.refresh_interval = std::chrono::hours(1);  // only the commitment can cause a second job
  std::mutex mutex;
  std::vector<JobPtr> published;
  JobManager manager(*f.node, registry, o, [&](const JobPtr& job) {
    std::lock_guard lock(mutex);
    published.push_back(job);
  });
  manager.start();
  auto count = [&] {
    std::lock_guard lock(mutex);
    return published.size();
  };
  ASSERT_TRUE(test::eventually([&] { return count() == 1; }));
  {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(published[0]->window_commitment);
    EXPECT_TRUE(published[0]->clean_jobs);
  }

  const bitcoin::Uint256 root = root_of(0x55);
  manager.set_window_commitment(root);
  ASSERT_TRUE(test::eventually([&] { return count() == 2; }));
  {
    std::lock_guard lock(mutex);
    const JobPtr job = published[1];
    EXPECT_FALSE(job->clean_jobs);
    EXPECT_EQ(job->prev_hash, published[0]->prev_hash);
    EXPECT_EQ(job->window_commitment, root);
    EXPECT_EQ(find_window_commitment(parsed_coinbase(*job)), root);
    EXPECT_EQ(registry.current(), job);
  }
  manager.set_window_commitment(std::nullopt);
  ASSERT_TRUE(test::eventually([&] { return count() == 3; }));
  {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(published[2]->clean_jobs);
    EXPECT_FALSE(find_window_commitment(parsed_coinbase(*published[2])));
    EXPECT_EQ(parsed_coinbase(*published[2]).outputs.size(), 2u);
  }
  manager.stop();
}

}  // namespace
}  // namespace pool::mining
