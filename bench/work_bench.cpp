// Times the work path: building a job from a 114-transaction template, assembling a block, the
// pool-wide duplicate check every share passes (one job's seen-set, from several threads), and
// the delay from a new block's ZMQ notification to the pool's new job (test node in process).
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "mining/block_assembler.h"
#include "mining/job_builder.h"
#include "mining/job_manager.h"
#include "mining/job_seen_set.h"
#include "node/tip_watcher.h"
#include "testnode/test_node.h"
#include "util/json.h"

#include <spdlog/spdlog.h>

namespace {

using namespace pool;

std::shared_ptr<const node::BlockTemplate> load_template() {
  std::ifstream in(std::string(POOL_VECTORS_DIR) + "/regtest/gbt-with-114-txs.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return std::make_shared<const node::BlockTemplate>(node::parse_block_template(util::parse_json(ss.str())));
}

const bitcoin::Bytes kPayout = bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8");

void BM_BuildJobFrom114TxTemplate(benchmark::State& state) {
  const auto tmpl = load_template();
  for (auto _ : state) benchmark::DoNotOptimize(mining::build_job(tmpl, kPayout, {}, "1", true));
}
BENCHMARK(BM_BuildJobFrom114TxTemplate)->Unit(benchmark::kMicrosecond);

void BM_AssembleAndSerialize115TxBlock(benchmark::State& state) {
  const auto job = mining::build_job(load_template(), kPayout, {}, "1", true);
  mining::Solution s;
  s.extranonce1.assign(4, 1);
  s.extranonce2.assign(8, 2);
  s.version = job.version;
  for (auto _ : state) benchmark::DoNotOptimize(bitcoin::to_hex(mining::assemble_block(job, s).serialize()));
}
BENCHMARK(BM_AssembleAndSerialize115TxBlock)->Unit(benchmark::kMicrosecond);

// One iteration: the test node mines a block and publishes hashblock; the watcher hears it, the
// job manager fetches a 1000-transaction template and builds the clean job. Reports the manager's
// own measurement from notification to job.
void BM_TipNotificationToCleanJob(benchmark::State& state) {
  testnode::TestNodeOptions options;
  options.zmq_hashblock = "tcp://127.0.0.1:29555";
  testnode::TestNode test_node(options);
  test_node.start();
  node::RpcOptions rpc_options;
  rpc_options.port = test_node.port();
  rpc_options.user = rpc_options.password = "pool";
  node::RpcClient rpc(rpc_options), watcher_rpc(rpc_options), control_rpc(rpc_options);
  node::BitcoinNode node(rpc), watcher_node(watcher_rpc);
  std::string address;
  test_node.service().with_chain([&](auto&, auto& wallet, auto&) { address = wallet.new_address(); });
  control_rpc.call("test_addtransactions", "[1000]");  // stays in the mempool: blocks below are empty
  spdlog::set_level(spdlog::level::warn);

  std::mutex mutex;
  std::condition_variable cv;
  int64_t seen_height = 0;
  mining::JobRegistry registry;
  mining::JobManager::Options jm;
  jm.payout_script = kPayout;
  jm.refresh_interval = std::chrono::hours(1);
  mining::JobManager manager(node, registry, jm, [&](const mining::JobPtr& job) {
    std::lock_guard lock(mutex);
    seen_height = job->height;
    cv.notify_all();
  });
  node::TipWatcher watcher(watcher_node, {options.zmq_hashblock, std::chrono::hours(1)},
                           [&](const node::TipEvent& e) { manager.notify_new_tip(e); });
  watcher.start();
  manager.start();
  double total_ms = 0;
  int64_t height = 1;
  for (auto _ : state) {
    control_rpc.call("test_generateempty", "[1,\"" + address + "\"]");
    ++height;
    std::unique_lock lock(mutex);
    if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return seen_height == height; })) {
      state.SkipWithError("no job for the new block (ZMQ message lost?)");
      break;
    }
    total_ms += manager.last_tip_to_job_ms().value_or(0);
  }
  state.counters["notify_to_job_ms"] = benchmark::Counter(total_ms / static_cast<double>(state.iterations()));
  watcher.stop();
  manager.stop();
}
BENCHMARK(BM_TipNotificationToCleanJob)->Unit(benchmark::kMillisecond)->Iterations(50);

// Every share of one job, from every Stratum thread, goes through the same seen-set.
void BM_JobSeenSetInsert(benchmark::State& state) {
  static pool::mining::JobSeenSet* seen = nullptr;
  if (state.thread_index() == 0) seen = new pool::mining::JobSeenSet();
  uint64_t key = 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(state.thread_index() + 1);
  for (auto _ : state) {
    key = key * 6364136223846793005ULL + 1442695040888963407ULL;  // distinct pseudo-random hashes
    benchmark::DoNotOptimize(seen->insert_key(key));
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["bytes_per_share"] =
        static_cast<double>(seen->memory_bytes()) / static_cast<double>(std::max<size_t>(1, seen->size()));
    delete seen;
    seen = nullptr;
  }
}
BENCHMARK(BM_JobSeenSetInsert)->Threads(1)->Threads(2)->Threads(4)->UseRealTime()->Iterations(1000000);

}  // namespace
