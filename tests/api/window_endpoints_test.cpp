// The transparency endpoints against a SQLite store filled by hand with windows built from the
// v1 leaf encoding: every proof's paths fold to the committed root, the credit follows the
// documented formula until the ledger credits the block (then it is the ledger's number), the
// payments since the credit are listed, bad input gets a 4xx JSON error, and a store that
// throws gives 503.
#include "api/window_endpoints.h"

#include <gtest/gtest.h>

#include "api/api_service.h"
#include "bitcoin/address.h"
#include "bitcoin/hex.h"
#include "bitcoin/merkle.h"
#include "support/failing_store.h"
#include "support/test_databases.h"
#include "support/window_fixture.h"
#include "util/json.h"

namespace pool::api {
namespace {

using bitcoin::Uint256;
constexpr unsigned __int128 kScale = static_cast<unsigned __int128>(1) << 120;  // weights past 64 bits

std::string address_of(uint8_t n) {
  std::vector<uint8_t> program(20, n);
  return bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 0, program);
}

class WindowEndpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    db = test::make_sqlite_database();
    store = store::open_store(db->url());
    a = address_of(1);
    b = address_of(2);
    c = address_of(3);
    if (b < a) std::swap(a, b);  // leaves sort by address: a's come first
    // a mines with two workers (weights 1 and 2), b with one (6): a has 3/9 of the window.
    rows = test::window_rows({{b, "rig", 11, 40, 30, 6 * kScale},
                              {a, "w2", 5, 20, 8, 2 * kScale},
                              {a, "w1", 1, 19, 10, 1 * kScale}});
    window = test::window_summary(hash, rows, 1001, 10000);  // 1% fee
    store::BlockRecord block;
    block.hash = hash;
    block.height = 321;
    block.status = "pending";
    block.reward_sats = 1001;
    store->insert_block(block);
    ASSERT_TRUE(store->store_block_window(window, rows));
  }

  net::HttpResponse get(const std::string& target) {
    auto r = window_endpoint(*store, bitcoin::Network::kRegtest, target);
    if (!r) return {0, "", "(not handled)"};
    return *r;
  }

  static rapidjson::Document body(const net::HttpResponse& r) { return util::parse_json(r.body); }

  const std::string hash = std::string(60, 'c') + "0123";
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  std::string a, b, c;
  std::vector<store::WindowLeafRow> rows;
  store::BlockWindow window;
};

TEST_F(WindowEndpoints, WindowPageShowsTheCommittedLeavesAndTheRule) {
  const auto r = get("/api/blocks/" + hash + "/window");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = body(r);
  EXPECT_EQ(util::get_string(d, "block_hash"), hash);
  EXPECT_EQ(util::get_int64(d, "height"), 321);
  EXPECT_EQ(util::get_string(d, "root"), window.root);
  EXPECT_EQ(util::get_string(d, "total_weight"), test::u128_decimal(9 * kScale));
  EXPECT_EQ(util::get_int64(d, "reward_sats"), 1001);
  EXPECT_EQ(util::get_int64(d, "fee_ppm"), 10000);
  EXPECT_EQ(util::get_int64(d, "fee_sats"), 10);
  EXPECT_EQ(util::get_int64(d, "leaf_count"), 3);
  EXPECT_EQ(util::get_int64(d, "limit"), 100);
  EXPECT_NE(util::get_string(d, "rounding").find("floor("), std::string::npos);
  EXPECT_TRUE(d["commitment_block"].IsNull());
  EXPECT_TRUE(d["commitment_txid"].IsNull());
  const auto& leaves = d["leaves"];
  ASSERT_EQ(leaves.Size(), 3u);
  // Sorted by (address, worker): a/w1, a/w2, b/rig; each hash is the v1 encoding's sha256d.
  EXPECT_EQ(util::get_string(leaves[0], "address"), a);
  EXPECT_EQ(util::get_string(leaves[0], "worker"), "w1");
  EXPECT_EQ(util::get_string(leaves[1], "worker"), "w2");
  EXPECT_EQ(util::get_string(leaves[2], "address"), b);
  EXPECT_EQ(util::get_string(leaves[2], "weight"), test::u128_decimal(6 * kScale));
  EXPECT_EQ(util::get_int64(leaves[2], "shares"), 30);
  EXPECT_EQ(util::get_string(leaves[2], "hash"),
            bitcoin::sha256d(test::leaf_encoding_v1({b, "rig", 11, 40, 30, 6 * kScale})).internal_hex());
}

TEST_F(WindowEndpoints, WindowPagesAreBoundedAndOffsetsChecked) {
  auto d = body(get("/api/blocks/" + hash + "/window?offset=1&limit=1"));
  ASSERT_EQ(d["leaves"].Size(), 1u);
  EXPECT_EQ(util::get_int64(d["leaves"][0], "index"), 1);
  EXPECT_EQ(util::get_string(d["leaves"][0], "worker"), "w2");
  d = body(get("/api/blocks/" + hash + "/window?offset=3"));  // the end: an empty page
  EXPECT_EQ(d["leaves"].Size(), 0u);
  EXPECT_EQ(get("/api/blocks/" + hash + "/window?limit=1000").status, 200);
  for (const char* q : {"offset=4", "limit=1001", "offset=-1", "offset=x", "limit=", "limit=99999999999999999999"}) {
    const auto r = get("/api/blocks/" + hash + "/window?" + std::string(q));
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_TRUE(body(r).HasMember("error")) << q << ": " << r.body;
  }
}

// Every leaf's path folds to the root, the weights add up, and until the block is credited the
// credit is the formula's: distributable = 1001 - floor(1001 * 1%) = 991, a's share 3/9 -> 330.
TEST_F(WindowEndpoints, ProofPathsFoldToTheRootAndTheCreditFollowsTheFormula) {
  const auto r = get("/api/blocks/" + hash + "/proof/" + a);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = body(r);
  const auto root = util::get_string(d, "root");
  EXPECT_EQ(root, window.root);
  const auto& leaves = d["leaves"];
  ASSERT_EQ(leaves.Size(), 2u);
  for (const auto& l : leaves.GetArray()) {
    std::vector<Uint256> path;
    for (const auto& h : l["path"].GetArray()) path.push_back(Uint256::from_internal(bitcoin::from_hex(h.GetString())));
    EXPECT_EQ(path.size(), 2u);
    const auto leaf = Uint256::from_internal(bitcoin::from_hex(util::get_string(l, "hash")));
    EXPECT_EQ(bitcoin::merkle_root_from_path(leaf, static_cast<size_t>(util::get_int64(l, "index")), path).internal_hex(),
              root);
  }
  EXPECT_EQ(util::get_string(d, "address_weight"), test::u128_decimal(3 * kScale));
  EXPECT_EQ(util::get_string(d, "total_weight"), test::u128_decimal(9 * kScale));
  EXPECT_EQ(util::get_int64(d, "fee_sats"), 10);
  EXPECT_EQ(util::get_int64(d, "distributable_sats"), 991);
  EXPECT_EQ(util::get_int64(d, "credited_sats"), 330);
  EXPECT_FALSE(util::get_bool(d, "credited"));
  EXPECT_EQ(util::get_int64(body(get("/api/blocks/" + hash + "/proof/" + b)), "credited_sats"), 660);
  EXPECT_EQ(d["payments"].Size(), 0u);
  EXPECT_TRUE(d["commitment_txid"].IsNull());

  store->set_window_commitment(hash, std::string(64, 'e'), std::string(64, 'f'));
  const auto committed = body(get("/api/blocks/" + hash + "/proof/" + a));
  EXPECT_EQ(util::get_string(committed, "commitment_block"), std::string(64, 'e'));
  EXPECT_EQ(util::get_string(committed, "commitment_txid"), std::string(64, 'f'));
}

// Once credited, credited_sats is what the ledger holds (here deliberately not the formula's, as
// a tampered ledger would be, so a verifier can catch it), and the sent payments to the address
// after that credit are listed with their fee; earlier payments are not.
TEST_F(WindowEndpoints, CreditedProofShowsTheLedgerCreditAndLaterPayments) {
  store::BlockRecord earlier;
  earlier.hash = std::string(64, 'd');
  earlier.height = 300;
  earlier.status = "pending";
  earlier.reward_sats = 5000;
  store->insert_block(earlier);
  ASSERT_TRUE(store->credit_block(earlier.hash, {{a, 5000}}, 0));
  const int64_t before = store->create_payment({{a, 5000}}, "before");
  store->complete_payment(before, std::string(64, '1'), 100);

  ASSERT_TRUE(store->credit_block(hash, {{a, 331}, {b, 660}}, 10));
  const int64_t after = store->create_payment({{a, 300}, {b, 660}}, "after");
  store->complete_payment(after, std::string(64, '2'), 300);
  store->create_payment({{a, 31}}, "still pending");  // not sent: not listed

  const auto d = body(get("/api/blocks/" + hash + "/proof/" + a));
  EXPECT_TRUE(util::get_bool(d, "credited"));
  EXPECT_EQ(util::get_int64(d, "credited_sats"), 331);
  const auto& payments = d["payments"];
  ASSERT_EQ(payments.Size(), 1u) << util::to_json(payments);
  EXPECT_EQ(util::get_int64(payments[0], "payment_id"), after);
  EXPECT_EQ(util::get_string(payments[0], "txid"), std::string(64, '2'));
  EXPECT_EQ(util::get_int64(payments[0], "sats"), 300);
  EXPECT_EQ(util::get_int64(payments[0], "fee_sats"), 300);
  EXPECT_EQ(util::get_int64(payments[0], "recipients"), 2);
  EXPECT_TRUE(payments[0]["vout"].IsNull());
}

TEST_F(WindowEndpoints, BadInputGetsA4xxJsonError) {
  const std::string solo = std::string(64, '9');
  store::BlockRecord block;
  block.hash = solo;
  block.status = "pending";
  block.scheme = "solo";
  store->insert_block(block);
  const std::vector<std::pair<std::string, int>> cases{
      {"/api/blocks/xyz/window", 400},
      {"/api/blocks/" + std::string(63, 'a') + "/window", 400},
      {"/api/blocks/" + std::string(64, 'g') + "/proof/" + a, 400},
      {"/api/blocks/" + std::string(64, 'a') + "/window", 404},  // unknown block
      {"/api/blocks/" + solo + "/window", 404},                  // no window
      {"/api/blocks/" + hash + "/proof/" + c, 404},              // not in the window
      {"/api/blocks/" + hash + "/proof/notanaddress", 400},
      {"/api/blocks/" + hash + "/proof/1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", 400},  // mainnet on regtest
      {"/api/blocks/" + hash + "/proof/", 400},
      {"/api/blocks/" + hash + "/proof/" + a + "/x", 400},
      {"/api/blocks/" + hash + "/proof/%ff%fe", 400},
  };
  for (const auto& [target, status] : cases) {
    const auto r = get(target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/json") << target;
    EXPECT_TRUE(body(r).HasMember("error")) << target << ": " << r.body;
  }
  // Upper-case hex is the same block.
  std::string upper = hash;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(get("/api/blocks/" + upper + "/window").status, 200);
  EXPECT_FALSE(window_endpoint(*store, bitcoin::Network::kRegtest, "/api/blocks/" + hash));
}

TEST_F(WindowEndpoints, AStoreThatThrowsGives503) {
  test::FailingStore failing(*store);
  failing.down = true;
  for (const std::string& target : {"/api/blocks/" + hash + "/window", "/api/blocks/" + hash + "/proof/" + a}) {
    const auto r = *window_endpoint(failing, bitcoin::Network::kRegtest, target);
    EXPECT_EQ(r.status, 503) << target;
    EXPECT_TRUE(body(r).HasMember("error")) << r.body;
  }
}

TEST_F(WindowEndpoints, ServedThroughTheApi) {
  stratum::PoolStats stats;
  mining::JobRegistry jobs;
  ApiSources sources;
  sources.stats = &stats;
  sources.store = store.get();
  sources.jobs = &jobs;
  sources.network = bitcoin::Network::kRegtest;
  ApiService api(sources);
  const auto r = api.handle(net::HttpRequest{"GET", "/api/blocks/" + hash + "/proof/" + a, "", ""});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(api.handle(net::HttpRequest{"GET", "/api/blocks/" + hash + "/window?limit=5000", "", ""}).status, 400);
}

}  // namespace
}  // namespace pool::api
