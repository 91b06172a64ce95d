#pragma once
// A 256-bit hash value kept in Bitcoin's internal byte order (little-endian as a number).
#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pool::bitcoin {

/// Owns 32 bytes in internal order; hex() and from_hex() use the reversed display order that
/// Bitcoin Core prints (block hashes, txids).
class Uint256 {
 public:
  static constexpr size_t kSize = 32;

  constexpr Uint256() = default;
  explicit Uint256(std::span<const uint8_t, kSize> internal_bytes);

  /// Parses 64 hex digits in display order (as printed by Bitcoin Core). Throws HexError.
  static Uint256 from_hex(std::string_view display_hex);
  /// Copies exactly 32 bytes already in internal order.
  static Uint256 from_internal(std::span<const uint8_t> bytes);

  /// 64 hex digits in display order.
  std::string hex() const;
  /// 64 hex digits in internal order (as the bytes appear in serialized data).
  std::string internal_hex() const;

  bool is_zero() const noexcept;
  uint8_t* data() noexcept { return bytes_.data(); }
  const uint8_t* data() const noexcept { return bytes_.data(); }
  std::span<const uint8_t, kSize> bytes() const noexcept { return bytes_; }
  static constexpr size_t size() noexcept { return kSize; }

  /// Compares as 256-bit unsigned numbers (most significant byte is the last one).
  std::strong_ordering operator<=>(const Uint256& other) const noexcept;
  bool operator==(const Uint256& other) const noexcept = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace pool::bitcoin
