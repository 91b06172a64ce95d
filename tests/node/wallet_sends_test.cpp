// Which wallet sends count: a send that was abandoned, conflicted or replaced by a fee bump paid
// nobody, so it must neither settle a payout nor count in the ledger audit.
#include <gtest/gtest.h>

#include "net/http_server.h"
#include "node/bitcoin_node.h"

namespace pool::node {
namespace {

TEST(WalletSends, OnlyLiveSendsSettleAPayoutOrCountInTheAudit) {
  // listtransactions as Core shows one payout's comment on four transactions.
  const std::string entries =
      R"([{"address":"a","category":"send","amount":-1.0,"vout":0,"fee":-0.0001,"confirmations":3,"txid":"live","time":100,"comment":"p-1"},)"
      R"({"address":"a","category":"send","amount":-1.0,"vout":0,"fee":-0.0001,"confirmations":0,"abandoned":true,"txid":"abandoned","time":100,"comment":"p-1"},)"
      R"({"address":"a","category":"send","amount":-1.0,"vout":0,"fee":-0.0001,"confirmations":-2,"txid":"conflicted","time":100,"comment":"p-1"},)"
      R"({"address":"a","category":"send","amount":-1.0,"vout":0,"fee":-0.0001,"confirmations":0,"replaced_by_txid":"live","txid":"bumped","time":100,"comment":"p-1"}])";
  net::HttpServer server("127.0.0.1", 0, [&](const net::HttpRequest& r) {
    const bool list = r.body.find("listtransactions") != std::string::npos;
    return net::HttpResponse{200, "application/json",
                             std::string(R"({"result":)") + (list ? entries : "null") + R"(,"error":null,"id":1})"};
  });
  server.start();
  RpcOptions options;
  options.port = server.port();
  options.user = options.password = "pool";
  RpcClient rpc(options);
  BitcoinNode wallet(rpc);
  const auto found = wallet.find_sends_by_comment("p-1");
  ASSERT_EQ(found.size(), 1u);  // one send, not a duplicate-send alert
  EXPECT_EQ(found[0].txid, "live");
  const auto listed = wallet.list_commented_sends();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].txid, "live");
  server.stop();
}

}  // namespace
}  // namespace pool::node
