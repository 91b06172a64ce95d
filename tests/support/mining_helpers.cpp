#include "support/mining_helpers.h"

#include <stdexcept>

#include "bitcoin/address.h"
#include "bitcoin/target.h"
#include "mining/job_builder.h"

namespace pool::test {

NodeFixture::NodeFixture(testnode::TestNodeOptions options) {
  test_node = std::make_unique<testnode::TestNode>(std::move(options));
  test_node->start();
  rpc = std::make_unique<node::RpcClient>(rpc_options());
  node = std::make_unique<node::BitcoinNode>(*rpc);
  test_node->service().with_chain([&](auto&, auto& wallet, auto&) { wallet_address = wallet.new_address(); });
  wallet_script = bitcoin::address_to_script(wallet_address, bitcoin::Network::kRegtest);
}

NodeFixture::~NodeFixture() { test_node->stop(); }

node::RpcOptions NodeFixture::rpc_options() const {
  node::RpcOptions o;
  o.host = "127.0.0.1";
  o.port = test_node->port();
  o.user = test_node->options().user;
  o.password = test_node->options().password;
  o.cookie_file = test_node->options().cookie_file;
  o.max_attempts = 2;
  o.backoff_initial = std::chrono::milliseconds(10);
  o.timeout = std::chrono::milliseconds(5000);
  return o;
}

mining::Solution base_solution(const mining::Job& job, uint8_t fill) {
  mining::Solution s;
  s.extranonce1.assign(job.extranonce1_size, fill);
  s.extranonce2.assign(job.extranonce2_size, static_cast<uint8_t>(fill + 1));
  s.ntime = job.ntime;
  s.version = job.version;
  return s;
}

mining::Solution solve(const mining::Job& job, mining::Solution solution, const bitcoin::Target& target) {
  for (uint32_t nonce = 0; nonce < 10'000'000; ++nonce) {
    solution.nonce = nonce;
    if (bitcoin::hash_meets_target(mining::solution_header(job, solution).hash(), target)) return solution;
  }
  throw std::runtime_error("no nonce found");
}

FoundBlockForTest find_block(node::BitcoinNode& node, const bitcoin::Bytes& payout_script,
                             const std::string& finder_address, int64_t found_ms) {
  auto tmpl = std::make_shared<const node::BlockTemplate>(node.get_block_template());
  auto job = std::make_shared<const mining::Job>(mining::build_job(tmpl, payout_script, {}, "1", true));
  const auto solution = solve(*job, base_solution(*job), job->network_target);
  mining::AcceptedShare share;
  share.address = finder_address;
  share.worker = finder_address + ".rig";
  share.height = job->height;
  share.is_block = true;
  share.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(found_ms));
  FoundBlockForTest out{mining::FoundBlock{job, solution, share}, mining::assemble_block(*job, solution)};
  out.found.share.hash = out.block.header.hash();
  return out;
}

}  // namespace pool::test
