#pragma once
// Bech32 (BIP173) and Bech32m (BIP350) encoding, and segwit address payloads.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bitcoin/hex.h"

namespace pool::bitcoin {

/// Thrown for malformed bech32/bech32m strings; the message names the problem.
class Bech32Error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class Bech32Encoding { kBech32, kBech32m };

struct Bech32Decoded {
  Bech32Encoding encoding;
  std::string hrp;             // lower case
  std::vector<uint8_t> data;   // 5-bit values, checksum removed
};

std::string bech32_encode(std::string_view hrp, const std::vector<uint8_t>& values,
                          Bech32Encoding encoding);
/// Decodes and verifies the checksum (either variant). Throws Bech32Error.
Bech32Decoded bech32_decode(std::string_view text);

/// Regroups bits (8->5 or 5->8). Returns false on invalid padding when pad is false.
bool convert_bits(std::vector<uint8_t>& out, std::span<const uint8_t> in, int from_bits,
                  int to_bits, bool pad);

struct SegwitProgram {
  int version = 0;
  Bytes program;
};

/// Decodes a segwit address, enforcing BIP173/BIP350 rules (variant per version, program
/// lengths, padding). The hrp is returned so the caller can check the network.
SegwitProgram segwit_decode(std::string_view address, std::string* hrp_out);
std::string segwit_encode(std::string_view hrp, int version, std::span<const uint8_t> program);

}  // namespace pool::bitcoin
