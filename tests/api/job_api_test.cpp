// GET /api/job: the job miners work on now, decoded from the very coinbase bytes they get
// (coinb1 || extranonces || coinb2): outputs with value, address and role, the PPLNS window root,
// tag, template facts; SOLO shows the coinbase personalized for an address; errors are JSON.
#include <gtest/gtest.h>

#include "api/api_service.h"
#include "api/job_json.h"
#include "bitcoin/address.h"
#include "mining/job_builder.h"
#include "mining/window_commitment_output.h"
#include "support/vectors.h"
#include "util/json.h"

namespace pool::api {
namespace {

const std::string kPoolAddress = bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 0, bitcoin::Bytes(20, 0x42));
const std::string kMinerAddress =
    bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 1, bitcoin::Bytes(32, 0x79));

bitcoin::Uint256 some_root() {
  bitcoin::Bytes b(32);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(0xa0 + i);
  return bitcoin::Uint256::from_internal(b);
}

struct JobApi : ::testing::Test {
  std::shared_ptr<const node::BlockTemplate> tmpl = std::make_shared<const node::BlockTemplate>(
      node::parse_block_template(test::read_json_vector("regtest/gbt-with-4-txs.json")));
  stratum::PoolStats stats;
  mining::JobRegistry jobs;
  mining::CoinbaseOptions coinbase{"/api-test/", 4, 8};

  std::unique_ptr<ApiService> api(const std::string& scheme) {
    ApiSources sources;
    sources.stats = &stats;
    sources.jobs = &jobs;
    sources.network = bitcoin::Network::kRegtest;
    sources.payout_scheme = scheme;
    sources.coinbase = coinbase;
    sources.read_snapshot = [] { return StoreSnapshot{}; };
    return std::make_unique<ApiService>(sources);
  }
  mining::JobPtr add_job(const std::optional<bitcoin::Uint256>& root) {
    auto job = std::make_shared<const mining::Job>(mining::build_job(
        tmpl, bitcoin::address_to_script(kPoolAddress, bitcoin::Network::kRegtest), coinbase, jobs.next_id(), true, root));
    jobs.add(job);
    return job;
  }
  static net::HttpResponse get(ApiService& api, const std::string& target) {
    return api.handle(net::HttpRequest{"GET", target, "", ""});
  }
};

TEST_F(JobApi, NoJobYetIs503WithJsonError) {
  auto service = api("pplns");
  const auto r = get(*service, "/api/job");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_TRUE(util::parse_json(r.body).HasMember("error"));
}

TEST_F(JobApi, PplnsShowsTheCurrentJobDecoded) {
  auto service = api("pplns");
  add_job(std::nullopt);  // an older job on the same tip
  const mining::JobPtr job = add_job(some_root());
  const auto r = get(*service, "/api/job");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = util::parse_json(r.body);
  EXPECT_EQ(util::get_string(d, "job_id"), job->id);
  EXPECT_EQ(util::get_int64(d, "height"), tmpl->height);
  EXPECT_EQ(util::get_string(d, "previous_block_hash"), tmpl->previous_block_hash.hex());  // display order
  EXPECT_EQ(util::get_int64(d, "transaction_count"), 4);
  int64_t fees = 0;
  for (const auto& tx : tmpl->transactions) fees += tx.fee;
  EXPECT_GT(fees, 0);
  EXPECT_EQ(util::get_int64(d, "total_fees_sats"), fees);
  EXPECT_EQ(util::get_int64(d, "merkle_branch_length"), 3);  // 5 leaves: coinbase + 4
  EXPECT_EQ(util::get_string(d, "coinbase_tag"), "/api-test/");
  EXPECT_EQ(util::get_string(d, "version"), job->version_hex);
  EXPECT_EQ(util::get_string(d, "bits"), job->bits_hex);
  EXPECT_EQ(util::get_int64(d, "ntime"), job->ntime);
  EXPECT_TRUE(util::get_bool(d, "clean_jobs"));
  EXPECT_GT(util::get_int64(d, "created_ms"), 0);
  EXPECT_EQ(util::get_string(d, "coinb1"), job->coinb1_hex);
  EXPECT_EQ(util::get_string(d, "coinb2"), job->coinb2_hex);
  EXPECT_EQ(util::get_string(d, "window_commitment_root"), some_root().internal_hex());

  const auto& outputs = util::member(d, "outputs");
  ASSERT_EQ(outputs.Size(), 3u);
  EXPECT_EQ(util::get_string(outputs[0], "role"), "pool_reward");
  EXPECT_EQ(util::get_string(outputs[0], "address"), kPoolAddress);
  EXPECT_EQ(util::get_int64(outputs[0], "value_sats"), tmpl->coinbase_value);
  EXPECT_EQ(util::get_string(outputs[1], "role"), "window_commitment");
  EXPECT_EQ(util::get_string(outputs[1], "root"), some_root().internal_hex());
  EXPECT_TRUE(outputs[1]["address"].IsNull());
  EXPECT_EQ(util::get_int64(outputs[1], "value_sats"), 0);
  EXPECT_EQ(util::get_string(outputs[1], "script_hex"), bitcoin::to_hex(mining::window_commitment_script(some_root())));
  EXPECT_EQ(util::get_string(outputs[2], "role"), "witness_commitment");
  EXPECT_EQ(util::get_string(outputs[2], "script_hex"), bitcoin::to_hex(*tmpl->default_witness_commitment));
}

TEST_F(JobApi, WithoutRootThereIsNoWindowCommitment) {
  auto service = api("pplns");
  add_job(std::nullopt);
  const auto d = util::parse_json(get(*service, "/api/job").body);
  EXPECT_TRUE(d["window_commitment_root"].IsNull());
  ASSERT_EQ(util::member(d, "outputs").Size(), 2u);
  EXPECT_EQ(util::get_string(util::member(d, "outputs")[1], "role"), "witness_commitment");
}

TEST_F(JobApi, PplnsRefusesTheAddressParameter) {
  auto service = api("pplns");
  add_job(std::nullopt);
  const auto r = get(*service, "/api/job?address=" + kMinerAddress);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(util::get_string(util::parse_json(r.body), "error").find("SOLO"), std::string::npos);
}

TEST_F(JobApi, SoloAddressShowsThePersonalizedCoinbase) {
  auto service = api("solo");
  const mining::JobPtr base = add_job(std::nullopt);
  const auto r = get(*service, "/api/job?address=" + kMinerAddress);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = util::parse_json(r.body);
  EXPECT_EQ(util::get_string(d, "personalized_for"), kMinerAddress);
  const auto& outputs = util::member(d, "outputs");
  ASSERT_EQ(outputs.Size(), 2u);
  EXPECT_EQ(util::get_string(outputs[0], "role"), "miner_reward");
  EXPECT_EQ(util::get_string(outputs[0], "address"), kMinerAddress);
  EXPECT_EQ(util::get_int64(outputs[0], "value_sats"), tmpl->coinbase_value);
  // Byte for byte the coinbase the Stratum server personalizes for a miner of this address.
  const mining::Job personal = mining::personalize_job(
      *base, bitcoin::address_to_script(kMinerAddress, bitcoin::Network::kRegtest), coinbase, base->id + "x");
  EXPECT_EQ(util::get_string(d, "coinb1"), personal.coinb1_hex);
  EXPECT_EQ(util::get_string(d, "coinb2"), personal.coinb2_hex);
  EXPECT_EQ(util::get_string(d, "job_id"), base->id);

  // Without an address, the base job (output 0 is the placeholder every miner's job replaces).
  const auto plain = util::parse_json(get(*service, "/api/job").body);
  EXPECT_TRUE(plain["personalized_for"].IsNull());
  EXPECT_EQ(util::get_string(util::member(plain, "outputs")[0], "address"), kPoolAddress);
}

TEST_F(JobApi, SoloInvalidAddressIs400WithJsonError) {
  auto service = api("solo");
  add_job(std::nullopt);
  const std::string mainnet = bitcoin::encode_segwit_address(bitcoin::Network::kMain, 0, bitcoin::Bytes(20, 1));
  for (const std::string& bad : {std::string("nonsense"), mainnet, std::string(""), std::string("bcrt1q%zz")}) {
    const auto r = get(*service, "/api/job?address=" + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(util::parse_json(r.body).HasMember("error")) << bad;
  }
}

TEST(QueryValue, FindsAndDecodesOneParameter) {
  EXPECT_EQ(query_value("/api/job?address=abc", "address"), std::optional<std::string>("abc"));
  EXPECT_EQ(query_value("/api/job?x=1&address=a%62c+d", "address"), std::optional<std::string>("abc d"));
  EXPECT_EQ(query_value("/api/job?addressx=1", "address"), std::nullopt);
  EXPECT_EQ(query_value("/api/job", "address"), std::nullopt);
  EXPECT_EQ(query_value("/api/job?address", "address"), std::optional<std::string>(""));
  EXPECT_THROW(query_value("/api/job?address=%4", "address"), std::invalid_argument);
  EXPECT_THROW(query_value("/api/job?address=%g1", "address"), std::invalid_argument);
}

}  // namespace
}  // namespace pool::api
