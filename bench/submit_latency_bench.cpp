// Time from a solved share to `submitblock` on the wire while a payout run is paging the wallet
// with a slow listtransactions (the test node in process behind tests/support/rpc_fault_proxy,
// which delays listtransactions and records when each submitblock arrives). Two wirings:
//   shared   - block submission and the wallet share one RpcClient (the pool before this change)
//   separate - block submission has its own RpcClient (PoolApp today)
// Prints p50/p99/max per wiring. Usage: submit_latency_bench [blocks=100] [listtransactions_ms=100]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bitcoin/address.h"
#include "mining/block_assembler.h"
#include "mining/block_submitter.h"
#include "mining/job_builder.h"
#include "node/bitcoin_node.h"
#include "support/rpc_fault_proxy.h"
#include "testnode/test_node.h"

namespace {

using namespace pool;
using Clock = std::chrono::steady_clock;

/// Searches nonces until the header meets the job's network target (regtest: a few tries).
mining::Solution solve(const mining::Job& job) {
  mining::Solution s;
  s.extranonce1.assign(job.extranonce1_size, 0x11);
  s.extranonce2.assign(job.extranonce2_size, 0x22);
  s.ntime = job.ntime;
  s.version = job.version;
  for (s.nonce = 0; !bitcoin::hash_meets_target(mining::solution_header(job, s).hash(), job.network_target); ++s.nonce) {
  }
  return s;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void run(const char* wiring, bool shared, int blocks, int slow_ms) {
  testnode::TestNode node_server(testnode::TestNodeOptions{});
  node_server.start();
  std::string address;
  node_server.service().with_chain([&](auto& chain, auto& wallet, auto&) {
    address = wallet.new_address();
    chain.generate(110, bitcoin::address_to_script(address, bitcoin::Network::kRegtest));
  });
  const auto script = bitcoin::address_to_script(address, bitcoin::Network::kRegtest);
  test::RpcFaultProxy proxy("127.0.0.1", node_server.port());
  proxy.set_fault("listtransactions", test::Fault::kDelay, std::chrono::milliseconds(slow_ms));
  node::RpcOptions o;
  o.port = proxy.port();
  o.user = o.password = "pool";
  node::RpcClient wallet_rpc(o), block_rpc(o), template_rpc(o);
  node::BitcoinNode wallet(wallet_rpc), block_node(shared ? wallet_rpc : block_rpc), templates(template_rpc);

  // The payout run: reconciliation pages through listtransactions, over and over.
  std::atomic<bool> stop{false};
  std::thread payout([&] {
    while (!stop) wallet.find_sends_by_comment("bench payout", 0, 1000);
  });
  std::vector<double> ms;
  for (int i = 0; i < blocks; ++i) {
    auto tmpl = std::make_shared<const node::BlockTemplate>(templates.get_block_template());
    const mining::Job job = mining::build_job(tmpl, script, {}, "1", true);
    const mining::Solution solution = solve(job);
    // Let the payout thread be somewhere in its call, at a different point each time.
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + (i * 37) % std::max(1, slow_ms)));
    proxy.reset_log();
    const auto solved = Clock::now();
    mining::submit_block(block_node, mining::assemble_block(job, solution), job.height);
    const auto on_wire = proxy.first_arrival("submitblock");
    if (on_wire) ms.push_back(std::chrono::duration<double, std::milli>(*on_wire - solved).count());
  }
  stop = true;
  proxy.clear_faults();
  payout.join();
  std::printf("%-8s  blocks=%zu  listtransactions=%d ms  solved->submitblock on the wire: p50=%.2f ms  p99=%.2f ms  max=%.2f ms\n",
              wiring, ms.size(), slow_ms, percentile(ms, 0.50), percentile(ms, 0.99), percentile(ms, 1.0));
  node_server.stop();
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  const int blocks = argc > 1 ? std::atoi(argv[1]) : 100;
  const int slow_ms = argc > 2 ? std::atoi(argv[2]) : 100;
  run("separate", false, blocks, slow_ms);
  run("shared", true, blocks, slow_ms);
  return 0;
}
