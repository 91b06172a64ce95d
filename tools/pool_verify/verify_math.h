#pragma once
// pool-verify's arithmetic, written from the published contract (docs/transparency.md), not
// from the pool's code: the v1 leaf encoding and hash, folding a Merkle path, 128-bit weights
// as decimal text, and the credit formula with its rounding.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bitcoin/hex.h"
#include "bitcoin/uint256.h"

namespace pool::verify {

using u128 = unsigned __int128;

struct Leaf {
  std::string address;
  std::string worker;
  uint64_t first_share_id = 0;
  uint64_t last_share_id = 0;
  uint64_t shares = 0;
  u128 weight = 0;
};

/// "PPLNS-leaf-v1" || CompactSize(len) address || CompactSize(len) worker || u64le first_share_id
/// || u64le last_share_id || u64le shares || u128le weight.
bitcoin::Bytes leaf_encoding_v1(const Leaf& leaf);
/// sha256d of the encoding.
bitcoin::Uint256 leaf_hash_v1(const Leaf& leaf);

/// At level k: bit k of index 0 -> sha256d(node || sibling), 1 -> sha256d(sibling || node).
bitcoin::Uint256 fold_path(const bitcoin::Uint256& leaf, uint64_t index, const std::vector<bitcoin::Uint256>& path);

/// Decimal text of an unsigned 128-bit number; nullopt when malformed or out of range.
std::optional<u128> parse_u128(std::string_view decimal);
std::string to_decimal(u128 v);

/// floor(reward * fee_ppm / 1,000,000).
int64_t fee_of(int64_t reward_sats, int64_t fee_ppm);
/// floor((reward - fee) * address_weight / total_weight), exact; nullopt when total_weight is 0
/// or address_weight exceeds it.
std::optional<int64_t> credit_of(int64_t reward_sats, int64_t fee_ppm, u128 address_weight, u128 total_weight);

/// What an output paying `sats` before its share of a fee shared by `recipients` outputs may
/// hold: sats - floor(fee/recipients), or that less fee % recipients for the output that pays
/// the remainder (Bitcoin Core's subtractfeefrom gives it to the first such output).
std::vector<int64_t> expected_output_values(int64_t sats, std::optional<int64_t> fee_sats, int64_t recipients);

}  // namespace pool::verify
