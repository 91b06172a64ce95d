#include "bitcoin/target.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "bitcoin/hex.h"

namespace pool::bitcoin {

Target Target::from_hash(const Uint256& hash) {
  Target t;
  for (int i = 0; i < 4; ++i) {
    uint64_t v = 0;
    for (int b = 7; b >= 0; --b) v = v << 8 | hash.data()[i * 8 + b];
    t.limb[i] = v;
  }
  return t;
}

Uint256 Target::to_uint256() const {
  Uint256 out;
  for (int i = 0; i < 4; ++i) {
    for (int b = 0; b < 8; ++b) out.data()[i * 8 + b] = static_cast<uint8_t>(limb[i] >> (8 * b));
  }
  return out;
}

Target Target::max() {
  Target t;
  t.limb.fill(~uint64_t{0});
  return t;
}

bool Target::is_zero() const noexcept {
  return (limb[0] | limb[1] | limb[2] | limb[3]) == 0;
}

unsigned Target::bit_length() const noexcept {
  for (int i = 3; i >= 0; --i) {
    if (limb[i] != 0) return 64 * i + 64 - __builtin_clzll(limb[i]);
  }
  return 0;
}

double Target::to_double() const noexcept {
  double out = 0;
  for (int i = 3; i >= 0; --i) out = out * 18446744073709551616.0 + static_cast<double>(limb[i]);
  return out;
}

Target Target::shifted_left(unsigned bits) const noexcept {
  Target out;
  if (bits >= 256) return out;
  const unsigned words = bits / 64, rest = bits % 64;
  for (int i = 3; i >= static_cast<int>(words); --i) {
    uint64_t v = limb[i - words] << rest;
    if (rest != 0 && i - static_cast<int>(words) - 1 >= 0) v |= limb[i - words - 1] >> (64 - rest);
    out.limb[i] = v;
  }
  return out;
}

Target Target::shifted_right(unsigned bits) const noexcept {
  Target out;
  if (bits >= 256) return out;
  const unsigned words = bits / 64, rest = bits % 64;
  for (unsigned i = 0; i + words < 4; ++i) {
    uint64_t v = limb[i + words] >> rest;
    if (rest != 0 && i + words + 1 < 4) v |= limb[i + words + 1] << (64 - rest);
    out.limb[i] = v;
  }
  return out;
}

std::strong_ordering Target::operator<=>(const Target& other) const noexcept {
  for (int i = 3; i >= 0; --i) {
    if (limb[i] != other.limb[i]) return limb[i] <=> other.limb[i];
  }
  return std::strong_ordering::equal;
}

std::optional<Target> target_from_bits(uint32_t bits) {
  const unsigned size = bits >> 24;
  uint32_t word = bits & 0x007fffff;
  Target t;
  if (size <= 3) {
    word >>= 8 * (3 - size);
    t.limb[0] = word;
  } else {
    t.limb[0] = word;
    t = t.shifted_left(8 * (size - 3));
  }
  const bool negative = word != 0 && (bits & 0x00800000) != 0;
  const bool overflow =
      word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  if (negative || overflow || t.is_zero()) return std::nullopt;
  return t;
}

uint32_t bits_from_target(const Target& target) {
  unsigned size = (target.bit_length() + 7) / 8;
  uint32_t compact = 0;
  if (size <= 3) {
    compact = static_cast<uint32_t>(target.limb[0] << 8 * (3 - size));
  } else {
    compact = static_cast<uint32_t>(target.shifted_right(8 * (size - 3)).limb[0]);
  }
  if (compact & 0x00800000) {
    compact >>= 8;
    ++size;
  }
  return compact | size << 24;
}

double difficulty_from_bits(uint32_t bits) {
  int shift = (bits >> 24) & 0xff;
  double diff = 65535.0 / static_cast<double>(bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256.0;
    ++shift;
  }
  while (shift > 29) {
    diff /= 256.0;
    --shift;
  }
  return diff;
}

Target difficulty_one_target() {
  Target t;
  t.limb[3] = 0x00000000FFFF0000ULL;
  return t;
}

Target target_from_difficulty(double difficulty) {
  if (!(difficulty > 0) || !std::isfinite(difficulty)) {
    throw std::invalid_argument("difficulty must be a positive finite number");
  }
  // difficulty = mantissa * 2^exponent exactly, with mantissa an odd-or-53-bit integer.
  int exp2 = 0;
  const double fraction = std::frexp(difficulty, &exp2);
  uint64_t mantissa = static_cast<uint64_t>(std::ldexp(fraction, 53));
  int exponent = exp2 - 53;
  while ((mantissa & 1) == 0) {
    mantissa >>= 1;
    ++exponent;
  }
  // target = floor(0xFFFF * 2^(208 - exponent) / mantissa), done in 384-bit arithmetic so that
  // tiny difficulties (1e-9 and below) are exact before clamping.
  const int shift = 208 - exponent;
  std::array<uint64_t, 6> num{};
  if (shift >= 0) {
    if (shift + 17 > 384) return Target::max();
    const int word = shift / 64, rest = shift % 64;
    const unsigned __int128 wide = static_cast<unsigned __int128>(0xFFFF) << rest;
    num[word] = static_cast<uint64_t>(wide);
    if (word + 1 < 6) num[word + 1] = static_cast<uint64_t>(wide >> 64);
  } else {
    // floor(floor(0xFFFF / m) / 2^k) == floor(0xFFFF / (m * 2^k)).
    const uint64_t quotient = 0xFFFF / mantissa;
    Target t;
    t.limb[0] = -shift >= 64 ? 0 : quotient >> -shift;
    return t;
  }
  std::array<uint64_t, 6> quot{};
  unsigned __int128 remainder = 0;
  for (int i = 5; i >= 0; --i) {
    const unsigned __int128 cur = remainder << 64 | num[i];
    quot[i] = static_cast<uint64_t>(cur / mantissa);
    remainder = cur % mantissa;
  }
  if (quot[4] != 0 || quot[5] != 0) return Target::max();
  Target t;
  for (int i = 0; i < 4; ++i) t.limb[i] = quot[i];
  return t;
}

double difficulty_from_target(const Target& target) {
  if (target.is_zero()) return std::numeric_limits<double>::infinity();
  return difficulty_one_target().to_double() / target.to_double();
}

double hash_difficulty(const Uint256& hash) { return difficulty_from_target(Target::from_hash(hash)); }

bool hash_meets_target(const Uint256& hash, const Target& target) {
  return Target::from_hash(hash) <= target;
}

}  // namespace pool::bitcoin
