#pragma once
// A stand-in for bitcoind -regtest: the RpcService behind an HTTP JSON-RPC endpoint with basic
// auth (user/password or a cookie file it writes), and an optional ZMQ `hashblock` publisher.
#include <memory>
#include <string>

#include "net/http_server.h"
#include "testnode/rpc_service.h"

namespace pool::testnode {

struct TestNodeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = pick a free port
  std::string user = "pool";
  std::string password = "pool";
  std::string cookie_file;   // when set, writes __cookie__:<random> there and accepts only it
  std::string zmq_hashblock;  // e.g. "tcp://127.0.0.1:28332"; empty = no ZMQ
  uint32_t bits = 0x207fffff;
  std::string wallet_name;             // what getwalletinfo reports ("" is Core's default wallet)
  std::string wallet_seed = "testnode";  // the wallet's descriptors derive from it (its identity)
};

/// Owns the RPC service, the HTTP server and the ZMQ publisher.
class TestNode {
 public:
  explicit TestNode(TestNodeOptions options);
  ~TestNode();

  void start();
  /// Stops answering (the node looks down to the pool); the chain is kept for a later start().
  void stop();
  uint16_t port() const;
  RpcService& service() { return service_; }
  const TestNodeOptions& options() const { return options_; }

 private:
  net::HttpResponse handle(const net::HttpRequest& request);
  void publish_hashblock(const bitcoin::Uint256& hash);

  TestNodeOptions options_;
  std::string expected_auth_;
  RpcService service_;
  std::unique_ptr<net::HttpServer> server_;
  struct Zmq;
  std::unique_ptr<Zmq> zmq_;
};

}  // namespace pool::testnode
