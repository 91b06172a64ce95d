#pragma once
// poold's configuration: every key with its type, default and meaning, loaded from an INI file
// with errors that name the file, line, section and key and suggest the likely intended one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/ini_file.h"
#include "bitcoin/network.h"

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
  std::optional<double> difficulty;      // unset: the network's default (difficulty_defaults)
  std::optional<double> min_difficulty;  // unset: the network's default
  double max_difficulty = 1e15;
  double vardiff_target_seconds = 10;
  uint64_t max_connections = 100000;
  uint64_t max_connections_per_ip = 256;
  double idle_timeout_seconds = 300;
  double handshake_timeout_seconds = 30;
  uint64_t max_unsent_kib = 256;
  uint16_t tls_port = 0;  // 0 = no TLS listener
  std::string tls_cert_file;
  std::string tls_key_file;
  uint64_t extranonce2_size = 8;
  uint64_t threads = 0;  // 0 = one per CPU core
  double ban_seconds = 600;
  std::string reconnect_host;
};

/// The smallest min_payout the config accepts: 0.0001 BTC.
inline constexpr int64_t kMinPayoutFloorSats = 10000;

struct PoolConfig {
  std::string payout_scheme = "pplns";
  std::string address;  // empty = a new address from the node's wallet
  std::string coinbase_tag = "/bitcoin-mining-pool/";
  double fee_percentage = 1.0;
  int64_t min_payout_sats = 100000;  // 0.001 BTC; at least kMinPayoutFloorSats
  int payout_max_outputs = 250;      // recipients per payout transaction
  double payment_interval_hours = 24;
  int payout_confirmations = 6;  // a sent payout is final at this depth
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

/// Share difficulty per network. `floor` is the lowest [stratum] min_difficulty poold accepts:
/// the difficulty of the easiest block the chain can ever have (its proof-of-work limit), so a
/// share never costs less than the easiest possible block: 1 on main, testnet and testnet4,
/// 0.001 on signet (its limit is about 0.0011), none on regtest (1e-9 works there).
struct DifficultyDefaults {
  double start;    // [stratum] difficulty when unset
  double minimum;  // [stratum] min_difficulty when unset
  double floor;    // lowest min_difficulty allowed (0 = any positive value)
};
DifficultyDefaults difficulty_defaults(bitcoin::Network network);

/// The share difficulty bounds used on `network`, known once the node said which chain it runs.
struct EffectiveDifficulty {
  double start;
  double minimum;
  double maximum;
};
/// Fills unset keys from difficulty_defaults. Throws ConfigError naming the file and key when
/// min_difficulty is below the network's floor, or when difficulty does not lie between
/// min_difficulty and max_difficulty.
EffectiveDifficulty effective_difficulty(const Config& config, bitcoin::Network network);

/// Parses a BTC amount ("0.001", "1", "0.00000001") into satoshis exactly; nullopt if malformed.
std::optional<int64_t> parse_btc_amount(const std::string& text);

}  // namespace pool::app
