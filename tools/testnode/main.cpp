// testnode: a regtest stand-in for bitcoind that speaks the JSON-RPC the pool uses and validates
// submitted blocks as strictly as Bitcoin Core does for what a pool controls (see chain.h).
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "bitcoin/address.h"
#include "testnode/test_node.h"

int main(int argc, char** argv) {
  CLI::App cli{"testnode: a strict regtest stand-in for bitcoind", "testnode"};
  pool::testnode::TestNodeOptions options;
  options.port = 18443;
  int initial_blocks = 0;
  std::string address;
  cli.add_option("--host", options.host, "RPC bind address");
  cli.add_option("--port", options.port, "RPC port (0 = any free port)");
  cli.add_option("--user", options.user, "RPC user");
  cli.add_option("--password", options.password, "RPC password");
  cli.add_option("--cookie-file", options.cookie_file, "write an RPC cookie here instead of user/password");
  cli.add_option("--zmq-hashblock", options.zmq_hashblock, "ZMQ endpoint to publish hashblock on");
  cli.add_option("--generate", initial_blocks, "mine this many blocks to a wallet address at start");
  std::string bits_hex = "207fffff";
  cli.add_option("--bits", bits_hex, "difficulty bits of every block (207fffff = regtest; 1d00ffff makes blocks rare)");
  CLI11_PARSE(cli, argc, argv);
  if (!options.cookie_file.empty()) options.user = options.password = "";
  options.bits = pool::bitcoin::parse_hex_u32(bits_hex);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // worker threads inherit the mask

  pool::testnode::TestNode node(options);
  if (initial_blocks > 0) {
    node.service().with_chain([&](auto& chain, auto& wallet, auto&) {
      const auto addr = wallet.new_address();
      chain.generate(initial_blocks, pool::bitcoin::address_to_script(addr, pool::bitcoin::Network::kRegtest));
    });
  }
  node.start();
  std::cout << "testnode: regtest JSON-RPC on " << options.host << ":" << node.port() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  node.stop();
  return 0;
}
