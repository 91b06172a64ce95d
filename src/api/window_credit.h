#pragma once
// The committed-window credit as the transparency contract states it (docs/transparency.md):
// fee_sats = floor(reward * fee_ppm / 1e6); distributable = reward - fee_sats;
// credit = floor(distributable * address_weight / total_weight). Pure integer arithmetic on the
// 128-bit weights kept as decimal strings, for the proof endpoint's credited_sats while a block
// is not credited yet. (accounting's committed split must give the same numbers; it may replace
// committed_credit_sats once it exists.)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pool::api {

using Weight = unsigned __int128;

/// A decimal unsigned 128-bit number (1..39 digits, nothing else); nullopt when malformed or too big.
std::optional<Weight> parse_weight(std::string_view decimal);
std::string weight_string(Weight w);

/// floor(reward_sats * fee_ppm / 1e6); fee_ppm is 0..1e6.
int64_t window_fee_sats(int64_t reward_sats, int64_t fee_ppm);

/// floor(distributable * address_weight / total_weight), exact (192-bit product); 0 when
/// total_weight is 0. address_weight <= total_weight.
int64_t committed_credit_sats(int64_t reward_sats, int64_t fee_ppm, Weight address_weight, Weight total_weight);

}  // namespace pool::api
