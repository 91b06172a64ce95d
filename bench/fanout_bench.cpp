// Times the notify fan-out of a new block to 10,000 Stratum sessions on a 3,000-transaction
// template, split over two threads as StratumServer's two network threads split it: every
// session's on_new_job, i.e. the lines it would write (the sockets are left out). SOLO sessions
// each get a personal job paying their own address; pool-mode sessions share one notify.
//   BM_Fanout/solo:1/rebuild:0  SOLO, personal jobs share the base job's merkle work (today)
//   BM_Fanout/solo:1/rebuild:1  SOLO, every personal job rebuilt with build_job (before)
//   BM_Fanout/solo:0/rebuild:0  pool mode (PPLNS), one shared notify
#include <benchmark/benchmark.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "bitcoin/address.h"
#include "mining/job_builder.h"
#include "mining/job_registry.h"
#include "stratum/session.h"
#include "testnode/tx_factory.h"
#include "util/json.h"

namespace {

using namespace pool;

constexpr size_t kSessions = 10000;
constexpr size_t kTransactions = 3000;
constexpr int kThreads = 2;
const bitcoin::Bytes kPoolPayout = bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8");

// The header fields of the real 114-transaction regtest template, carrying 3,000 TxFactory
// transactions (half segwit, every fifth spending its predecessor).
std::shared_ptr<const node::BlockTemplate> large_template() {
  std::ifstream in(std::string(POOL_VECTORS_DIR) + "/regtest/gbt-with-114-txs.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto tmpl = std::make_shared<node::BlockTemplate>(node::parse_block_template(util::parse_json(ss.str())));
  tmpl->transactions.clear();
  testnode::TxFactory factory(7);
  std::optional<bitcoin::Transaction> previous;
  for (size_t i = 0; i < kTransactions; ++i) {
    const bool child = previous && i % 5 == 0;
    const auto made = factory.make(child ? &*previous : nullptr, i % 2 == 0);
    node::TemplateTransaction t;
    t.data = made.tx.serialize();
    t.txid = made.tx.txid();
    t.wtxid = made.tx.wtxid();
    t.fee = made.fee;
    if (child) t.depends = {static_cast<int>(i)};
    tmpl->transactions.push_back(std::move(t));
    previous = made.tx;
  }
  return tmpl;
}

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// A SessionHost over a job registry, personalizing as StratumServer's host does (or, for the
// comparison row, with a full build_job per session as before).
class BenchHost : public stratum::SessionHost {
 public:
  explicit BenchHost(bool rebuild) : rebuild_(rebuild) {}
  mining::JobPtr find_job(const std::string& id) override { return registry.find(id); }
  mining::JobPtr current_job() override { return registry.current(); }
  bitcoin::Network network() const override { return bitcoin::Network::kRegtest; }
  std::string claim_extranonce1(const std::string&) override { return bitcoin::hex_u32(next_extranonce_++); }
  void release_extranonce1(const std::string&) override {}
  mining::JobPtr personalize(const mining::JobPtr& base, const bitcoin::Bytes& script, const std::string& suffix) override {
    if (rebuild_) {
      return std::make_shared<const mining::Job>(
          mining::build_job(base->block_template, script, {}, base->id + suffix, base->clean_jobs));
    }
    return std::make_shared<const mining::Job>(mining::personalize_job(*base, script, {}, base->id + suffix));
  }
  void submit_block(const mining::JobPtr&, const mining::Solution&, const stratum::AcceptedShare&) override {}
  void share_rejected(const std::string&, int, const std::string&) override {}
  double now() override { return 1000; }
  uint32_t unix_time() override { return 1795475800; }

  mining::JobRegistry registry;

 private:
  bool rebuild_;
  uint32_t next_extranonce_ = 1;
};

void BM_Fanout(benchmark::State& state) {
  const bool solo = state.range(0) != 0;
  BenchHost host(state.range(1) != 0);
  auto tmpl = large_template();
  auto add_job = [&] {
    auto t = std::make_shared<node::BlockTemplate>(*tmpl);
    t->previous_block_hash.data()[0] ^= 1;  // a new block each time: clean jobs, old ones stale
    tmpl = t;
    auto job = std::make_shared<const mining::Job>(mining::build_job(t, kPoolPayout, {}, host.registry.next_id(), true));
    host.registry.add(job);
    return job;
  };
  add_job();

  stratum::SessionConfig config;
  config.solo = solo;
  std::vector<std::unique_ptr<stratum::Session>> sessions;
  std::vector<stratum::Outgoing> out;
  for (size_t i = 0; i < kSessions; ++i) {
    bitcoin::Bytes program(20, 0);
    bitcoin::write_be32(program.data(), static_cast<uint32_t>(i));
    const std::string address = bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 0, program);
    sessions.push_back(std::make_unique<stratum::Session>(host, config, "127.0.0.1"));
    sessions.back()->handle_line(R"({"id":1,"method":"mining.subscribe","params":[]})", out);
    sessions.back()->handle_line(R"({"id":2,"method":"mining.authorize","params":[")" + address + R"(.w","x"]})", out);
    out.clear();
  }

  size_t bytes = 0;
  double busiest_cpu_ms = 0;  // CPU time of the busier thread, summed over iterations
  for (auto _ : state) {
    state.PauseTiming();
    const auto job = add_job();  // JobManager builds the base job before the broadcast
    state.ResumeTiming();
    const auto notify = std::make_shared<const std::string>(stratum::notify_line(*job, job->clean_jobs));
    std::vector<std::thread> threads;
    std::vector<size_t> written(kThreads, 0);
    std::vector<double> cpu(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const double started = thread_cpu_ms();
        std::vector<stratum::Outgoing> lines;
        for (size_t i = static_cast<size_t>(t); i < sessions.size(); i += kThreads) {
          sessions[i]->on_new_job(job, notify, lines);
          for (const auto& o : lines) written[t] += o.shared ? o.shared->size() : o.line.size();
          lines.clear();
        }
        cpu[t] = thread_cpu_ms() - started;
      });
    }
    for (auto& th : threads) th.join();
    busiest_cpu_ms += *std::max_element(cpu.begin(), cpu.end());
    for (size_t w : written) bytes += w;
  }
  state.counters["sessions"] = static_cast<double>(kSessions);
  // What the wall time would be on two otherwise idle cores (the busier thread's CPU time).
  state.counters["cpu_ms"] = busiest_cpu_ms / static_cast<double>(state.iterations());
  state.counters["bytes_per_session"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations()) / static_cast<double>(kSessions);
}
BENCHMARK(BM_Fanout)
    ->ArgNames({"solo", "rebuild"})
    ->Args({1, 0})
    ->Args({0, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// The old way costs seconds per fan-out: two iterations are enough.
BENCHMARK(BM_Fanout)
    ->ArgNames({"solo", "rebuild"})
    ->Args({1, 1})
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
