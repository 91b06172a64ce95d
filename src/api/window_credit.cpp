#include "api/window_credit.h"

#include <algorithm>

namespace pool::api {

std::optional<Weight> parse_weight(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 39) return std::nullopt;
  const Weight max = ~Weight{0};
  Weight v = 0;
  for (const char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<unsigned>(c - '0');
    if (v > (max - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::string weight_string(Weight w) {
  std::string out;
  do {
    out.push_back(static_cast<char>('0' + static_cast<int>(w % 10)));
    w /= 10;
  } while (w != 0);
  std::reverse(out.begin(), out.end());
  return out;
}

int64_t window_fee_sats(int64_t reward_sats, int64_t fee_ppm) {
  if (reward_sats <= 0) return 0;
  fee_ppm = std::clamp<int64_t>(fee_ppm, 0, 1000000);
  return static_cast<int64_t>(static_cast<Weight>(reward_sats) * static_cast<uint64_t>(fee_ppm) / 1000000);
}

int64_t committed_credit_sats(int64_t reward_sats, int64_t fee_ppm, Weight address_weight, Weight total_weight) {
  if (reward_sats <= 0 || total_weight == 0) return 0;
  const auto distributable = static_cast<uint64_t>(reward_sats - window_fee_sats(reward_sats, fee_ppm));
  // distributable * address_weight as a 192-bit number hi:lo, then long division by total_weight.
  const Weight mask64 = (Weight{1} << 64) - 1;
  const Weight low = (address_weight & mask64) * distributable;
  const Weight high = (address_weight >> 64) * distributable + (low >> 64);
  const Weight lo = (high << 64) | (low & mask64);
  const Weight hi = high >> 64;
  Weight remainder = 0, quotient = 0;
  for (int bit = 191; bit >= 0; --bit) {
    const bool carry = (remainder >> 127) != 0;
    remainder = (remainder << 1) | (bit >= 128 ? (hi >> (bit - 128)) & 1 : (lo >> bit) & 1);
    quotient <<= 1;
    if (carry || remainder >= total_weight) {
      remainder -= total_weight;
      quotient |= 1;
    }
  }
  return static_cast<int64_t>(quotient);
}

}  // namespace pool::api
