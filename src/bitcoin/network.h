#pragma once
// The Bitcoin networks the pool can run on and their address parameters.
#include <optional>
#include <string>
#include <string_view>

namespace pool::bitcoin {

enum class Network { kMain, kTestnet, kTestnet4, kSignet, kRegtest };

/// Address encoding parameters of one network.
struct NetworkParams {
  Network network;
  std::string_view chain_name;  // as getblockchaininfo's "chain" reports it
  std::string_view bech32_hrp;
  unsigned char p2pkh_prefix;
  unsigned char p2sh_prefix;
};

const NetworkParams& network_params(Network network);
/// Maps getblockchaininfo's "chain" ("main", "test", "testnet4", "signet", "regtest").
std::optional<Network> network_from_chain_name(std::string_view chain);
std::string_view network_name(Network network);

}  // namespace pool::bitcoin
