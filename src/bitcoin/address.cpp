#include "bitcoin/address.h"

#include "bitcoin/base58.h"
#include "bitcoin/bech32.h"
#include "bitcoin/script.h"

namespace pool::bitcoin {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Which networks a bech32 human-readable part belongs to, for error messages.
std::string networks_for_hrp(std::string_view hrp) {
  if (hrp == "bc") return "mainnet";
  if (hrp == "tb") return "testnet/testnet4/signet";
  if (hrp == "bcrt") return "regtest";
  return "";
}

std::string networks_for_prefix(uint8_t prefix) {
  if (prefix == 0x00 || prefix == 0x05) return "mainnet";
  if (prefix == 0x6f || prefix == 0xc4) return "testnet/testnet4/signet/regtest";
  return "";
}

bool looks_like_bech32(std::string_view address) {
  const std::string l = lower(address);
  return l.starts_with("bc1") || l.starts_with("tb1") || l.starts_with("bcrt1");
}

DecodedAddress decode_segwit(std::string_view address, const NetworkParams& net) {
  std::string hrp;
  SegwitProgram prog;
  try {
    prog = segwit_decode(address, &hrp);
  } catch (const Bech32Error& e) {
    throw AddressError(std::string("invalid segwit address: ") + e.what());
  }
  if (hrp != net.bech32_hrp) {
    throw AddressError("address is for " + networks_for_hrp(hrp) + " (prefix '" + hrp +
                       "1'), but the pool runs on " + std::string(net.chain_name) +
                       " (addresses start with '" + std::string(net.bech32_hrp) + "1')");
  }
  DecodedAddress out;
  if (prog.version == 0) {
    out.type = prog.program.size() == 20 ? AddressType::kP2WPKH : AddressType::kP2WSH;
  } else if (prog.version == 1 && prog.program.size() == 32) {
    out.type = AddressType::kP2TR;
  } else {
    out.type = AddressType::kWitnessUnknown;
  }
  out.script_pubkey.push_back(prog.version == 0 ? OP_0 : static_cast<uint8_t>(OP_1 + prog.version - 1));
  script_push_data(out.script_pubkey, prog.program);
  return out;
}

DecodedAddress decode_base58(std::string_view address, const NetworkParams& net) {
  Bytes payload;
  try {
    payload = base58check_decode(address);
  } catch (const Base58Error& e) {
    try {
      const Bech32Decoded other = bech32_decode(address);
      throw AddressError("invalid address: prefix '" + other.hrp + "1' is not a Bitcoin network's");
    } catch (const Bech32Error&) {
    }
    throw AddressError(std::string("invalid address: ") + e.what());
  }
  if (payload.size() != 21) {
    throw AddressError("invalid address: Base58Check payload is " + std::to_string(payload.size()) +
                       " bytes, expected 21");
  }
  const uint8_t prefix = payload[0];
  const std::span<const uint8_t> hash(payload.data() + 1, 20);
  DecodedAddress out;
  if (prefix == net.p2pkh_prefix) {
    out.type = AddressType::kP2PKH;
    out.script_pubkey = {OP_DUP, OP_HASH160, 20};
    out.script_pubkey.insert(out.script_pubkey.end(), hash.begin(), hash.end());
    out.script_pubkey.push_back(OP_EQUALVERIFY);
    out.script_pubkey.push_back(OP_CHECKSIG);
    return out;
  }
  if (prefix == net.p2sh_prefix) {
    out.type = AddressType::kP2SH;
    out.script_pubkey = {OP_HASH160, 20};
    out.script_pubkey.insert(out.script_pubkey.end(), hash.begin(), hash.end());
    out.script_pubkey.push_back(OP_EQUAL);
    return out;
  }
  const std::string other = networks_for_prefix(prefix);
  if (!other.empty()) {
    throw AddressError("address is for " + other + ", but the pool runs on " +
                       std::string(net.chain_name));
  }
  throw AddressError("unknown address version byte " + std::to_string(prefix));
}

}  // namespace

DecodedAddress decode_address(std::string_view address, Network network) {
  if (address.empty()) throw AddressError("empty address");
  const NetworkParams& net = network_params(network);
  if (looks_like_bech32(address)) return decode_segwit(address, net);
  return decode_base58(address, net);
}

Bytes address_to_script(std::string_view address, Network network) {
  return decode_address(address, network).script_pubkey;
}

std::string canonical_address(std::string_view address, Network network) {
  const AddressType type = decode_address(address, network).type;
  if (type == AddressType::kP2PKH || type == AddressType::kP2SH) return std::string(address);
  return lower(address);
}

std::string encode_segwit_address(Network network, int version, std::span<const uint8_t> program) {
  return segwit_encode(network_params(network).bech32_hrp, version, program);
}

std::string encode_p2pkh_address(Network network, std::span<const uint8_t> key_hash) {
  Bytes payload = {network_params(network).p2pkh_prefix};
  payload.insert(payload.end(), key_hash.begin(), key_hash.end());
  return base58check_encode(payload);
}

std::optional<std::string> script_to_address(std::span<const uint8_t> script, Network network) {
  const NetworkParams& net = network_params(network);
  const size_t n = script.size();
  if (n == 25 && script[0] == OP_DUP && script[1] == OP_HASH160 && script[2] == 20 && script[23] == OP_EQUALVERIFY &&
      script[24] == OP_CHECKSIG) {
    return encode_p2pkh_address(network, script.subspan(3, 20));
  }
  if (n == 23 && script[0] == OP_HASH160 && script[1] == 20 && script[22] == OP_EQUAL) {
    Bytes payload = {net.p2sh_prefix};
    payload.insert(payload.end(), script.begin() + 2, script.begin() + 22);
    return base58check_encode(payload);
  }
  if (n == 22 && script[0] == OP_0 && script[1] == 20) return encode_segwit_address(network, 0, script.subspan(2));
  if (n == 34 && script[0] == OP_0 && script[1] == 32) return encode_segwit_address(network, 0, script.subspan(2));
  if (n == 34 && script[0] == OP_1 && script[1] == 32) return encode_segwit_address(network, 1, script.subspan(2));
  return std::nullopt;
}

std::string_view address_type_name(AddressType type) {
  switch (type) {
    case AddressType::kP2PKH: return "p2pkh";
    case AddressType::kP2SH: return "p2sh";
    case AddressType::kP2WPKH: return "p2wpkh";
    case AddressType::kP2WSH: return "p2wsh";
    case AddressType::kP2TR: return "p2tr";
    case AddressType::kWitnessUnknown: return "witness_unknown";
  }
  return "unknown";
}

}  // namespace pool::bitcoin
