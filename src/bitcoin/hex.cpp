#include "bitcoin/hex.h"

#include <algorithm>

namespace pool::bitcoin {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

int nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void decode(std::string_view hex, uint8_t* out) {
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      const size_t bad = hi < 0 ? i : i + 1;
      throw HexError("invalid hex character '" + std::string(1, hex[bad]) + "' at position " +
                     std::to_string(bad));
    }
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
}

}  // namespace

std::string to_hex(std::span<const uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

Bytes from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    throw HexError("hex string has odd length " + std::to_string(hex.size()));
  }
  Bytes out(hex.size() / 2);
  decode(hex, out.data());
  return out;
}

void from_hex_into(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) {
    throw HexError("expected " + std::to_string(out.size() * 2) + " hex digits, got " +
                   std::to_string(hex.size()));
  }
  decode(hex, out.data());
}

bool is_hex(std::string_view hex) noexcept {
  return hex.size() % 2 == 0 &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return nibble(c) >= 0; });
}

Bytes reversed(std::span<const uint8_t> bytes) { return Bytes(bytes.rbegin(), bytes.rend()); }

uint32_t parse_hex_u32(std::string_view hex8) {
  uint8_t raw[4];
  from_hex_into(hex8, raw);
  return read_be32(raw);
}

std::string hex_u32(uint32_t value) {
  uint8_t raw[4];
  write_be32(raw, value);
  return to_hex(raw);
}

}  // namespace pool::bitcoin
