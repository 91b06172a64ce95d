// The test node answers transaction lookups as Bitcoin Core without -txindex does (what
// pool-verify relies on): getblock verbosity 2 decodes every transaction with its hex;
// getrawtransaction finds a mempool transaction, or a mined one only given its block;
// gettransaction carries the wallet transaction's hex and block.
#include <gtest/gtest.h>

#include "bitcoin/transaction.h"
#include "testnode/rpc_service.h"
#include "util/json.h"

namespace pool::testnode {
namespace {

class RpcTransactions : public ::testing::Test {
 protected:
  rapidjson::Document call(const std::string& method, const std::string& params, int expect_status = 200) {
    int status = 0;
    auto reply = util::parse_json(
        service.handle("{\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}", &status));
    EXPECT_EQ(status, expect_status) << method << " " << params << ": " << util::to_json(reply);
    rapidjson::Document out;
    out.CopyFrom(expect_status == 200 ? reply["result"] : reply["error"], out.GetAllocator());
    return out;
  }
  RpcService service;
};

TEST_F(RpcTransactions, LookupsAsCoreWithoutTxindex) {
  const std::string mine = call("getnewaddress", "[]").GetString();
  const auto hashes = call("generatetoaddress", "[101,\"" + mine + "\"]");
  const std::string first = hashes[0].GetString();

  const auto block = call("getblock", "[\"" + first + "\",2]");
  const auto& cb = block["tx"][0];
  const auto coinbase = bitcoin::Transaction::from_hex(cb["hex"].GetString());
  EXPECT_TRUE(coinbase.is_coinbase());
  EXPECT_EQ(coinbase.txid().hex(), cb["txid"].GetString());
  EXPECT_EQ(cb["vout"][0]["n"].GetInt(), 0);
  EXPECT_TRUE(call("getblock", "[\"" + first + "\",1]")["tx"][0].IsString()) << "verbosity 1 lists txids";

  const std::string payee = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
  const std::string txid = call("sendmany", "[\"\",{\"" + payee + "\":1.0}]").GetString();
  auto raw = call("getrawtransaction", "[\"" + txid + "\",true]");
  EXPECT_EQ(bitcoin::Transaction::from_hex(raw["hex"].GetString()).txid().hex(), txid);
  EXPECT_EQ(call("getrawtransaction", "[\"" + txid + "\"]").GetString(), std::string(raw["hex"].GetString()));

  const std::string mined_in = call("generatetoaddress", "[1,\"" + mine + "\"]")[0].GetString();
  const auto missing = call("getrawtransaction", "[\"" + txid + "\",true]", 500);
  EXPECT_EQ(missing["code"].GetInt(), -5);
  raw = call("getrawtransaction", "[\"" + txid + "\",true,\"" + mined_in + "\"]");
  EXPECT_EQ(std::string(raw["blockhash"].GetString()), mined_in);
  EXPECT_EQ(call("getrawtransaction", "[\"" + txid + "\",true,\"" + first + "\"]", 500)["code"].GetInt(), -5);

  const auto wallet_tx = call("gettransaction", "[\"" + txid + "\"]");
  EXPECT_EQ(std::string(wallet_tx["blockhash"].GetString()), mined_in);
  EXPECT_EQ(bitcoin::Transaction::from_hex(wallet_tx["hex"].GetString()).txid().hex(), txid);
}

}  // namespace
}  // namespace pool::testnode
