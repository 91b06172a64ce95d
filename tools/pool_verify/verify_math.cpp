#include "tools/pool_verify/verify_math.h"

#include <array>

#include "bitcoin/serialize.h"
#include "bitcoin/sha256.h"

namespace pool::verify {

bitcoin::Bytes leaf_encoding_v1(const Leaf& leaf) {
  static constexpr std::string_view kTag = "PPLNS-leaf-v1";
  bitcoin::ByteWriter w;
  const auto text = [](std::string_view s) { return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  w.bytes(text(kTag));
  w.compact_size(leaf.address.size());
  w.bytes(text(leaf.address));
  w.compact_size(leaf.worker.size());
  w.bytes(text(leaf.worker));
  w.u64le(leaf.first_share_id);
  w.u64le(leaf.last_share_id);
  w.u64le(leaf.shares);
  for (int i = 0; i < 16; ++i) w.u8(static_cast<uint8_t>(leaf.weight >> (8 * i)));
  return w.take();
}

bitcoin::Uint256 leaf_hash_v1(const Leaf& leaf) { return bitcoin::sha256d(leaf_encoding_v1(leaf)); }

bitcoin::Uint256 fold_path(const bitcoin::Uint256& leaf, uint64_t index, const std::vector<bitcoin::Uint256>& path) {
  bitcoin::Uint256 node = leaf;
  for (const auto& sibling : path) {
    std::array<uint8_t, 64> pair{};
    const bool right = (index & 1) != 0;
    std::copy(node.data(), node.data() + 32, pair.begin() + (right ? 32 : 0));
    std::copy(sibling.data(), sibling.data() + 32, pair.begin() + (right ? 0 : 32));
    node = bitcoin::sha256d(pair);
    index >>= 1;
  }
  return node;
}

std::optional<u128> parse_u128(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 39) return std::nullopt;
  u128 v = 0;
  for (const char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    const u128 next = v * 10 + static_cast<u128>(c - '0');
    if (next / 10 != v) return std::nullopt;  // wrapped past 2^128
    v = next;
  }
  return v;
}

std::string to_decimal(u128 v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  return digits;
}

int64_t fee_of(int64_t reward_sats, int64_t fee_ppm) {
  if (reward_sats <= 0 || fee_ppm <= 0) return 0;
  return static_cast<int64_t>(static_cast<u128>(reward_sats) * static_cast<u128>(fee_ppm) / 1000000);
}

std::optional<int64_t> credit_of(int64_t reward_sats, int64_t fee_ppm, u128 address_weight, u128 total_weight) {
  if (total_weight == 0 || address_weight > total_weight) return std::nullopt;
  if (reward_sats <= 0) return 0;
  const auto distributable = static_cast<uint64_t>(reward_sats - fee_of(reward_sats, fee_ppm));
  // The product has up to 192 bits: written as 32-bit limbs (most significant first), then
  // divided limb by limb... by bits, since the divisor itself may need 128 bits.
  std::array<uint32_t, 6> limbs{};
  u128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 part = static_cast<u128>(static_cast<uint32_t>(address_weight >> (32 * i))) * distributable + carry;
    limbs[5 - i] = static_cast<uint32_t>(part);
    carry = part >> 32;
  }
  limbs[1] = static_cast<uint32_t>(carry);
  limbs[0] = static_cast<uint32_t>(carry >> 32);
  u128 rest = 0;
  u128 quotient = 0;
  for (int bit = 0; bit < 192; ++bit) {
    const bool overflow = (rest >> 127) != 0;
    rest = (rest << 1) | ((limbs[bit / 32] >> (31 - bit % 32)) & 1);
    quotient <<= 1;
    if (overflow || rest >= total_weight) {
      rest -= total_weight;
      quotient |= 1;
    }
  }
  return static_cast<int64_t>(quotient);
}

std::vector<int64_t> expected_output_values(int64_t sats, std::optional<int64_t> fee_sats, int64_t recipients) {
  if (!fee_sats || *fee_sats == 0) return {sats};
  if (recipients < 1) recipients = 1;
  const int64_t share = *fee_sats / recipients;
  const int64_t odd = *fee_sats % recipients;
  if (odd == 0) return {sats - share};
  return {sats - share, sats - share - odd};
}

}  // namespace pool::verify
