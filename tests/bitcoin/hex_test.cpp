#include "bitcoin/hex.h"

#include <gtest/gtest.h>

namespace pool::bitcoin {
namespace {

TEST(Hex, RoundTripsAllByteValues) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  const std::string hex = to_hex(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  EXPECT_EQ(from_hex(hex), all);
}

TEST(Hex, AcceptsUpperCase) { EXPECT_EQ(from_hex("DEADbeef"), (Bytes{0xde, 0xad, 0xbe, 0xef})); }

TEST(Hex, RejectsOddLengthWithClearMessage) {
  try {
    from_hex("abc");
    FAIL() << "odd length accepted";
  } catch (const HexError& e) {
    EXPECT_NE(std::string(e.what()).find("odd length"), std::string::npos) << e.what();
  }
}

TEST(Hex, RejectsNonHexNamingCharacterAndPosition) {
  try {
    from_hex("00zz");
    FAIL() << "non-hex accepted";
  } catch (const HexError& e) {
    EXPECT_NE(std::string(e.what()).find("'z' at position 2"), std::string::npos) << e.what();
  }
}

TEST(Hex, FixedWidthDecodeChecksLength) {
  uint8_t out[4];
  EXPECT_THROW(from_hex_into("0011", out), HexError);
  from_hex_into("20000000", out);
  EXPECT_EQ(read_be32(out), 0x20000000u);
  EXPECT_EQ(parse_hex_u32("207fffff"), 0x207fffffu);
  EXPECT_EQ(hex_u32(0x1d00ffff), "1d00ffff");
}

TEST(Hex, IsHex) {
  EXPECT_TRUE(is_hex("00ff"));
  EXPECT_FALSE(is_hex("0"));
  EXPECT_FALSE(is_hex("0g"));
}

TEST(Hex, ByteOrderHelpers) {
  uint8_t buf[4];
  write_le32(buf, 0x01020304);
  EXPECT_EQ(to_hex(buf), "04030201");
  EXPECT_EQ(read_le32(buf), 0x01020304u);
  EXPECT_EQ(reversed(Bytes{1, 2, 3}), (Bytes{3, 2, 1}));
}

}  // namespace
}  // namespace pool::bitcoin
