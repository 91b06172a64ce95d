#pragma once
// Merkle trees: block merkle root, the Stratum coinbase branch, and BIP141 witness commitments.
#include <optional>
#include <vector>

#include "bitcoin/block.h"
#include "bitcoin/uint256.h"

namespace pool::bitcoin {

/// Bitcoin's merkle root (odd levels duplicate their last node). Zero for an empty list.
Uint256 merkle_root(std::vector<Uint256> hashes);

/// The branch Stratum sends for the coinbase (leaf 0): the sibling at each level, given the
/// hashes of every transaction after the coinbase, in block order.
std::vector<Uint256> coinbase_merkle_branch(const std::vector<Uint256>& non_coinbase_hashes);

/// Folds a leaf up a leaf-0 branch: root = H(...H(H(leaf || b0) || b1)...).
Uint256 merkle_root_from_branch(const Uint256& leaf, const std::vector<Uint256>& branch);

/// The Merkle path of leaf `index`: the sibling at each level from the leaf up to the root, on
/// the tree merkle_root builds (on an odd level's last node the sibling is the node itself).
/// Empty for a one-leaf tree. Throws std::out_of_range when index >= leaves.size().
std::vector<Uint256> merkle_path(const std::vector<Uint256>& leaves, size_t index);

/// Every level of the tree over `leaves`, leaves first, root last (an odd level's last node is
/// paired with itself when hashed): built once, O(n), so the paths of many leaves cost O(log n) each.
std::vector<std::vector<Uint256>> merkle_levels(std::vector<Uint256> leaves);
/// merkle_path of leaf `index` read from merkle_levels. Throws std::out_of_range like it.
std::vector<Uint256> merkle_path(const std::vector<std::vector<Uint256>>& levels, size_t index);

/// Folds `leaf` at position `index` up `path`: at level k the node is hashed after its sibling
/// when bit k of index is 1, before it otherwise. Equals merkle_root(leaves) for a path from
/// merkle_path(leaves, index).
Uint256 merkle_root_from_path(const Uint256& leaf, size_t index, const std::vector<Uint256>& path);

/// BIP141 witness root: merkle root of wtxids with the coinbase's replaced by zero.
Uint256 witness_merkle_root(const std::vector<Uint256>& non_coinbase_wtxids);

/// The witness commitment output script: OP_RETURN PUSH36 aa21a9ed sha256d(root || reserved).
Bytes witness_commitment_script(const Uint256& witness_root, const Uint256& reserved_value = {});

/// Index of the coinbase output carrying the witness commitment (the last matching one, as
/// Bitcoin Core's GetWitnessCommitmentIndex), if any.
std::optional<size_t> find_witness_commitment(const Transaction& coinbase);

/// The merkle root of a block's transactions (txids).
Uint256 block_merkle_root(const Block& block);

}  // namespace pool::bitcoin
