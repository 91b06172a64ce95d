#pragma once
// Rules for the names miners send in mining.authorize (ADDRESS or ADDRESS.WORKER) and the
// starting-difficulty hint in the password: checked before anything is stored, logged or
// written to the database, so a name is always valid UTF-8, printable and bounded.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pool::stratum {

inline constexpr size_t kMaxAddressBytes = 90;  // bech32's whole-string limit
inline constexpr size_t kMaxWorkerBytes = 64;   // the part after the first '.'

struct Username {
  std::string address;  // before the first '.'
  std::string worker;   // after it (empty when there is none)
};

/// Splits a username and checks it: valid UTF-8, no control characters (C0, DEL, C1), address
/// 1..90 bytes, worker (when a '.' is present) 1..64 bytes. On failure returns nothing and sets
/// `*problem` to a sentence a miner can act on (never containing the raw bytes).
std::optional<Username> parse_username(std::string_view username, std::string* problem);

/// The starting difficulty a password asks for: a comma-separated field "d=NUMBER" (e.g. "x,d=1024")
/// among the first 256 bytes, the number at most 32 characters, finite and above 0.
std::optional<double> password_difficulty(std::string_view password);

}  // namespace pool::stratum
