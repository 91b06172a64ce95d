#pragma once
// Test helper: committed PPLNS windows built by hand with the v1 leaf encoding of
// docs/transparency.md ("PPLNS-leaf-v1" || CompactSize-prefixed address and worker || u64le first
// share id, last share id, share count || u128le weight; leaf hash = sha256d), written
// independently of the pool's accounting code so tests check it against the contract.
#include <algorithm>
#include <string>
#include <vector>

#include "bitcoin/merkle.h"
#include "bitcoin/serialize.h"
#include "bitcoin/sha256.h"
#include "store/store.h"

namespace pool::test {

struct TestLeaf {
  std::string address;
  std::string worker;
  int64_t first_share_id = 0;
  int64_t last_share_id = 0;
  int64_t shares = 0;
  unsigned __int128 weight = 0;
};

inline std::string u128_decimal(unsigned __int128 v) {
  std::string out;
  do {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return out;
}

inline bitcoin::Bytes leaf_encoding_v1(const TestLeaf& l) {
  bitcoin::ByteWriter w;
  const std::string tag = "PPLNS-leaf-v1";
  w.bytes({reinterpret_cast<const uint8_t*>(tag.data()), tag.size()});
  w.var_bytes({reinterpret_cast<const uint8_t*>(l.address.data()), l.address.size()});
  w.var_bytes({reinterpret_cast<const uint8_t*>(l.worker.data()), l.worker.size()});
  w.u64le(static_cast<uint64_t>(l.first_share_id));
  w.u64le(static_cast<uint64_t>(l.last_share_id));
  w.u64le(static_cast<uint64_t>(l.shares));
  w.u64le(static_cast<uint64_t>(l.weight));
  w.u64le(static_cast<uint64_t>(l.weight >> 64));
  return w.take();
}

/// The rows of a window with these leaves: sorted by (address, worker), indexed, hashed.
inline std::vector<store::WindowLeafRow> window_rows(std::vector<TestLeaf> leaves) {
  std::sort(leaves.begin(), leaves.end(),
            [](const TestLeaf& a, const TestLeaf& b) { return std::tie(a.address, a.worker) < std::tie(b.address, b.worker); });
  std::vector<store::WindowLeafRow> rows;
  for (const auto& l : leaves) {
    rows.push_back({static_cast<int64_t>(rows.size()), l.address, l.worker, l.first_share_id, l.last_share_id, l.shares,
                    u128_decimal(l.weight), bitcoin::sha256d(leaf_encoding_v1(l)).internal_hex()});
  }
  return rows;
}

/// The window summary for `rows` (root and total weight computed here).
inline store::BlockWindow window_summary(const std::string& block_hash, const std::vector<store::WindowLeafRow>& rows,
                                         int64_t reward_sats, int64_t fee_ppm) {
  std::vector<bitcoin::Uint256> hashes;
  unsigned __int128 total = 0;
  for (const auto& r : rows) {
    hashes.push_back(bitcoin::Uint256::from_internal(bitcoin::from_hex(r.hash)));
    unsigned __int128 w = 0;
    for (const char c : r.weight) w = w * 10 + static_cast<unsigned>(c - '0');
    total += w;
  }
  store::BlockWindow w;
  w.block_hash = block_hash;
  w.root = bitcoin::merkle_root(hashes).internal_hex();
  w.total_weight = u128_decimal(total);
  w.fee_ppm = fee_ppm;
  w.reward_sats = reward_sats;
  w.leaf_count = static_cast<int64_t>(rows.size());
  w.created_ms = 1;
  return w;
}

}  // namespace pool::test
