#include "bitcoin/target.h"

#include <gtest/gtest.h>

#include <cmath>

#include "bitcoin/hex.h"

namespace pool::bitcoin {
namespace {

Target target_hex(const std::string& display_hex) {
  return Target::from_hash(Uint256::from_hex(display_hex));
}

// (t * m) as five limbs, to check floor divisions exactly.
std::array<uint64_t, 5> mul(const Target& t, uint64_t m) {
  std::array<uint64_t, 5> out{};
  unsigned __int128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    const unsigned __int128 p = static_cast<unsigned __int128>(t.limb[i]) * m + carry;
    out[i] = static_cast<uint64_t>(p);
    carry = p >> 64;
  }
  out[4] = static_cast<uint64_t>(carry);
  return out;
}

bool less_equal(const std::array<uint64_t, 5>& a, const std::array<uint64_t, 5>& b) {
  for (int i = 4; i >= 0; --i) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return true;
}

std::array<uint64_t, 5> widen(const Target& t) { return {t.limb[0], t.limb[1], t.limb[2], t.limb[3], 0}; }

Target plus_one(Target t) {
  for (auto& l : t.limb) {
    if (++l != 0) break;
  }
  return t;
}

TEST(Target, GenesisBitsDecode) {
  auto t = target_from_bits(0x1d00ffff);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_uint256().hex(), "00000000ffff0000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(*t, difficulty_one_target());
  EXPECT_EQ(bits_from_target(*t), 0x1d00ffffu);
}

TEST(Target, RegtestBitsMatchBitcoinCore) {
  // gbt-*.json: bits 207fffff, target 7fffff00..., getblock difficulty 4.656542373906925e-10.
  auto t = target_from_bits(0x207fffff);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_uint256().hex(), "7fffff0000000000000000000000000000000000000000000000000000000000");
  EXPECT_DOUBLE_EQ(difficulty_from_bits(0x207fffff), 4.656542373906925e-10);
  EXPECT_DOUBLE_EQ(difficulty_from_bits(0x1d00ffff), 1.0);
}

// Cases from Bitcoin Core's arith_uint256 SetCompact/GetCompact tests.
TEST(Target, CompactEdgeCasesAsBitcoinCore) {
  EXPECT_FALSE(target_from_bits(0x00123456));  // zero
  EXPECT_FALSE(target_from_bits(0x01003456));  // zero
  auto t = target_from_bits(0x01123456);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->limb[0], 0x12u);
  EXPECT_EQ(bits_from_target(*t), 0x01120000u);
  EXPECT_FALSE(target_from_bits(0x01fedcba));  // negative
  EXPECT_FALSE(target_from_bits(0x04923456));  // negative
  t = target_from_bits(0x05009234);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->limb[0], 0x92340000u);
  EXPECT_EQ(bits_from_target(*t), 0x05009234u);
  t = target_from_bits(0x20123456);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_uint256().hex(), "1234560000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(bits_from_target(*t), 0x20123456u);
  EXPECT_FALSE(target_from_bits(0xff123456));  // overflow
  EXPECT_EQ(bits_from_target(target_hex("0000000000000000000000000000000000000000000000000000000000000080")),
            0x02008000u);
}

TEST(Target, DifficultyOneIsDiff1) { EXPECT_EQ(target_from_difficulty(1.0), difficulty_one_target()); }

TEST(Target, IntegerDifficultiesAreExactFloorDivisions) {
  const auto diff1 = widen(difficulty_one_target());
  for (uint64_t d : {2ULL, 3ULL, 7ULL, 1000ULL, 65536ULL, 1000000007ULL, 1000000000000000ULL}) {
    const Target t = target_from_difficulty(static_cast<double>(d));
    EXPECT_TRUE(less_equal(mul(t, d), diff1)) << d;
    EXPECT_FALSE(less_equal(mul(plus_one(t), d), diff1)) << d;
  }
}

TEST(Target, FractionalPowersOfTwoShiftExactly) {
  EXPECT_EQ(target_from_difficulty(1.0 / 1024), difficulty_one_target().shifted_left(10));
  EXPECT_EQ(target_from_difficulty(0.5), difficulty_one_target().shifted_left(1));
}

TEST(Target, SmallFractionalDifficulties) {
  for (double d : {0.001, 0.5e-3, 1e-6, 1e-9}) {
    const Target t = target_from_difficulty(d);
    EXPECT_NEAR(difficulty_from_target(t) / d, 1.0, 1e-12) << d;
  }
  // Regtest needs difficulties this small: 1e-9 is about 2^224 * 2^30, below 2^256.
  EXPECT_LT(target_from_difficulty(1e-9), Target::max());
  EXPECT_EQ(target_from_difficulty(1e-12), Target::max());  // clamps rather than wraps
}

TEST(Target, RejectsNonPositiveDifficulty) {
  EXPECT_THROW(target_from_difficulty(0), std::invalid_argument);
  EXPECT_THROW(target_from_difficulty(-1), std::invalid_argument);
  EXPECT_THROW(target_from_difficulty(NAN), std::invalid_argument);
}

TEST(Target, HashExactlyAtTargetMeetsItAndOneAboveDoesNot) {
  for (double d : {1.0, 0.001, 1e15, 12345.678}) {
    const Target t = target_from_difficulty(d);
    EXPECT_TRUE(hash_meets_target(t.to_uint256(), t)) << d;
    EXPECT_FALSE(hash_meets_target(plus_one(t).to_uint256(), t)) << d;
  }
}

TEST(Target, HashDifficulty) {
  const Target t = target_from_difficulty(64);
  EXPECT_NEAR(hash_difficulty(t.to_uint256()), 64.0, 1e-9);
}

TEST(Target, ShiftsRoundTrip) {
  Target one;
  one.limb[0] = 1;
  for (unsigned s : {0u, 1u, 63u, 64u, 65u, 200u, 255u}) {
    EXPECT_EQ(one.shifted_left(s).shifted_right(s), one) << s;
    EXPECT_EQ(one.shifted_left(s).bit_length(), s + 1) << s;
  }
  EXPECT_TRUE(one.shifted_left(256).is_zero());
}

}  // namespace
}  // namespace pool::bitcoin
