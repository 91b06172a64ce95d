#include "bitcoin/bech32.h"

#include <cctype>

namespace pool::bitcoin {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr uint32_t kBech32Const = 1;
constexpr uint32_t kBech32mConst = 0x2bc830a3;

uint32_t polymod(const std::vector<uint8_t>& values) {
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint8_t top = chk >> 25;
    chk = (chk & 0x1ffffff) << 5 ^ v;
    if (top & 1) chk ^= 0x3b6a57b2;
    if (top & 2) chk ^= 0x26508e6d;
    if (top & 4) chk ^= 0x1ea119fa;
    if (top & 8) chk ^= 0x3d4233dd;
    if (top & 16) chk ^= 0x2a1462b3;
  }
  return chk;
}

std::vector<uint8_t> hrp_expand(std::string_view hrp) {
  std::vector<uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

int charset_index(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kCharset[i] == c) return i;
  }
  return -1;
}

}  // namespace

std::string bech32_encode(std::string_view hrp, const std::vector<uint8_t>& values,
                          Bech32Encoding encoding) {
  std::vector<uint8_t> enc = hrp_expand(hrp);
  enc.insert(enc.end(), values.begin(), values.end());
  enc.insert(enc.end(), 6, 0);
  const uint32_t mod =
      polymod(enc) ^ (encoding == Bech32Encoding::kBech32 ? kBech32Const : kBech32mConst);
  std::string out(hrp);
  out.push_back('1');
  for (uint8_t v : values) out.push_back(kCharset[v]);
  for (int i = 0; i < 6; ++i) out.push_back(kCharset[(mod >> (5 * (5 - i))) & 31]);
  return out;
}

Bech32Decoded bech32_decode(std::string_view text) {
  bool lower = false, upper = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 33 || c > 126) {
      throw Bech32Error("invalid character (code " + std::to_string(c) + ") at position " +
                        std::to_string(i));
    }
    lower |= std::islower(c) != 0;
    upper |= std::isupper(c) != 0;
  }
  if (lower && upper) throw Bech32Error("mixed upper and lower case");
  if (text.size() > 90) throw Bech32Error("longer than 90 characters");
  const size_t sep = text.rfind('1');
  if (sep == std::string_view::npos) throw Bech32Error("no separator '1'");
  if (sep == 0) throw Bech32Error("empty human-readable part");
  if (text.size() - sep - 1 < 6) throw Bech32Error("checksum too short");
  Bech32Decoded out;
  for (size_t i = 0; i < sep; ++i) out.hrp.push_back(static_cast<char>(std::tolower(text[i])));
  std::vector<uint8_t> values;
  for (size_t i = sep + 1; i < text.size(); ++i) {
    const int v = charset_index(static_cast<char>(std::tolower(text[i])));
    if (v < 0) {
      throw Bech32Error("invalid bech32 character '" + std::string(1, text[i]) + "' at position " +
                        std::to_string(i));
    }
    values.push_back(static_cast<uint8_t>(v));
  }
  std::vector<uint8_t> check = hrp_expand(out.hrp);
  check.insert(check.end(), values.begin(), values.end());
  const uint32_t mod = polymod(check);
  if (mod == kBech32Const) {
    out.encoding = Bech32Encoding::kBech32;
  } else if (mod == kBech32mConst) {
    out.encoding = Bech32Encoding::kBech32m;
  } else {
    throw Bech32Error("bad checksum");
  }
  out.data.assign(values.begin(), values.end() - 6);
  return out;
}

bool convert_bits(std::vector<uint8_t>& out, std::span<const uint8_t> in, int from_bits,
                  int to_bits, bool pad) {
  uint32_t acc = 0;
  int bits = 0;
  const uint32_t maxv = (1u << to_bits) - 1;
  for (uint8_t v : in) {
    if (v >> from_bits) return false;
    acc = acc << from_bits | v;
    bits += from_bits;
    while (bits >= to_bits) {
      bits -= to_bits;
      out.push_back(static_cast<uint8_t>((acc >> bits) & maxv));
    }
  }
  if (pad) {
    if (bits) out.push_back(static_cast<uint8_t>((acc << (to_bits - bits)) & maxv));
  } else if (bits >= from_bits || ((acc << (to_bits - bits)) & maxv)) {
    return false;
  }
  return true;
}

SegwitProgram segwit_decode(std::string_view address, std::string* hrp_out) {
  Bech32Decoded dec = bech32_decode(address);
  if (hrp_out) *hrp_out = dec.hrp;
  if (dec.data.empty()) throw Bech32Error("no witness version");
  SegwitProgram out;
  out.version = dec.data[0];
  if (out.version > 16) throw Bech32Error("invalid witness version " + std::to_string(out.version));
  if (out.version == 0 && dec.encoding != Bech32Encoding::kBech32) {
    throw Bech32Error("witness version 0 must use bech32, not bech32m");
  }
  if (out.version != 0 && dec.encoding != Bech32Encoding::kBech32m) {
    throw Bech32Error("witness version " + std::to_string(out.version) +
                      " must use bech32m, not bech32");
  }
  if (!convert_bits(out.program, std::span<const uint8_t>(dec.data).subspan(1), 5, 8, false)) {
    throw Bech32Error("invalid padding in witness program");
  }
  if (out.program.size() < 2 || out.program.size() > 40) {
    throw Bech32Error("witness program length " + std::to_string(out.program.size()) +
                      " is outside 2..40 bytes");
  }
  if (out.version == 0 && out.program.size() != 20 && out.program.size() != 32) {
    throw Bech32Error("witness v0 program must be 20 or 32 bytes, got " +
                      std::to_string(out.program.size()));
  }
  return out;
}

std::string segwit_encode(std::string_view hrp, int version, std::span<const uint8_t> program) {
  std::vector<uint8_t> values = {static_cast<uint8_t>(version)};
  convert_bits(values, program, 8, 5, true);
  return bech32_encode(hrp, values,
                       version == 0 ? Bech32Encoding::kBech32 : Bech32Encoding::kBech32m);
}

}  // namespace pool::bitcoin
