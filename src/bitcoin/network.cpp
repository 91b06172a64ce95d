#include "bitcoin/network.h"

#include <array>

namespace pool::bitcoin {
namespace {

constexpr std::array<NetworkParams, 5> kParams = {{
    {Network::kMain, "main", "bc", 0x00, 0x05},
    {Network::kTestnet, "test", "tb", 0x6f, 0xc4},
    {Network::kTestnet4, "testnet4", "tb", 0x6f, 0xc4},
    {Network::kSignet, "signet", "tb", 0x6f, 0xc4},
    {Network::kRegtest, "regtest", "bcrt", 0x6f, 0xc4},
}};

}  // namespace

const NetworkParams& network_params(Network network) {
  return kParams[static_cast<size_t>(network)];
}

std::optional<Network> network_from_chain_name(std::string_view chain) {
  for (const auto& p : kParams) {
    if (p.chain_name == chain) return p.network;
  }
  if (chain == "mainnet") return Network::kMain;
  if (chain == "testnet" || chain == "testnet3") return Network::kTestnet;
  return std::nullopt;
}

std::string_view network_name(Network network) { return network_params(network).chain_name; }

}  // namespace pool::bitcoin
