// Jobs built from real Bitcoin Core templates: the Stratum split must reproduce the block's
// merkle root and witness commitment exactly.
#include "mining/job_builder.h"

#include <gtest/gtest.h>

#include "bitcoin/address.h"
#include "bitcoin/merkle.h"
#include "bitcoin/script.h"
#include "bitcoin/sha256.h"
#include "mining/block_assembler.h"
#include "support/mining_helpers.h"
#include "support/vectors.h"

namespace pool::mining {
namespace {

const bitcoin::Bytes kPayout = bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8");

std::shared_ptr<const node::BlockTemplate> load(const std::string& name) {
  return std::make_shared<const node::BlockTemplate>(node::parse_block_template(test::read_json_vector(name)));
}

class JobFromVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(JobFromVectors, BranchRootEqualsFullTreeRoot) {
  const auto tmpl = load(GetParam());
  const Job job = build_job(tmpl, kPayout, CoinbaseOptions{}, "1", true);
  const Solution s = test::base_solution(job);
  const bitcoin::Bytes coinbase = coinbase_bytes(job, s.extranonce1, s.extranonce2);
  std::vector<bitcoin::Uint256> leaves = {bitcoin::sha256d(coinbase)};
  for (const auto& tx : tmpl->transactions) leaves.push_back(tx.txid);
  EXPECT_EQ(solution_header(job, s).merkle_root, bitcoin::merkle_root(leaves));

  // The assembled block's own merkle root and witness commitment check out, and our commitment
  // equals Bitcoin Core's default_witness_commitment.
  const bitcoin::Block block = assemble_block(job, s);
  EXPECT_EQ(bitcoin::block_merkle_root(block), block.header.merkle_root);
  const auto idx = bitcoin::find_witness_commitment(block.transactions[0]);
  ASSERT_TRUE(idx);
  EXPECT_EQ(block.transactions[0].outputs[*idx].script_pubkey, *tmpl->default_witness_commitment);
  EXPECT_EQ(block.transactions.size(), tmpl->transactions.size() + 1);
  for (size_t i = 0; i < tmpl->transactions.size(); ++i) {
    EXPECT_EQ(block.transactions[i + 1].wtxid(), tmpl->transactions[i].wtxid);
  }
  // Coinbase pays the whole template value to the payout script.
  EXPECT_EQ(block.transactions[0].outputs[0].value, tmpl->coinbase_value);
  EXPECT_EQ(block.transactions[0].outputs[0].script_pubkey, kPayout);
}

INSTANTIATE_TEST_SUITE_P(RegtestTemplates, JobFromVectors,
                         ::testing::Values("regtest/gbt-empty.json", "regtest/gbt-with-4-txs.json",
                                           "regtest/gbt-with-114-txs.json"));

// A personal SOLO job shares the base job's template-wide work and must be exactly the job
// build_job makes for its payee: same coinbase bytes, branch, notify fields; a block from it pays
// the payee. Regtest addresses of the three common kinds, on real templates.
const std::string kP2tr =
    bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 1, bitcoin::Bytes(32, 0x79));

struct PersonalCase {
  std::string vector;
  std::string address;
};

class PersonalJobFromVectors : public ::testing::TestWithParam<PersonalCase> {};

TEST_P(PersonalJobFromVectors, EqualsBuildJobForThePayee) {
  const auto tmpl = load(GetParam().vector);
  const bitcoin::Bytes payee = bitcoin::address_to_script(GetParam().address, bitcoin::Network::kRegtest);
  const CoinbaseOptions options{"/solo/", 4, 8};
  const bitcoin::Bytes pool_script = bitcoin::from_hex("0020" + std::string(64, '4'));  // the base job's payout
  const Job base = build_job(tmpl, pool_script, options, "7", true);
  const Job personal = personalize_job(base, payee, options, "7abcd");
  const Job direct = build_job(tmpl, payee, options, "7abcd", true);

  EXPECT_EQ(personal.work, base.work);  // shared, not recomputed
  EXPECT_EQ(personal.id, direct.id);
  EXPECT_EQ(personal.block_template, direct.block_template);
  EXPECT_EQ(personal.payout_script, payee);
  EXPECT_EQ(personal.payout_script, direct.payout_script);
  EXPECT_EQ(bitcoin::to_hex(personal.coinb1), bitcoin::to_hex(direct.coinb1));
  EXPECT_EQ(bitcoin::to_hex(personal.coinb2), bitcoin::to_hex(direct.coinb2));
  EXPECT_NE(personal.coinb2, base.coinb2);  // the payout really changed
  EXPECT_EQ(personal.coinb1_hex, direct.coinb1_hex);
  EXPECT_EQ(personal.coinb2_hex, direct.coinb2_hex);
  EXPECT_EQ(personal.extranonce1_size, direct.extranonce1_size);
  EXPECT_EQ(personal.extranonce2_size, direct.extranonce2_size);
  EXPECT_EQ(personal.has_witness_commitment, direct.has_witness_commitment);
  EXPECT_EQ(personal.merkle_branch(), direct.merkle_branch());
  EXPECT_EQ(personal.work->merkle_branch_hex, direct.work->merkle_branch_hex);
  EXPECT_EQ(personal.work->merkle_branch_json, direct.work->merkle_branch_json);
  EXPECT_EQ(personal.work->witness_commitment, direct.work->witness_commitment);
  EXPECT_EQ(personal.version, direct.version);
  EXPECT_EQ(personal.bits, direct.bits);
  EXPECT_EQ(personal.ntime, direct.ntime);
  EXPECT_EQ(personal.min_time, direct.min_time);
  EXPECT_EQ(personal.prev_hash, direct.prev_hash);
  EXPECT_EQ(personal.height, direct.height);
  EXPECT_EQ(personal.coinbase_value, direct.coinbase_value);
  EXPECT_EQ(personal.network_target, direct.network_target);
  EXPECT_EQ(personal.clean_jobs, direct.clean_jobs);
  EXPECT_EQ(personal.prevhash_hex, direct.prevhash_hex);
  EXPECT_EQ(personal.version_hex, direct.version_hex);
  EXPECT_EQ(personal.bits_hex, direct.bits_hex);
  EXPECT_EQ(personal.ntime_hex, direct.ntime_hex);

  // The block a solution on it makes is byte for byte the direct job's, pays the payee first and
  // carries Core's witness commitment after it.
  const Solution s = test::base_solution(personal);
  const bitcoin::Block block = assemble_block(personal, s);
  EXPECT_EQ(bitcoin::to_hex(block.serialize()), bitcoin::to_hex(assemble_block(direct, s).serialize()));
  EXPECT_EQ(bitcoin::block_merkle_root(block), block.header.merkle_root);
  const auto& outputs = block.transactions[0].outputs;
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].script_pubkey, payee);
  EXPECT_EQ(outputs[0].value, tmpl->coinbase_value);
  EXPECT_EQ(outputs[1].script_pubkey, *tmpl->default_witness_commitment);
}

INSTANTIATE_TEST_SUITE_P(
    Payees, PersonalJobFromVectors,
    ::testing::Values(
        PersonalCase{"regtest/gbt-with-114-txs.json", "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d"},       // P2WPKH
        PersonalCase{"regtest/gbt-with-114-txs.json",
                     kP2tr},               // P2TR
        PersonalCase{"regtest/gbt-with-114-txs.json", "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz"},                 // P2PKH
        PersonalCase{"regtest/gbt-with-4-txs.json", kP2tr},
        PersonalCase{"regtest/gbt-empty.json", "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz"}));

TEST(JobBuilder, CoinbaseStartsWithBip34HeightAndCarriesTag) {
  const auto tmpl = load("regtest/gbt-with-4-txs.json");
  const Job job = build_job(tmpl, kPayout, CoinbaseOptions{"/tag/", 4, 8}, "a", true);
  const Solution s = test::base_solution(job);
  const auto tx = bitcoin::Transaction::from_bytes(coinbase_bytes(job, s.extranonce1, s.extranonce2));
  ASSERT_TRUE(tx.is_coinbase());
  const auto& sig = tx.inputs[0].script_sig;
  EXPECT_EQ(bitcoin::to_hex(bitcoin::Bytes(sig.begin(), sig.begin() + 2)), "0166");  // height 102
  const std::string text(sig.begin(), sig.end());
  EXPECT_NE(text.find("/tag/"), std::string::npos);
  EXPECT_LE(sig.size(), 100u);
}

TEST(JobBuilder, LongTagIsTruncatedToKeepScriptSigValid) {
  const auto tmpl = load("regtest/gbt-empty.json");
  const Job job = build_job(tmpl, kPayout, CoinbaseOptions{std::string(200, 'x'), 8, 8}, "b", true);
  const Solution s = test::base_solution(job);
  const auto tx = bitcoin::Transaction::from_bytes(coinbase_bytes(job, s.extranonce1, s.extranonce2));
  EXPECT_EQ(tx.inputs[0].script_sig.size(), 100u);
}

TEST(JobBuilder, LowHeightsUseSmallIntegerOpcodes) {
  auto tmpl = std::make_shared<node::BlockTemplate>(node::parse_block_template(test::read_json_vector("regtest/gbt-empty.json")));
  tmpl->height = 5;
  const Job job = build_job(tmpl, kPayout, CoinbaseOptions{}, "c", true);
  EXPECT_EQ(job.coinb1[42], 0x55);  // OP_5 right after the scriptSig length byte
}

TEST(JobBuilder, StratumFieldsHaveExactWidths) {
  const auto tmpl = load("regtest/gbt-with-114-txs.json");
  const Job job = build_job(tmpl, kPayout, CoinbaseOptions{}, "d", true);
  EXPECT_EQ(job.prevhash_hex.size(), 64u);
  EXPECT_EQ(job.version_hex, "20000000");
  EXPECT_EQ(job.bits_hex, "207fffff");
  EXPECT_EQ(job.ntime_hex.size(), 8u);
  EXPECT_EQ(job.work->merkle_branch_hex.size(), 7u);
  for (const auto& h : job.work->merkle_branch_hex) EXPECT_EQ(h.size(), 64u);
}

TEST(JobBuilder, PrevhashIsWordSwapped) {
  // Internal bytes 00 01 02 03 | 04 05 06 07 ... become 03 02 01 00 | 07 06 05 04 ...
  bitcoin::Bytes internal(32);
  for (size_t i = 0; i < 32; ++i) internal[i] = static_cast<uint8_t>(i);
  const std::string s = stratum_prevhash(bitcoin::Uint256::from_internal(internal));
  EXPECT_EQ(s.substr(0, 16), "0302010007060504");
  EXPECT_EQ(s.substr(56), "1f1e1d1c");
}

TEST(JobBuilder, RejectsBadExtranonceSizes) {
  const auto tmpl = load("regtest/gbt-empty.json");
  EXPECT_THROW(build_job(tmpl, kPayout, CoinbaseOptions{"", 4, 0}, "e", true), std::invalid_argument);
  EXPECT_THROW(build_job(tmpl, kPayout, CoinbaseOptions{"", 4, 17}, "e", true), std::invalid_argument);
  EXPECT_THROW(build_job(tmpl, {}, CoinbaseOptions{}, "e", true), std::invalid_argument);
}

}  // namespace
}  // namespace pool::mining
