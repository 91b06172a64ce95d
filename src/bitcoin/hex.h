#pragma once
// Hex encoding and decoding, and byte-order helpers used by every Bitcoin structure.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pool::bitcoin {

using Bytes = std::vector<uint8_t>;

/// Thrown when a string is not valid hex; the message says what is wrong and where.
class HexError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Lower-case hex of the bytes, in the order given.
std::string to_hex(std::span<const uint8_t> bytes);

/// Decodes hex (either case). Throws HexError on odd length or a non-hex character.
Bytes from_hex(std::string_view hex);

/// Decodes hex into exactly out.size() bytes; throws HexError if the length differs.
void from_hex_into(std::string_view hex, std::span<uint8_t> out);

/// True if `hex` is an even-length string of hex digits.
bool is_hex(std::string_view hex) noexcept;

/// The bytes in reverse order (Bitcoin displays hashes byte-reversed).
Bytes reversed(std::span<const uint8_t> bytes);

inline void write_le32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}
inline uint32_t read_le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline void write_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline uint32_t read_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

/// Parses exactly 8 hex digits as a big-endian 32-bit number ("20000000" -> 0x20000000).
uint32_t parse_hex_u32(std::string_view hex8);
/// 8 lower-case hex digits of a 32-bit number, big-endian.
std::string hex_u32(uint32_t value);

}  // namespace pool::bitcoin
