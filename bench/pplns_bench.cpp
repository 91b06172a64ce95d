// Times crediting a block from a large PPLNS window in SQLite: the streamed split the pool uses
// (memory grows with miners, not shares) against loading the window into memory first. The
// "peak_rss_growth_MiB" counter is how much the process's peak memory rose during the run.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "accounting/pplns.h"
#include "store/store.h"

namespace {

using namespace pool;

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// A SQLite store holding `n` shares from 1,000 addresses, made once per size.
store::Store& store_with(int64_t n) {
  static std::map<int64_t, std::unique_ptr<store::Store>> stores;
  auto& s = stores[n];
  if (s) return *s;
  const auto path = std::filesystem::temp_directory_path() / ("pplns_bench_" + std::to_string(::getpid()) + "_" +
                                                               std::to_string(n) + ".db");
  s = store::open_store("sqlite:///" + path.string());
  std::mt19937_64 rng(1);
  std::vector<mining::AcceptedShare> batch;
  for (int64_t i = 0; i < n; ++i) {
    mining::AcceptedShare share;
    share.address = "bc1qexampleaddress" + std::to_string(rng() % 1000);
    share.worker = share.address + ".rig";
    share.difficulty = 65536.0 * static_cast<double>(1 + rng() % 64);
    share.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1000 + i));
    for (int b = 0; b < 8; ++b) share.hash.data()[b] = static_cast<uint8_t>(static_cast<uint64_t>(i) >> (8 * b));  // unique key
    batch.push_back(std::move(share));
    if (batch.size() == 50000) {
      s->insert_shares(batch);
      batch.clear();
    }
  }
  if (!batch.empty()) s->insert_shares(batch);
  return *s;
}

void BM_SplitStreamed(benchmark::State& state) {
  auto& store = store_with(state.range(0));
  const double before = peak_rss_mib();
  for (auto _ : state) {
    benchmark::DoNotOptimize(accounting::split_window(store, INT64_MAX / 2, 1e300, 312500000, 1.0));
  }
  state.counters["shares"] = static_cast<double>(state.range(0));
  state.counters["peak_rss_growth_MiB"] = peak_rss_mib() - before;
}

void BM_SplitInMemory(benchmark::State& state) {
  auto& store = store_with(state.range(0));
  const double before = peak_rss_mib();
  for (auto _ : state) {
    const auto window = store::pplns_window(store, INT64_MAX / 2, 1e300);
    benchmark::DoNotOptimize(accounting::split_pplns(312500000, 1.0, window));
  }
  state.counters["shares"] = static_cast<double>(state.range(0));
  state.counters["peak_rss_growth_MiB"] = peak_rss_mib() - before;
}

// Streamed first: the peak-memory counter only ever rises.
BENCHMARK(BM_SplitStreamed)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_SplitInMemory)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
    if (entry.path().filename().string().rfind("pplns_bench_" + std::to_string(::getpid()) + "_", 0) == 0) {
      std::filesystem::remove(entry.path());
    }
  }
  return 0;
}
