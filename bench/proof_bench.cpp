// Times one GET /api/blocks/{hash}/proof/{address} against a SQLite store holding a committed
// window of 100,000 leaves, for an address with 1, 100 and 1,000 of them (1,024 workers is the
// per-address limit): the store reads, the tree built once, and each leaf's path and JSON.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "accounting/window_tree.h"
#include "api/window_endpoints.h"
#include "store/store.h"

namespace {

using namespace pool;

constexpr int kLeaves = 100000;
const std::string kBlock = std::string(62, '0') + "ab";
const std::string kMiner = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";

/// A store whose block has a committed window of kLeaves leaves, `mine` of them kMiner's.
store::Store& store_with(int mine) {
  static std::map<int, std::unique_ptr<store::Store>> stores;
  auto& s = stores[mine];
  if (s) return *s;
  const auto path = std::filesystem::temp_directory_path() /
                    ("proof_bench_" + std::to_string(::getpid()) + "_" + std::to_string(mine) + ".db");
  std::filesystem::remove(path);
  s = store::open_store("sqlite:///" + path.string());
  store::BlockRecord b;
  b.hash = kBlock;
  b.height = 100;
  b.reward_sats = 5000000000;
  b.found_ms = 1000;
  b.network_difficulty = 1;
  b.status = "pending";
  s->insert_block(b);
  std::vector<accounting::WindowLeaf> leaves;
  for (int i = 0; i < kLeaves; ++i) {
    accounting::WindowLeaf l;
    l.address = i < mine ? kMiner : "bcrt1qminer" + std::to_string(1000000 + i);
    l.worker = "w" + std::to_string(1000000 + i);
    l.first_share_id = l.last_share_id = i;
    l.share_count = 1;
    l.weight = 1000;
    leaves.push_back(l);
  }
  std::sort(leaves.begin(), leaves.end(),
            [](const auto& x, const auto& y) { return std::tie(x.address, x.worker) < std::tie(y.address, y.worker); });
  store::BlockWindow w;
  w.block_hash = kBlock;
  w.root = accounting::window_root(leaves).internal_hex();
  w.total_weight = accounting::u128_to_decimal(static_cast<unsigned __int128>(1000) * kLeaves);
  w.fee_ppm = 10000;
  w.reward_sats = b.reward_sats;
  w.leaf_count = kLeaves;
  w.created_ms = 1;
  s->store_block_window(w, accounting::leaf_rows(leaves));
  return *s;
}

void BM_ProofOfOneAddress(benchmark::State& state) {
  auto& store = store_with(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    const auto r = api::window_endpoint(store, bitcoin::Network::kRegtest, "/api/blocks/" + kBlock + "/proof/" + kMiner);
    if (!r || r->status != 200) state.SkipWithError("the proof endpoint did not answer 200");
    bytes = r ? r->body.size() : 0;
  }
  state.counters["response_KiB"] = static_cast<double>(bytes) / 1024.0;
}
BENCHMARK(BM_ProofOfOneAddress)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
