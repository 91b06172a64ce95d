// Times the hashing on the share-check hot path: sha256d of an 80-byte header, and a full
// share check's hashing (coinbase txid + 12 merkle levels + header).
#include <benchmark/benchmark.h>

#include "bitcoin/merkle.h"
#include "bitcoin/sha256.h"
#include "bitcoin/target.h"

namespace {

using namespace pool::bitcoin;

void BM_Sha256dHeader(benchmark::State& state) {
  uint8_t header[80] = {};
  uint8_t out[32];
  uint32_t nonce = 0;
  for (auto _ : state) {
    write_le32(header + 76, nonce++);
    sha256d(header, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256dHeader);

void BM_Sha256dHeaderMidstate(benchmark::State& state) {
  uint8_t header[80] = {};
  Sha256 prefix;
  prefix.update(std::span<const uint8_t>(header, 64));
  uint8_t first[32], out[32];
  uint32_t nonce = 0;
  for (auto _ : state) {
    write_le32(header + 76, nonce++);
    Sha256 h = prefix;
    h.update(std::span<const uint8_t>(header + 64, 16)).finish(first);
    sha256(first, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256dHeaderMidstate);

// What the pool does per submitted share: rebuild the coinbase from coinb1 + extranonces + coinb2,
// hash it, fold 12 merkle levels (a ~4000-transaction block), hash the header, compare targets.
void BM_ShareCheckHashing(benchmark::State& state) {
  Bytes coinbase(200, 0x11);
  std::vector<Uint256> branch(12);
  for (size_t i = 0; i < branch.size(); ++i) branch[i].data()[0] = static_cast<uint8_t>(i + 1);
  const Target target = target_from_difficulty(1024);
  uint8_t header[80] = {};
  uint32_t extranonce2 = 0;
  uint8_t out[32];
  for (auto _ : state) {
    write_le32(coinbase.data() + 60, extranonce2++);
    const Uint256 root = merkle_root_from_branch(sha256d(coinbase), branch);
    std::copy(root.data(), root.data() + 32, header + 36);
    sha256d(header, out);
    benchmark::DoNotOptimize(hash_meets_target(Uint256::from_internal(out), target));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShareCheckHashing);

}  // namespace

BENCHMARK_MAIN();
