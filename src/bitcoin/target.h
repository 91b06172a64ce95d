#pragma once
// 256-bit proof-of-work targets: compact `bits`, pool difficulty and the hash-meets-target test.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>

#include "bitcoin/uint256.h"

namespace pool::bitcoin {

/// An unsigned 256-bit integer in four little-endian 64-bit limbs; just the arithmetic that
/// targets need (shifts, comparison, conversion).
struct Target {
  std::array<uint64_t, 4> limb{};

  static Target from_hash(const Uint256& hash);  // interpret a hash as a number
  Uint256 to_uint256() const;
  static Target max();
  bool is_zero() const noexcept;
  unsigned bit_length() const noexcept;
  double to_double() const noexcept;
  Target shifted_left(unsigned bits) const noexcept;
  Target shifted_right(unsigned bits) const noexcept;
  std::strong_ordering operator<=>(const Target& other) const noexcept;
  bool operator==(const Target& other) const noexcept = default;
};

/// Decodes compact bits as Bitcoin Core's arith_uint256::SetCompact does. Returns nullopt for a
/// negative, overflowing or zero target (Core's CheckProofOfWork rejects those).
std::optional<Target> target_from_bits(uint32_t bits);
/// Encodes a target in compact form, as arith_uint256::GetCompact does.
uint32_t bits_from_target(const Target& target);
/// Network difficulty of `bits`, computed as Bitcoin Core's GetDifficulty (getblockchaininfo).
double difficulty_from_bits(uint32_t bits);

/// The pool's difficulty-1 target, 0x00000000FFFF0000...0000 (as cpuminer and ckpool use).
Target difficulty_one_target();
/// floor(diff1 / difficulty), computed exactly from the double's binary value. Targets above
/// 2^256-1 clamp to the maximum. Throws std::invalid_argument for difficulty <= 0 or not finite.
Target target_from_difficulty(double difficulty);
/// diff1 / target as a double (for reporting).
double difficulty_from_target(const Target& target);
/// The difficulty a hash achieved: diff1 / hash (infinity for a zero hash).
double hash_difficulty(const Uint256& hash);

/// Bitcoin's rule: a hash is valid when, read as a number, it is <= the target.
bool hash_meets_target(const Uint256& hash, const Target& target);

}  // namespace pool::bitcoin
