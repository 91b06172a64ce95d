#include "support/regtest_backend.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "bitcoin/address.h"
#include "testnode/test_node.h"

extern char** environ;

namespace pool::test {

void RegtestBackend::connect(const node::RpcOptions& options, const std::string& wallet) {
  rpc_ = std::make_unique<node::RpcClient>(options);
  node_ = std::make_unique<node::BitcoinNode>(*rpc_, wallet);
}

void RegtestBackend::generate(int n) {
  rpc_->call("generatetoaddress", "[" + std::to_string(n) + ",\"" + wallet_address_ + "\"]");
}

namespace {

class TestNodeBackend : public RegtestBackend {
 public:
  TestNodeBackend() : node_(testnode::TestNodeOptions{}) {
    node_.start();
    node::RpcOptions o;
    o.port = node_.port();
    o.user = o.password = "pool";
    connect(o, "");
    node_.service().with_chain([&](auto&, auto& wallet, auto&) { wallet_address_ = wallet.new_address(); });
    wallet_script_ = bitcoin::address_to_script(wallet_address_, bitcoin::Network::kRegtest);
  }
  ~TestNodeBackend() override { node_.stop(); }
  std::string name() const override { return "testnode"; }
  uint16_t rpc_port() const override { return node_.port(); }
  void add_transactions(int n) override { rpc_->call("test_addtransactions", "[" + std::to_string(n) + "]"); }

 private:
  testnode::TestNode node_;
};

uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

class BitcoindBackend : public RegtestBackend {
 public:
  explicit BitcoindBackend(const std::string& path) {
    datadir_ = std::filesystem::temp_directory_path() / ("pool-bitcoind-" + std::to_string(::getpid()) + "-" +
                                                          std::to_string(std::rand()));
    std::filesystem::create_directories(datadir_);
    const uint16_t rpc_port = rpc_port_ = free_port();
    std::vector<std::string> args = {path,
                                     "-regtest",
                                     "-datadir=" + datadir_.string(),
                                     "-rpcport=" + std::to_string(rpc_port),
                                     "-port=" + std::to_string(free_port()),
                                     "-rpcuser=pool",
                                     "-rpcpassword=pool",
                                     "-listen=0",
                                     "-fallbackfee=0.0002",
                                     "-printtoconsole=0",
                                     "-txindex=0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, path.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + path);
    }
    node::RpcOptions o;
    o.port = rpc_port;
    o.user = o.password = "pool";
    o.max_attempts = 1;
    connect(o, "pool");
    // bitcoind answers -28 ("Loading...") or refuses connections until it is ready.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
      try {
        rpc_->call("getblockchaininfo");
        break;
      } catch (const std::exception&) {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("bitcoind did not start");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    rpc_->call("createwallet", "[\"pool\"]");
    wallet_address_ = rpc_->call("getnewaddress", "[]", "/wallet/pool").GetString();
    wallet_script_ = bitcoin::address_to_script(wallet_address_, bitcoin::Network::kRegtest);
    generate(101);  // mature coins for add_transactions
  }
  ~BitcoindBackend() override {
    try {
      rpc_->call("stop");
    } catch (const std::exception&) {
      ::kill(pid_, SIGTERM);
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    std::error_code ignored;
    std::filesystem::remove_all(datadir_, ignored);
  }
  std::string name() const override { return "bitcoind"; }
  uint16_t rpc_port() const override { return rpc_port_; }
  void add_transactions(int n) override {
    for (int i = 0; i < n; ++i) {
      const std::string to = rpc_->call("getnewaddress", "[]", "/wallet/pool").GetString();
      rpc_->call("sendtoaddress", "[\"" + to + "\",0.5]", "/wallet/pool");
    }
  }

 private:
  std::filesystem::path datadir_;
  pid_t pid_ = -1;
  uint16_t rpc_port_ = 0;
};

}  // namespace

std::unique_ptr<RegtestBackend> make_test_node_backend() { return std::make_unique<TestNodeBackend>(); }

std::optional<std::string> find_bitcoind() {
  if (const char* env = std::getenv("BITCOIND"); env && *env) return std::string(env);
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    size_t start = 0;
    while (start <= p.size()) {
      const size_t end = p.find(':', start);
      const std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / "bitcoind";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return std::nullopt;
}

std::unique_ptr<RegtestBackend> make_bitcoind_backend() {
  const auto path = find_bitcoind();
  if (!path) return nullptr;
  return std::make_unique<BitcoindBackend>(*path);
}

}  // namespace pool::test
