#pragma once
// Base58 and Base58Check (legacy P2PKH/P2SH addresses).
#include <stdexcept>
#include <string>
#include <string_view>

#include "bitcoin/hex.h"

namespace pool::bitcoin {

/// Thrown for malformed Base58 input; the message names the problem.
class Base58Error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

std::string base58_encode(std::span<const uint8_t> data);
Bytes base58_decode(std::string_view text);
/// Appends the 4-byte sha256d checksum and encodes.
std::string base58check_encode(std::span<const uint8_t> payload);
/// Decodes and verifies the checksum; returns the payload without it.
Bytes base58check_decode(std::string_view text);

}  // namespace pool::bitcoin
