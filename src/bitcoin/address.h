#pragma once
// Payout addresses to scriptPubKey and back: Base58Check P2PKH/P2SH, bech32 P2WPKH/P2WSH,
// bech32m P2TR.
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bitcoin/hex.h"
#include "bitcoin/network.h"

namespace pool::bitcoin {

/// Thrown when an address cannot be paid on the given network; the message says why
/// (checksum, wrong network, mixed case, wrong witness version or program length, ...).
class AddressError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class AddressType { kP2PKH, kP2SH, kP2WPKH, kP2WSH, kP2TR, kWitnessUnknown };

struct DecodedAddress {
  AddressType type;
  Bytes script_pubkey;
};

/// Decodes `address` for `network`. Throws AddressError with a message naming the problem.
DecodedAddress decode_address(std::string_view address, Network network);

/// The scriptPubKey for `address` on `network` (shorthand for decode_address(...).script_pubkey).
Bytes address_to_script(std::string_view address, Network network);

/// The one spelling of `address` that names its script, so one script is one account: bech32 and
/// bech32m addresses may be written all upper case (BIP173, for QR codes) and Bitcoin Core
/// reports them in lower case, so they are lowered; base58 addresses are case-sensitive and kept.
/// Throws AddressError like decode_address.
std::string canonical_address(std::string_view address, Network network);

/// Encodes a witness program as an address of `network` (bech32 for v0, bech32m otherwise).
std::string encode_segwit_address(Network network, int version, std::span<const uint8_t> program);
/// Encodes a 20-byte key hash as a P2PKH address of `network`.
std::string encode_p2pkh_address(Network network, std::span<const uint8_t> key_hash);

/// The address of `network` that `script` pays, when it is one of the standard forms P2PKH,
/// P2SH, P2WPKH, P2WSH or P2TR (exactly as address_to_script writes them); nullopt otherwise
/// (OP_RETURN, bare multisig, other witness versions, non-canonical pushes).
std::optional<std::string> script_to_address(std::span<const uint8_t> script, Network network);

std::string_view address_type_name(AddressType type);

}  // namespace pool::bitcoin
