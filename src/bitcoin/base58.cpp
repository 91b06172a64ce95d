#include "bitcoin/base58.h"

#include <algorithm>

#include "bitcoin/sha256.h"

namespace pool::bitcoin {
namespace {

constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int digit_value(char c) {
  const char* p = std::find(kAlphabet, kAlphabet + 58, c);
  return p == kAlphabet + 58 ? -1 : static_cast<int>(p - kAlphabet);
}

}  // namespace

std::string base58_encode(std::span<const uint8_t> data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  std::vector<uint8_t> digits;  // base58 digits, least significant first
  for (size_t i = zeros; i < data.size(); ++i) {
    int carry = data[i];
    for (auto& d : digits) {
      carry += 256 * d;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

Bytes base58_decode(std::string_view text) {
  size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  std::vector<uint8_t> bytes;  // least significant first
  for (size_t i = ones; i < text.size(); ++i) {
    int carry = digit_value(text[i]);
    if (carry < 0) {
      throw Base58Error("invalid Base58 character '" + std::string(1, text[i]) + "' at position " +
                        std::to_string(i));
    }
    for (auto& b : bytes) {
      carry += 58 * b;
      b = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  Bytes out(ones, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

std::string base58check_encode(std::span<const uint8_t> payload) {
  Bytes data(payload.begin(), payload.end());
  uint8_t hash[32];
  sha256d(payload, hash);
  data.insert(data.end(), hash, hash + 4);
  return base58_encode(data);
}

Bytes base58check_decode(std::string_view text) {
  Bytes data = base58_decode(text);
  if (data.size() < 4) throw Base58Error("Base58Check data too short for a checksum");
  uint8_t hash[32];
  sha256d(std::span<const uint8_t>(data.data(), data.size() - 4), hash);
  if (!std::equal(hash, hash + 4, data.end() - 4)) throw Base58Error("bad Base58Check checksum");
  data.resize(data.size() - 4);
  return data;
}

}  // namespace pool::bitcoin
