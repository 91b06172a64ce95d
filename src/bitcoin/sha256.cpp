#include "bitcoin/sha256.h"

#include <algorithm>

namespace pool::bitcoin {

void sha256(std::span<const uint8_t> data, uint8_t out[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out, &ctx);
}

void sha256d(std::span<const uint8_t> data, uint8_t out[32]) {
  uint8_t first[32];
  sha256(data, first);
  sha256(first, out);
}

Uint256 sha256d(std::span<const uint8_t> data) {
  Uint256 out;
  sha256d(data, out.data());
  return out;
}

Uint256 hash_pair(const Uint256& left, const Uint256& right) {
  uint8_t buf[64];
  std::copy(left.data(), left.data() + 32, buf);
  std::copy(right.data(), right.data() + 32, buf + 32);
  return sha256d(buf);
}

}  // namespace pool::bitcoin
