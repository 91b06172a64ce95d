#pragma once
// The committed PPLNS window of a found block as a Merkle tree (docs/transparency.md states it
// for third parties): one leaf per (address, worker) pair in the window, weighed with the same
// rule as the money path (pplns.h), encoded canonically (v1) and hashed with sha256d; leaves
// sorted by (address, worker) as byte strings; the tree is bitcoin::merkle_root over the leaf
// hashes. The split of a committed window equals PplnsWeights::split of the same shares. Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounting/pplns.h"
#include "bitcoin/hex.h"
#include "bitcoin/uint256.h"
#include "store/store.h"

namespace pool::accounting {

/// "PPLNS-leaf-v1": the first 13 bytes of every v1 leaf encoding.
inline constexpr std::string_view kLeafTagV1 = "PPLNS-leaf-v1";

/// One (address, worker) pair's shares in a window.
struct WindowLeaf {
  std::string address;
  std::string worker;
  uint64_t first_share_id = 0;  // the smallest share id of the pair in the window
  uint64_t last_share_id = 0;   // the largest
  uint64_t share_count = 0;
  unsigned __int128 weight = 0;  // the sum of its shares' weights
  bool operator==(const WindowLeaf&) const = default;
};

/// The v1 encoding: "PPLNS-leaf-v1" || CompactSize(len address) || address || CompactSize(len
/// worker) || worker || u64le(first_share_id) || u64le(last_share_id) || u64le(share_count) ||
/// u128le(weight).
bitcoin::Bytes encode_leaf(const WindowLeaf& leaf);
/// sha256d(encode_leaf(leaf)), internal order.
bitcoin::Uint256 leaf_hash(const WindowLeaf& leaf);
/// The Merkle root over the leaves' hashes in order (32 zero bytes for no leaves).
bitcoin::Uint256 window_root(const std::vector<WindowLeaf>& leaves);

/// Decimal text of an unsigned 128-bit integer ("0" for zero).
std::string u128_to_decimal(unsigned __int128 v);
/// Parses canonical decimal text (digits only, no sign, no leading zeros but "0"), nullopt when
/// malformed or above 2^128 - 1.
std::optional<unsigned __int128> decimal_to_u128(std::string_view text);

/// Builds the sorted leaves of a window fed share by share (as Store::walk_window streams it).
/// Memory grows with the (address, worker) pairs, not with the shares.
class WindowTreeBuilder {
 public:
  /// `max_difficulty` is the largest difficulty that will be added (0 for an empty window).
  explicit WindowTreeBuilder(double max_difficulty);
  /// Throws std::logic_error for a difficulty above the declared maximum (as PplnsWeights).
  void add(const store::WindowShare& share);
  /// The leaves sorted by (address, worker) as byte strings.
  std::vector<WindowLeaf> leaves() const;

 private:
  int exponent_;
  std::map<std::string, std::map<std::string, WindowLeaf, std::less<>>, std::less<>> by_address_;
};

/// The store rows of `leaves` (index = position, weight as decimal, hash as internal-order hex).
std::vector<store::WindowLeafRow> leaf_rows(const std::vector<WindowLeaf>& leaves);
/// A stored row back as a leaf; nullopt when a field is malformed (a negative id or count, a
/// weight that is not a canonical decimal below 2^128).
std::optional<WindowLeaf> leaf_from_row(const store::WindowLeafRow& row);

/// The sum of the leaves' weights; nullopt when it exceeds 2^128 - 1.
std::optional<unsigned __int128> total_weight(const std::vector<WindowLeaf>& leaves);

/// The split of a committed window's reward: its fee_ppm and reward_sats, each address's weight
/// summed over its leaves, the total the sum of every leaf. Equals PplnsWeights::split of the same
/// window with the fee the window fixed. Throws std::invalid_argument naming the block and the
/// leaf when a row is malformed.
Split split_committed(const store::BlockWindow& window, const std::vector<store::WindowLeafRow>& leaves);

}  // namespace pool::accounting
