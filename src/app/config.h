#pragma once
// poold's configuration: every key with its type, default and meaning, loaded from an INI file
// with errors that name the file, line, section and key and suggest the likely intended one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/ini_file.h"

namespace pool::app {

struct BitcoinConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8332;
  std::string user;
  std::string password;
  std::string cookie_file;
  std::string wallet;
  std::string zmq_hashblock;  // e.g. tcp://127.0.0.1:28332
};

struct StratumConfig {
  std::string host = "0.0.0.0";
  uint16_t port = 3333;
  double difficulty = 1;
  double min_difficulty = 1e-9;
  double max_difficulty = 1e15;
  double vardiff_target_seconds = 10;
  uint64_t max_connections = 100000;
  uint64_t max_connections_per_ip = 0;
  double idle_timeout_seconds = 300;
  uint64_t extranonce2_size = 8;
  uint64_t threads = 0;  // 0 = one per CPU core
  double ban_seconds = 600;
  std::string reconnect_host;
};

struct PoolConfig {
  std::string payout_scheme = "pplns";
  std::string address;  // empty = a new address from the node's wallet
  std::string coinbase_tag = "/bitcoin-mining-pool/";
  double fee_percentage = 1.0;
  int64_t min_payout_sats = 100000;  // 0.001 BTC
  double payment_interval_hours = 24;
  double pplns_window = 2;
  double share_retention_days = 7;
  double job_refresh_seconds = 30;
};

struct DatabaseConfig {
  std::string db_path = "sqlite:///mining_pool.db";
  std::string spill_dir;  // empty: the SQLite file's folder, or the working directory for PostgreSQL
};

struct ApiConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
};

struct LogConfig {
  std::string level = "info";
};

/// The whole configuration; defaults are the documented ones.
struct Config {
  std::string path;
  std::map<std::string, std::string> values;  // "section.key" -> the value as written (what reload compares)
  BitcoinConfig bitcoin;
  StratumConfig stratum;
  PoolConfig pool;
  DatabaseConfig database;
  ApiConfig api;
  LogConfig log;
};

/// One documented key (used for parsing, for error hints and for the operator guide).
struct ConfigKey {
  const char* section;
  const char* key;
  const char* type;  // human words: "text", "port", "decimal", ...
  const char* default_text;
  const char* description;
};
const std::vector<ConfigKey>& config_keys();

/// Loads and validates a configuration file. Throws ConfigError with one message naming the
/// file, line, section and key, what was expected, and a hint where one fits.
Config load_config(const std::string& path);
Config load_config_text(const std::string& text, const std::string& path);

/// Parses a BTC amount ("0.001", "1", "0.00000001") into satoshis exactly; nullopt if malformed.
std::optional<int64_t> parse_btc_amount(const std::string& text);

}  // namespace pool::app
