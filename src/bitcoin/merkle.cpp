#include "bitcoin/merkle.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "bitcoin/sha256.h"

namespace pool::bitcoin {

Uint256 merkle_root(std::vector<Uint256> hashes) {
  if (hashes.empty()) return Uint256{};
  while (hashes.size() > 1) {
    if (hashes.size() % 2 != 0) hashes.push_back(hashes.back());
    for (size_t i = 0; i < hashes.size() / 2; ++i) {
      hashes[i] = hash_pair(hashes[2 * i], hashes[2 * i + 1]);
    }
    hashes.resize(hashes.size() / 2);
  }
  return hashes[0];
}

std::vector<Uint256> coinbase_merkle_branch(const std::vector<Uint256>& non_coinbase_hashes) {
  // Level 0 holds a placeholder for the coinbase followed by the other transactions. At each level
  // the coinbase's path is index 0, so its sibling is index 1; the rest of the level is hashed up.
  std::vector<Uint256> branch;
  std::vector<Uint256> level;
  level.reserve(non_coinbase_hashes.size() + 1);
  level.push_back(Uint256{});
  level.insert(level.end(), non_coinbase_hashes.begin(), non_coinbase_hashes.end());
  while (level.size() > 1) {
    if (level.size() % 2 != 0) level.push_back(level.back());
    branch.push_back(level[1]);
    std::vector<Uint256> next;
    next.reserve(level.size() / 2);
    next.push_back(Uint256{});  // the coinbase's path, unknown until the coinbase is fixed
    for (size_t i = 1; i < level.size() / 2; ++i) next.push_back(hash_pair(level[2 * i], level[2 * i + 1]));
    level = std::move(next);
  }
  return branch;
}

Uint256 merkle_root_from_branch(const Uint256& leaf, const std::vector<Uint256>& branch) {
  Uint256 node = leaf;
  for (const auto& sibling : branch) node = hash_pair(node, sibling);
  return node;
}

std::vector<std::vector<Uint256>> merkle_levels(std::vector<Uint256> leaves) {
  std::vector<std::vector<Uint256>> levels;
  if (leaves.empty()) return levels;
  levels.push_back(std::move(leaves));
  while (levels.back().size() > 1) {
    const auto& level = levels.back();
    std::vector<Uint256> up((level.size() + 1) / 2);
    for (size_t i = 0; i < up.size(); ++i) {
      const Uint256& left = level[2 * i];
      up[i] = hash_pair(left, 2 * i + 1 < level.size() ? level[2 * i + 1] : left);  // odd: paired with itself
    }
    levels.push_back(std::move(up));
  }
  return levels;
}

std::vector<Uint256> merkle_path(const std::vector<std::vector<Uint256>>& levels, size_t index) {
  const size_t leaves = levels.empty() ? 0 : levels[0].size();
  if (index >= leaves) {
    throw std::out_of_range("merkle_path: leaf " + std::to_string(index) + " of " + std::to_string(leaves));
  }
  std::vector<Uint256> path;
  for (size_t k = 0; k + 1 < levels.size(); ++k) {
    const auto& level = levels[k];
    path.push_back((index ^ 1) < level.size() ? level[index ^ 1] : level[index]);
    index /= 2;
  }
  return path;
}

std::vector<Uint256> merkle_path(const std::vector<Uint256>& leaves, size_t index) {
  if (index >= leaves.size()) {
    throw std::out_of_range("merkle_path: leaf " + std::to_string(index) + " of " + std::to_string(leaves.size()));
  }
  return merkle_path(merkle_levels(leaves), index);
}

Uint256 merkle_root_from_path(const Uint256& leaf, size_t index, const std::vector<Uint256>& path) {
  Uint256 node = leaf;
  for (const auto& sibling : path) {
    node = (index & 1) != 0 ? hash_pair(sibling, node) : hash_pair(node, sibling);
    index >>= 1;
  }
  return node;
}

Uint256 witness_merkle_root(const std::vector<Uint256>& non_coinbase_wtxids) {
  std::vector<Uint256> leaves;
  leaves.reserve(non_coinbase_wtxids.size() + 1);
  leaves.push_back(Uint256{});
  leaves.insert(leaves.end(), non_coinbase_wtxids.begin(), non_coinbase_wtxids.end());
  return merkle_root(std::move(leaves));
}

Bytes witness_commitment_script(const Uint256& witness_root, const Uint256& reserved_value) {
  uint8_t buf[64];
  std::copy(witness_root.data(), witness_root.data() + 32, buf);
  std::copy(reserved_value.data(), reserved_value.data() + 32, buf + 32);
  const Uint256 commitment = sha256d(buf);
  static constexpr uint8_t kHeader[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  Bytes script(38);
  std::copy(kHeader, kHeader + 6, script.begin());
  std::copy(commitment.data(), commitment.data() + 32, script.begin() + 6);
  return script;
}

std::optional<size_t> find_witness_commitment(const Transaction& coinbase) {
  std::optional<size_t> found;
  for (size_t i = 0; i < coinbase.outputs.size(); ++i) {
    const auto& s = coinbase.outputs[i].script_pubkey;
    if (s.size() >= 38 && s[0] == 0x6a && s[1] == 0x24 && s[2] == 0xaa && s[3] == 0x21 &&
        s[4] == 0xa9 && s[5] == 0xed) {
      found = i;
    }
  }
  return found;
}

Uint256 block_merkle_root(const Block& block) {
  std::vector<Uint256> txids;
  txids.reserve(block.transactions.size());
  for (const auto& tx : block.transactions) txids.push_back(tx.txid());
  return merkle_root(std::move(txids));
}

}  // namespace pool::bitcoin
