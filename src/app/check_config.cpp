#include "app/check_config.h"

#include <filesystem>

#include "app/pool_app.h"
#include "bitcoin/address.h"
#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::app {

bool report_environment(const Config& config, std::ostream& out) {
  bool ok = true;
  node::RpcOptions rpc_options = rpc_options_for(config.bitcoin);
  rpc_options.max_attempts = 1;
  rpc_options.timeout = std::chrono::milliseconds(5000);
  node::RpcClient rpc(rpc_options);
  node::BitcoinNode node(rpc, config.bitcoin.wallet);
  std::optional<bitcoin::Network> network;
  try {
    const auto info = node.get_blockchain_info();
    network = info.network;
    out << "ok    node " << config.bitcoin.host << ":" << config.bitcoin.port << " answers: chain " << info.chain
        << ", height " << info.blocks << (info.initial_block_download ? " (still syncing)" : "") << "\n";
  } catch (const std::exception& e) {
    out << "FAIL  node " << config.bitcoin.host << ":" << config.bitcoin.port << ": " << e.what() << "\n";
    ok = false;
  }
  if (network && config.pool.payout_scheme == "pplns") {
    try {
      out << "ok    wallet " << (config.bitcoin.wallet.empty() ? "(default)" : config.bitcoin.wallet) << " balance "
          << node::sats_to_btc_string(node.get_balance_sats()) << " BTC\n";
    } catch (const std::exception& e) {
      out << "FAIL  wallet " << (config.bitcoin.wallet.empty() ? "(default)" : config.bitcoin.wallet)
          << " (PPLNS payouts need it): " << e.what() << "\n";
      ok = false;
    }
  }
  if (network) {
    try {
      const auto d = effective_difficulty(config, *network);
      out << "ok    [stratum] share difficulty on " << bitcoin::network_name(*network) << ": starts at " << d.start
          << ", vardiff between " << d.minimum << " and " << d.maximum << "\n";
    } catch (const ConfigError& e) {
      out << "FAIL  " << e.what() << "\n";
      ok = false;
    }
  }
  if (!config.pool.address.empty()) {
    if (!network) {
      out << "skip  [pool] address " << config.pool.address << ": cannot check without the node's chain\n";
    } else {
      try {
        const auto decoded = bitcoin::decode_address(config.pool.address, *network);
        out << "ok    [pool] address " << config.pool.address << " is a " << bitcoin::address_type_name(decoded.type)
            << " address on " << bitcoin::network_name(*network) << "\n";
      } catch (const bitcoin::AddressError& e) {
        out << "FAIL  [pool] address " << config.pool.address << ": " << e.what() << "\n";
        ok = false;
      }
    }
  } else {
    out << "info  [pool] address is empty: a new address from the wallet is used at start-up\n";
  }
  const std::string& url = config.database.db_path;
  if (url.rfind("sqlite:///", 0) == 0 && !std::filesystem::exists(url.substr(10))) {
    out << "info  database " << url.substr(10) << " does not exist yet: poold creates it at start-up\n";
    return ok;
  }
  try {
    const auto store = store::open_store(url);
    out << "ok    database " << store->backend() << " opened and migrated\n";
  } catch (const std::exception& e) {
    out << "FAIL  database: " << e.what() << "\n";
    ok = false;
  }
  return ok;
}

}  // namespace pool::app
