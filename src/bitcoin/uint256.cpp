#include "bitcoin/uint256.h"

#include <algorithm>

#include "bitcoin/hex.h"

namespace pool::bitcoin {

Uint256::Uint256(std::span<const uint8_t, kSize> internal_bytes) {
  std::copy(internal_bytes.begin(), internal_bytes.end(), bytes_.begin());
}

Uint256 Uint256::from_hex(std::string_view display_hex) {
  Uint256 out;
  from_hex_into(display_hex, out.bytes_);
  std::reverse(out.bytes_.begin(), out.bytes_.end());
  return out;
}

Uint256 Uint256::from_internal(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    throw HexError("a 256-bit value needs 32 bytes, got " + std::to_string(bytes.size()));
  }
  Uint256 out;
  std::copy(bytes.begin(), bytes.end(), out.bytes_.begin());
  return out;
}

std::string Uint256::hex() const { return to_hex(reversed(bytes_)); }
std::string Uint256::internal_hex() const { return to_hex(bytes_); }

bool Uint256::is_zero() const noexcept {
  return std::all_of(bytes_.begin(), bytes_.end(), [](uint8_t b) { return b == 0; });
}

std::strong_ordering Uint256::operator<=>(const Uint256& other) const noexcept {
  for (size_t i = kSize; i-- > 0;) {
    if (bytes_[i] != other.bytes_[i]) return bytes_[i] <=> other.bytes_[i];
  }
  return std::strong_ordering::equal;
}

}  // namespace pool::bitcoin
