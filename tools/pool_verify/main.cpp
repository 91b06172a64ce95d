// pool-verify: checks one miner's credit for one found block against the pool's published proof
// and the miner's own Bitcoin Core node, from the contract in docs/transparency.md alone. It
// downloads GET /api/blocks/{hash}/proof/{address}, recomputes every leaf hash and Merkle path,
// the weights and the credit, checks that a coinbase on the node's best chain commits the root,
// and that each listed payment paid the address. One line per check; exit 0 only when all pass.
#include <CLI/CLI.hpp>

#include <cctype>
#include <iostream>

#include "node/rpc_client.h"
#include "tools/pool_verify/http_fetch.h"
#include "tools/pool_verify/verify_checks.h"
#include "util/json.h"

int main(int argc, char** argv) {
  using namespace pool;
  CLI::App cli{"pool-verify: check a pool's PPLNS proof for one block and address against your own node", "pool-verify"};
  std::string api, block, address, rpc_url, rpc_host = "127.0.0.1", rpc_user, rpc_password, rpc_cookie, rpc_wallet;
  int rpc_port = 8332;
  double timeout_seconds = 30;
  cli.add_option("--api", api, "the pool's API base URL, e.g. http://pool.example:8080")->required();
  cli.add_option("--block", block, "the found block's hash (as Bitcoin Core prints it)")->required();
  cli.add_option("--address", address, "your payout address")->required();
  cli.add_option("--rpc-url", rpc_url, "your node: http://user:password@host:port[/wallet/NAME]");
  cli.add_option("--rpc-host", rpc_host, "your node's RPC host (without --rpc-url)");
  cli.add_option("--rpc-port", rpc_port, "your node's RPC port")->check(CLI::Range(1, 65535));
  cli.add_option("--rpc-user", rpc_user, "RPC user");
  cli.add_option("--rpc-password", rpc_password, "RPC password");
  cli.add_option("--rpc-cookie", rpc_cookie, "RPC cookie file (instead of user and password)");
  cli.add_option("--rpc-wallet", rpc_wallet, "wallet for gettransaction (when the node has several)");
  cli.add_option("--timeout", timeout_seconds, "seconds for each request")->check(CLI::Range(1.0, 600.0));
  CLI11_PARSE(cli, argc, argv);
  // A bech32 address may be written in upper case (BIP173); the pool keeps its lower-case spelling.
  for (const char* hrp : {"BC1", "TB1", "BCRT1"}) {
    if (address.rfind(hrp, 0) == 0) {
      for (char& c : address) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      break;
    }
  }

  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  verify::Report report(std::cout);
  rapidjson::Document proof;
  try {
    const verify::HttpUrl base = verify::parse_http_url(api);
    const std::string target = "/api/blocks/" + block + "/proof/" + address;
    const verify::HttpReply reply = verify::http_get(base, target, timeout);
    if (reply.status != 200) {
      report.fail("download", "GET " + api + target + " answered " + std::to_string(reply.status) + ": " +
                                  reply.body.substr(0, 300));
      return 1;
    }
    proof = util::parse_json(reply.body);
    if (!proof.IsObject() || !proof.HasMember("block_hash") || !proof["block_hash"].IsString() ||
        proof["block_hash"].GetString() != block) {
      report.fail("download", "the answer is not the proof of block " + block);
      return 1;
    }
    report.ok("download", "proof of block " + block + " for " + address);
  } catch (const std::exception& e) {
    report.fail("download", e.what());
    return 1;
  }

  verify::check_proof(proof, address, report);
  verify::check_window(
      proof,
      [&](int64_t offset, int64_t limit) {
        const verify::HttpUrl base = verify::parse_http_url(api);
        const std::string target =
            "/api/blocks/" + block + "/window?offset=" + std::to_string(offset) + "&limit=" + std::to_string(limit);
        const verify::HttpReply reply = verify::http_get(base, target, timeout);
        if (reply.status != 200) {
          throw std::runtime_error("GET " + target + " answered " + std::to_string(reply.status) + ": " +
                                   reply.body.substr(0, 300));
        }
        return util::parse_json(reply.body);
      },
      report);

  node::RpcOptions rpc;
  std::string path = "/";
  try {
    if (!rpc_url.empty()) {
      const verify::HttpUrl u = verify::parse_http_url(rpc_url);
      rpc.host = u.host;
      rpc.port = u.port;
      rpc.user = u.user;
      rpc.password = u.password;
      if (!u.base.empty()) path = u.base;
    } else {
      rpc.host = rpc_host;
      rpc.port = static_cast<uint16_t>(rpc_port);
      rpc.user = rpc_user;
      rpc.password = rpc_password;
      rpc.cookie_file = rpc_cookie;
    }
    if (!rpc_wallet.empty()) path = "/wallet/" + rpc_wallet;
  } catch (const std::exception& e) {
    report.fail("node", e.what());
    return 1;
  }
  rpc.timeout = timeout;
  node::RpcClient client(rpc);
  const verify::NodeCall call = [&](const std::string& method, const std::string& params) {
    return client.call(method, params, path);
  };
  bitcoin::Network network;
  try {
    const auto info = call("getblockchaininfo", "[]");
    const auto chain = bitcoin::network_from_chain_name(util::get_string(info, "chain"));
    if (!chain) throw std::runtime_error("unknown chain " + util::get_string(info, "chain"));
    network = *chain;
    report.ok("node", std::string("connected to ") + rpc.host + ":" + std::to_string(rpc.port) + " (" +
                          std::string(bitcoin::network_name(network)) + ")");
  } catch (const std::exception& e) {
    report.fail("node", std::string("cannot ask the node: ") + e.what());
    std::cout << "FAILED: " << report.failures() << " check(s)\n";
    return 1;
  }
  verify::check_chain(proof, call, report);
  verify::check_payments(proof, address, network, call, report);
  if (report.passed()) {
    std::cout << "VERIFIED: every check passed\n";
    return 0;
  }
  std::cout << "FAILED: " << report.failures() << " check(s)\n";
  return 1;
}
