// pool-verify's checks, without a pool or a node: the v1 leaf hash and the credit against values
// computed independently (Python's hashlib and big integers), then whole proofs served by the
// pool's proof endpoint checked by the verifier (they pass; a tampered field fails naming it),
// and the chain checks against a stand-in node.
#include <gtest/gtest.h>

#include <sstream>

#include "api/window_endpoints.h"
#include "bitcoin/address.h"
#include "bitcoin/merkle.h"
#include "bitcoin/transaction.h"
#include "support/test_databases.h"
#include "support/window_fixture.h"
#include "tools/pool_verify/http_fetch.h"
#include "tools/pool_verify/verify_checks.h"
#include "tools/pool_verify/verify_math.h"
#include "util/json.h"

namespace pool::verify {
namespace {

constexpr u128 kScale = static_cast<u128>(1) << 120;

// Vector computed with Python: sha256d(b"PPLNS-leaf-v1" + bytes([len(a)]) + a + bytes([len(w)]) + w +
// (7).to_bytes(8,'little') + (42).to_bytes(8,'little') + (36).to_bytes(8,'little') + weight.to_bytes(16,'little')).
TEST(VerifyMath, LeafHashV1MatchesAnIndependentComputation) {
  const Leaf leaf{"bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d", "rig1", 7, 42, 36, 3 * kScale + 12345};
  EXPECT_EQ(bitcoin::to_hex(leaf_encoding_v1(leaf)),
            "50504c4e532d6c6561662d76312c62637274317137706468786e716132736a6b68667a356b35617373396a3079346a3433763467"
            "303936713064047269673107000000000000002a00000000000000240000000000000039300000000000000000000000000003");
  EXPECT_EQ(leaf_hash_v1(leaf).internal_hex(), "2d78dd7a6a2efe85e5692d1087b9d0075e7053dee76c4118f271b8a842f447f0");
}

// Expected values from Python: (reward - reward*ppm//10**6) * aw // tw.
TEST(VerifyMath, CreditIsExactFloorOfTheFormula) {
  const u128 max = ~u128{0};
  EXPECT_EQ(credit_of(312512345, 10000, max >> 1, max), 154693610);
  EXPECT_EQ(credit_of(5000000000, 15000, *parse_u128("123456789012345678901234567890"),
                      *parse_u128("987654321098765432109876543210")),
            615624994);
  EXPECT_EQ(credit_of(1001, 10000, 3, 9), 330);
  EXPECT_EQ(credit_of(1001, 10000, 9, 9), 991);
  EXPECT_FALSE(credit_of(1001, 0, 10, 9));
  EXPECT_FALSE(credit_of(1001, 0, 0, 0));
  EXPECT_EQ(fee_of(1001, 10000), 10);
}

TEST(VerifyMath, DecimalWeightsAreStrict) {
  EXPECT_EQ(to_decimal(*parse_u128("340282366920938463463374607431768211455")), "340282366920938463463374607431768211455");
  EXPECT_FALSE(parse_u128("340282366920938463463374607431768211456"));  // 2^128
  EXPECT_FALSE(parse_u128(""));
  EXPECT_FALSE(parse_u128("-1"));
  EXPECT_FALSE(parse_u128("1e3"));
}

TEST(VerifyMath, FeeShareOfAnOutput) {
  EXPECT_EQ(expected_output_values(1000, std::nullopt, 3), std::vector<int64_t>{1000});
  EXPECT_EQ(expected_output_values(1000, 300, 3), std::vector<int64_t>{900});
  EXPECT_EQ(expected_output_values(1000, 301, 3), (std::vector<int64_t>{900, 899}));
}

TEST(VerifyUrl, ApiAndRpcUrls) {
  auto u = parse_http_url("http://pool.example:8080/prefix/");
  EXPECT_EQ(u.host, "pool.example");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.base, "/prefix");
  u = parse_http_url("http://user:p@ss:w@127.0.0.1:18443/wallet/pool");
  EXPECT_EQ(u.user, "user");
  EXPECT_EQ(u.password, "p@ss:w");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 18443);
  EXPECT_EQ(u.base, "/wallet/pool");
  EXPECT_EQ(parse_http_url("http://localhost").port, 80);
  EXPECT_THROW(parse_http_url("https://pool.example"), std::invalid_argument);
  EXPECT_THROW(parse_http_url("http://pool.example:99999"), std::invalid_argument);
  EXPECT_THROW(parse_http_url("http://:80"), std::invalid_argument);
}

TEST(VerifyUrl, AnUnreachablePoolIsAnErrorNotAHang) {
  EXPECT_THROW(http_get(parse_http_url("http://127.0.0.1:1"), "/api/pool", std::chrono::milliseconds(2000)),
               std::runtime_error);
}

std::string address_of(uint8_t n) {
  return bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 0, std::vector<uint8_t>(20, n));
}

/// A pool store with one committed window, and the proof its API serves.
class VerifyProof : public ::testing::Test {
 protected:
  void SetUp() override {
    db = test::make_sqlite_database();
    store = store::open_store(db->url());
    a = address_of(1);
    const auto rows = test::window_rows({{address_of(2), "x", 11, 40, 30, 6 * kScale},
                                         {a, "w2", 5, 20, 8, 2 * kScale},
                                         {a, "w1", 1, 19, 10, 1 * kScale},
                                         {address_of(3), "y", 2, 3, 2, 5}});
    window = test::window_summary(hash, rows, 5000000000, 20000);
    store::BlockRecord b;
    b.hash = hash;
    b.height = 200;
    b.reward_sats = window.reward_sats;
    b.status = "pending";
    store->insert_block(b);
    ASSERT_TRUE(store->store_block_window(window, rows));
  }
  rapidjson::Document proof() {
    const auto r = api::window_endpoint(*store, bitcoin::Network::kRegtest, "/api/blocks/" + hash + "/proof/" + a);
    EXPECT_EQ(r->status, 200) << r->body;
    return util::parse_json(r->body);
  }
  std::string check(const rapidjson::Value& p, bool* passed) {
    std::ostringstream out;
    Report report(out);
    check_proof(p, a, report);
    *passed = report.passed();
    return out.str();
  }
  u128 window_total() const { return *parse_u128(window.total_weight); }
  const std::string hash = std::string(63, 'b') + "1";
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  std::string a;
  store::BlockWindow window;
};

TEST_F(VerifyProof, TheServedProofPasses) {
  bool passed = false;
  const auto out = check(proof(), &passed);
  EXPECT_TRUE(passed) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  EXPECT_NE(out.find("ok    leaf 2 path"), std::string::npos) << out;
  EXPECT_NE(out.find("ok    credit"), std::string::npos) << out;
}

TEST_F(VerifyProof, ATamperedFieldFailsNamingIt) {
  bool passed = true;
  auto p = proof();
  p["leaves"][1]["weight"].SetString("99", p.GetAllocator());
  auto out = check(p, &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("FAIL: leaf " + std::to_string(p["leaves"][1]["index"].GetInt()) + " hash"), std::string::npos) << out;

  p = proof();
  p["leaves"][0]["path"][0].SetString(std::string(64, '0').c_str(), p.GetAllocator());
  out = check(p, &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("FAIL: leaf " + std::to_string(p["leaves"][0]["index"].GetInt()) + " path"), std::string::npos) << out;

  p = proof();
  p["credited_sats"].SetInt64(p["credited_sats"].GetInt64() + 1);
  out = check(p, &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("FAIL: credit"), std::string::npos) << out;
  EXPECT_NE(out.find(hash), std::string::npos) << "the failure names the block: " << out;

  p = proof();
  p["fee_ppm"].SetInt64(0);
  out = check(p, &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("FAIL: fee"), std::string::npos) << out;

  p = proof();
  p.RemoveMember("total_weight");
  out = check(p, &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("FAIL: proof: malformed"), std::string::npos) << out;
}

/// A node that knows two blocks: the proven one and the one whose coinbase carries `root`.
// total_weight is not under the root: a pool could publish a larger one to shrink every credit,
// and each address's own paths would still fold. pool-verify reads the whole window to catch it.
TEST_F(VerifyProof, TheWholeWindowPinsTheTotalWeight) {
  auto run = [&](const rapidjson::Value& p, int64_t page_size, bool* passed) {
    std::ostringstream out;
    Report report(out);
    check_window(
        p,
        [&](int64_t offset, int64_t) {
          const auto r = api::window_endpoint(*store, bitcoin::Network::kRegtest,
                                              "/api/blocks/" + hash + "/window?offset=" + std::to_string(offset) +
                                                  "&limit=" + std::to_string(page_size));
          EXPECT_EQ(r->status, 200) << r->body;
          return util::parse_json(r->body);
        },
        report);
    *passed = report.passed();
    return out.str();
  };
  bool passed = false;
  auto out = run(proof(), 2, &passed);  // two pages of two leaves
  EXPECT_TRUE(passed) << out;
  EXPECT_NE(out.find("ok    window: 4 leaves"), std::string::npos) << out;

  // The published total inflated (and the credit recomputed to match it): the proof's own
  // arithmetic passes, the whole window does not.
  auto p = proof();
  p["total_weight"].SetString(to_decimal(window_total() + 1).c_str(), p.GetAllocator());
  out = run(p, 1000, &passed);
  EXPECT_FALSE(passed) << out;
  EXPECT_NE(out.find("not total_weight"), std::string::npos) << out;

  // A leaf's weight changed in the database after the root was published.
  db->execute("UPDATE window_leaves SET weight = '7' WHERE leaf_index = 0");
  out = run(proof(), 1000, &passed);
  EXPECT_FALSE(passed) << out;
  EXPECT_NE(out.find("does not hash to its hash"), std::string::npos) << out;
}

// Bitcoin's tree pairs an odd level's last node with itself, so a window with its last leaf
// repeated has the same root (CVE-2012-2459). A pool could serve that window with a larger total
// and shrink every credit while every hash, path and the root still check out; the contract's
// strict (address, worker) order is what rules it out.
TEST_F(VerifyProof, AWindowRepeatingItsLastLeafIsRefusedThoughItsRootIsTheSame) {
  // A window of three leaves (odd: its last leaf is paired with itself), alice's first.
  const std::string odd = std::string(63, 'c') + "3";
  const auto rows = test::window_rows({{a, "w1", 1, 9, 5, 1 * kScale}, {address_of(2), "x", 2, 8, 4, 1 * kScale},
                                       {address_of(3), "y", 3, 7, 3, 1 * kScale}});
  const auto summary = test::window_summary(odd, rows, 5000000000, 20000);
  store::BlockRecord b;
  b.hash = odd;
  b.height = 201;
  b.reward_sats = summary.reward_sats;
  b.status = "pending";
  store->insert_block(b);
  ASSERT_TRUE(store->store_block_window(summary, rows));
  auto get = [&](const std::string& target) {
    return util::parse_json(api::window_endpoint(*store, bitcoin::Network::kRegtest, target)->body);
  };
  auto served = get("/api/blocks/" + odd + "/window?offset=0&limit=1000");
  auto p = get("/api/blocks/" + odd + "/proof/" + a);
  // The pool serves [A, B, C, C] with a total that includes the copy: alice's credit shrinks by a
  // quarter while every leaf hash, every path and the root stay right.
  auto& leaves = served["leaves"];
  rapidjson::Value copy(leaves[2], served.GetAllocator());
  copy["index"].SetUint64(3);
  leaves.PushBack(copy, served.GetAllocator());
  served["leaf_count"].SetInt64(4);
  std::vector<bitcoin::Uint256> four;
  for (const auto& l : leaves.GetArray()) four.push_back(bitcoin::Uint256::from_internal(bitcoin::from_hex(l["hash"].GetString())));
  ASSERT_EQ(bitcoin::merkle_root(four).internal_hex(), std::string(p["root"].GetString())) << "the same root";
  p["total_weight"].SetString(to_decimal(4 * kScale).c_str(), p.GetAllocator());
  std::ostringstream out;
  Report report(out);
  check_window(
      p,
      [&](int64_t offset, int64_t) {
        rapidjson::Document page;
        page.CopyFrom(served, page.GetAllocator());
        if (offset > 0) page["leaves"].Clear();
        return page;
      },
      report);
  EXPECT_FALSE(report.passed()) << out.str();
  EXPECT_NE(out.str().find("not after the one before it"), std::string::npos) << out.str();
}

// A leaf listed twice in a proof would count twice in address_weight and the credit.
TEST_F(VerifyProof, ALeafListedTwiceInTheProofIsRefused) {
  auto p = proof();
  rapidjson::Value copy(p["leaves"][0], p.GetAllocator());
  p["leaves"].PushBack(copy, p.GetAllocator());
  bool passed = true;
  const auto out = check(p, &passed);
  EXPECT_FALSE(passed) << out;
  EXPECT_NE(out.find("listed twice"), std::string::npos) << out;
}

struct FakeNode {
  std::map<std::string, bitcoin::Transaction> coinbases;
  std::map<std::string, int> confirmations;
  rapidjson::Document operator()(const std::string& method, const std::string& params) const {
    const std::string hash = params.substr(2, 64);
    if (method != "getblock" || !coinbases.count(hash)) throw std::runtime_error("Block not found");
    const auto& tx = coinbases.at(hash);
    return util::parse_json("{\"confirmations\":" + std::to_string(confirmations.at(hash)) + ",\"tx\":[{\"txid\":\"" +
                            tx.txid().hex() + "\",\"hex\":\"" + bitcoin::to_hex(tx.serialize()) + "\"}]}");
  }
};

bitcoin::Transaction coinbase(int64_t value, std::optional<bitcoin::Uint256> root, uint8_t tag) {
  bitcoin::Transaction tx;
  tx.inputs.push_back({bitcoin::OutPoint{}, bitcoin::Bytes{3, tag, 0, 0}, 0xffffffff, {}});
  tx.outputs.push_back({value, bitcoin::Bytes{0x51}});
  if (root) {
    bitcoin::Bytes script{0x6a, 0x24, 'P', 'P', 'L', 'N'};
    script.insert(script.end(), root->data(), root->data() + 32);
    tx.outputs.push_back({0, script});
  }
  return tx;
}

TEST_F(VerifyProof, ChainChecksFindTheCommitmentOrSayItIsNotThereYet) {
  const auto root = bitcoin::Uint256::from_internal(bitcoin::from_hex(window.root));
  const std::string carrier = std::string(63, 'c') + "2";
  FakeNode node;
  node.coinbases[hash] = coinbase(window.reward_sats, std::nullopt, 1);
  node.confirmations[hash] = 10;
  node.coinbases[carrier] = coinbase(100, root, 2);
  node.confirmations[carrier] = 9;
  const auto run = [&](const rapidjson::Value& p, bool* passed) {
    std::ostringstream out;
    Report report(out);
    check_chain(p, NodeCall(node), report);
    *passed = report.passed();
    return out.str();
  };
  bool passed = true;
  std::string out = run(proof(), &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("NOT COMMITTED YET"), std::string::npos) << out;
  EXPECT_NE(out.find("ok    reward"), std::string::npos) << out;

  store->set_window_commitment(hash, carrier, node.coinbases[carrier].txid().hex());
  out = run(proof(), &passed);
  EXPECT_TRUE(passed) << out;
  EXPECT_NE(out.find("ok    commitment"), std::string::npos) << out;

  node.confirmations[carrier] = -1;  // the carrier was reorganized away
  out = run(proof(), &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("not in the node's best chain"), std::string::npos) << out;

  node.confirmations[carrier] = 9;
  node.coinbases[carrier] = coinbase(100, bitcoin::Uint256{}, 2);  // another root
  store->set_window_commitment(hash, carrier, node.coinbases[carrier].txid().hex());
  out = run(proof(), &passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("has no PPLN output"), std::string::npos) << out;

  node.coinbases[hash] = coinbase(window.reward_sats - 1, std::nullopt, 1);
  out = run(proof(), &passed);
  EXPECT_NE(out.find("FAIL: reward"), std::string::npos) << out;
}


/// A node whose mempool holds `txs` (getrawtransaction) and whose wallet knows none.
struct FakeMempool {
  std::vector<bitcoin::Transaction> txs;
  rapidjson::Document operator()(const std::string& method, const std::string& params) const {
    for (const auto& tx : txs) {
      if (method == "getrawtransaction" && params.find(tx.txid().hex()) != std::string::npos) {
        return util::parse_json("{\"hex\":\"" + bitcoin::to_hex(tx.serialize()) + "\"}");
      }
    }
    throw std::runtime_error(method + ": No such mempool transaction");
  }
};

// The payout after the credit: found in the node's mempool, its output to the address holding
// the item less its fee share passes; one a satoshi short fails naming the payment; a payout the
// node cannot find fails saying how to find it.
TEST_F(VerifyProof, PaymentsArePaidAsListed) {
  const std::string other = address_of(2);
  ASSERT_TRUE(store->credit_block(hash, {{a, 1633333333}, {other, 1000}}, 5000000000 - 1633333333 - 1000));
  const int64_t id = store->create_payment({{a, 1633333333}, {other, 1000}}, "pay");
  bitcoin::Transaction tx;
  tx.inputs.push_back({bitcoin::OutPoint{bitcoin::Uint256{}, 0}, {}, 0xffffffff, {}});
  // Fee 301 shared by 2 outputs: 150 each, the first of them pays the odd satoshi.
  tx.outputs.push_back({1000 - 151, bitcoin::address_to_script(other, bitcoin::Network::kRegtest)});
  tx.outputs.push_back({1633333333 - 150, bitcoin::address_to_script(a, bitcoin::Network::kRegtest)});
  store->complete_payment(id, tx.txid().hex(), 301);
  FakeMempool node{{tx}};
  const auto run = [&](bool* passed) {
    std::ostringstream out;
    Report report(out);
    const auto p = proof();
    check_payments(p, a, bitcoin::Network::kRegtest, NodeCall(node), report);
    *passed = report.passed();
    return out.str();
  };
  bool passed = false;
  std::string out = run(&passed);
  EXPECT_TRUE(passed) << out;
  EXPECT_NE(out.find("ok    payment " + std::to_string(id) + ": " + tx.txid().hex() + ":1"), std::string::npos) << out;

  // A second payout, one satoshi short of its item less its (whole) fee.
  store::BlockRecord later;
  later.hash = std::string(64, 'e');
  later.status = "pending";
  later.reward_sats = 6000;
  store->insert_block(later);
  ASSERT_TRUE(store->credit_block(later.hash, {{a, 6000}}, 0));
  const int64_t short_id = store->create_payment({{a, 6000}}, "short");
  bitcoin::Transaction short_tx = tx;
  short_tx.outputs = {{6000 - 200 - 1, bitcoin::address_to_script(a, bitcoin::Network::kRegtest)}};
  store->complete_payment(short_id, short_tx.txid().hex(), 200);
  node.txs.push_back(short_tx);
  out = run(&passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("ok    payment " + std::to_string(id)), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL: payment " + std::to_string(short_id) + ": " + short_tx.txid().hex() + " pays " + a +
                     " 0: 5799 sat; expected 5800 sat"),
            std::string::npos)
      << out;

  node.txs.clear();
  out = run(&passed);
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("not found through the node"), std::string::npos) << out;
}

}  // namespace
}  // namespace pool::verify
