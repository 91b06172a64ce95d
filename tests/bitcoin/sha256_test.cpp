#include "bitcoin/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "bitcoin/hex.h"

namespace pool::bitcoin {
namespace {

std::string sha256_hex(const std::string& text) {
  uint8_t out[32];
  sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), out);
  return to_hex(out);
}

// FIPS 180-2 examples.
TEST(Sha256, MatchesPublishedVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, DoubleHashOfHello) {
  const std::string text = "hello";
  uint8_t out[32];
  sha256d(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), out);
  EXPECT_EQ(to_hex(out), "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50");
}

TEST(Sha256, MidstateCopyFinishesLikeOneShot) {
  Bytes data(80);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  Sha256 prefix;
  prefix.update(std::span<const uint8_t>(data).first(64));
  uint8_t expected[32], got[32];
  for (uint8_t tail = 0; tail < 4; ++tail) {
    data[79] = tail;
    sha256(data, expected);
    Sha256 copy = prefix;  // the midstate is reused for every tail
    copy.update(std::span<const uint8_t>(data).subspan(64)).finish(got);
    EXPECT_EQ(to_hex(got), to_hex(expected));
  }
}

}  // namespace
}  // namespace pool::bitcoin
