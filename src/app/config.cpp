#include "app/config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pool::app {

namespace {

using Setter = std::function<void(Config&, const std::string&)>;

struct KeySpec {
  ConfigKey doc;
  Setter set;
};

std::string number_text(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

[[noreturn]] void expected(const std::string& what) { throw std::invalid_argument(what); }

std::string text_value(const std::string& v) { return v; }

uint64_t whole(const std::string& v, uint64_t min, uint64_t max) {
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      v.size() > 18) {
    expected("a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  const uint64_t n = std::stoull(v);
  if (n < min || n > max) expected("a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return n;
}

uint16_t port(const std::string& v) { return static_cast<uint16_t>(whole(v, 1, 65535)); }

double decimal(const std::string& v, double min, double max, const std::string& what = "a decimal number") {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(d) || d < min || d > max) {
    expected(what);
  }
  return d;
}

double positive(const std::string& v) { return decimal(v, 0, 1e300, "a number greater than 0"); }

// "auto" (any case) leaves the value to the network's default.
std::optional<double> positive_or_auto(const std::string& v) {
  std::string lower = v;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower == "auto") return std::nullopt;
  const double d = decimal(v, 0, 1e300, "a number greater than 0, or auto");
  if (!(d > 0)) expected("a number greater than 0, or auto");
  return d;
}

std::string choice(const std::string& v, std::initializer_list<const char*> options) {
  std::string lower = v;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string list;
  for (const char* o : options) {
    if (lower == o) return lower;
    list += std::string(list.empty() ? "" : " or ") + o;
  }
  expected(list);
}

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> s = {
      {{"bitcoin", "host", "host name or IP", "127.0.0.1", "Bitcoin Core RPC host"},
       [](Config& c, const std::string& v) { c.bitcoin.host = text_value(v); }},
      {{"bitcoin", "port", "port", "8332", "Bitcoin Core RPC port (testnet 18332, testnet4 48332, signet 38332, regtest 18443)"},
       [](Config& c, const std::string& v) { c.bitcoin.port = port(v); }},
      {{"bitcoin", "user", "text", "(empty)", "RPC user (rpcuser or an rpcauth user); leave empty to use cookie_file"},
       [](Config& c, const std::string& v) { c.bitcoin.user = v; }},
      {{"bitcoin", "password", "text", "(empty)", "RPC password; never logged"},
       [](Config& c, const std::string& v) { c.bitcoin.password = v; }},
      {{"bitcoin", "cookie_file", "path", "(empty)", "the node's .cookie file, used when user and password are empty"},
       [](Config& c, const std::string& v) { c.bitcoin.cookie_file = v; }},
      {{"bitcoin", "wallet", "text", "(empty: the default wallet)", "wallet that receives PPLNS rewards and pays miners"},
       [](Config& c, const std::string& v) { c.bitcoin.wallet = v; }},
      {{"bitcoin", "zmq_hashblock", "ZMQ endpoint", "(empty: polling only)", "the node's -zmqpubhashblock address, e.g. tcp://127.0.0.1:28332"},
       [](Config& c, const std::string& v) {
         if (!v.empty() && v.rfind("tcp://", 0) != 0 && v.rfind("ipc://", 0) != 0) expected("tcp://HOST:PORT or ipc://PATH");
         c.bitcoin.zmq_hashblock = v;
       }},
      {{"stratum", "host", "IP address", "0.0.0.0", "address miners connect to (:: for IPv6 and IPv4)"},
       [](Config& c, const std::string& v) { c.stratum.host = v; }},
      {{"stratum", "port", "port", "3333", "Stratum v1 port"}, [](Config& c, const std::string& v) { c.stratum.port = port(v); }},
      {{"stratum", "difficulty", "decimal or auto", "auto: main 16384; testnet, testnet4 1; signet, regtest 0.001",
        "starting share difficulty for new connections (auto = by the node's network)"},
       [](Config& c, const std::string& v) { c.stratum.difficulty = positive_or_auto(v); }},
      {{"stratum", "min_difficulty", "decimal or auto", "auto: main, testnet, testnet4 1; signet 0.001; regtest 1e-9",
        "lowest difficulty vardiff may set; below 1 (signet 0.001) poold refuses to start, except on regtest"},
       [](Config& c, const std::string& v) { c.stratum.min_difficulty = positive_or_auto(v); }},
      {{"stratum", "max_difficulty", "decimal", "1e15", "highest difficulty vardiff may set"},
       [](Config& c, const std::string& v) { c.stratum.max_difficulty = positive(v); }},
      {{"stratum", "vardiff_target_seconds", "decimal", "10", "aimed-for seconds between a miner's shares"},
       [](Config& c, const std::string& v) { c.stratum.vardiff_target_seconds = positive(v); }},
      {{"stratum", "max_connections", "whole number", "100000", "connections beyond this are refused with error 503"},
       [](Config& c, const std::string& v) { c.stratum.max_connections = whole(v, 1, 10000000); }},
      {{"stratum", "max_connections_per_ip", "whole number", "256",
        "connections from one IP address (0 = unlimited; raise it for a larger farm behind one NAT address)"},
       [](Config& c, const std::string& v) { c.stratum.max_connections_per_ip = whole(v, 0, 10000000); }},
      {{"stratum", "idle_timeout_seconds", "decimal", "300", "a connection that sends no complete, valid message this long is closed"},
       [](Config& c, const std::string& v) { c.stratum.idle_timeout_seconds = positive(v); }},
      {{"stratum", "handshake_timeout_seconds", "decimal", "30",
        "a connection must finish TLS (on tls_port), mining.subscribe and mining.authorize within this"},
       [](Config& c, const std::string& v) { c.stratum.handshake_timeout_seconds = positive(v); }},
      {{"stratum", "max_unsent_kib", "whole number", "256",
        "unsent replies per connection before the pool stops reading from it (closed if it stays there 30 s)"},
       [](Config& c, const std::string& v) { c.stratum.max_unsent_kib = whole(v, 16, 1048576); }},
      {{"stratum", "extranonce2_size", "whole number", "8", "extranonce2 bytes each miner rolls (4 to 8)"},
       [](Config& c, const std::string& v) { c.stratum.extranonce2_size = whole(v, 4, 8); }},
      {{"stratum", "threads", "whole number", "0 (one per CPU core)", "network threads"},
       [](Config& c, const std::string& v) { c.stratum.threads = whole(v, 0, 256); }},
      {{"stratum", "ban_seconds", "decimal", "600", "back-off for an IP whose miner sent mostly invalid shares (0 = none)"},
       [](Config& c, const std::string& v) { c.stratum.ban_seconds = decimal(v, 0, 1e9, "a number of seconds, 0 or more"); }},
      {{"stratum", "tls_port", "port", "0 (no TLS)", "Stratum over TLS (stratum+ssl) beside the plain port"},
       [](Config& c, const std::string& v) { c.stratum.tls_port = static_cast<uint16_t>(whole(v, 0, 65535)); }},
      {{"stratum", "tls_cert_file", "path", "(empty)", "PEM certificate chain for tls_port"},
       [](Config& c, const std::string& v) { c.stratum.tls_cert_file = v; }},
      {{"stratum", "tls_key_file", "path", "(empty)", "PEM private key for tls_port"},
       [](Config& c, const std::string& v) { c.stratum.tls_key_file = v; }},
      {{"stratum", "reconnect_host", "host name", "(empty)", "at shutdown, miners are told to reconnect here (client.reconnect)"},
       [](Config& c, const std::string& v) { c.stratum.reconnect_host = v; }},
      {{"pool", "payout_scheme", "pplns or solo", "pplns", "pplns: the pool is paid and shares split the reward; solo: the finder's address is paid directly"},
       [](Config& c, const std::string& v) { c.pool.payout_scheme = choice(v, {"pplns", "solo"}); }},
      {{"pool", "address", "Bitcoin address", "(empty: a new address from the node's wallet)", "where PPLNS block rewards are paid"},
       [](Config& c, const std::string& v) { c.pool.address = v; }},
      {{"pool", "coinbase_tag", "text", "/bitcoin-mining-pool/", "operator tag written into every coinbase"},
       [](Config& c, const std::string& v) { c.pool.coinbase_tag = v; }},
      {{"pool", "fee_percentage", "decimal 0-100", "1.0", "pool fee taken from each PPLNS block reward"},
       [](Config& c, const std::string& v) { c.pool.fee_percentage = decimal(v, 0, 100, "a percentage from 0 to 100"); }},
      {{"pool", "min_payout", "BTC amount", "0.001", "balances below this wait for the next payout (at least 0.0001)"},
       [](Config& c, const std::string& v) {
         const auto sats = parse_btc_amount(v);
         if (!sats) expected("a BTC amount such as 0.001 (at most 8 decimals)");
         // Smaller payouts would be dust or eaten by their share of the network fee.
         if (*sats < kMinPayoutFloorSats) {
           expected("at least 0.0001 BTC (10,000 sat): min_payout has a floor, smaller outputs are dust or mostly fee");
         }
         c.pool.min_payout_sats = *sats;
       }},
      {{"pool", "payout_max_outputs", "whole number 1-2000", "250",
        "recipients per payout transaction; more balances are paid in more transactions, one after another"},
       [](Config& c, const std::string& v) { c.pool.payout_max_outputs = static_cast<int>(whole(v, 1, 2000)); }},
      {{"pool", "payment_interval_hours", "decimal", "24", "hours between payout runs (fractions allowed)"},
       [](Config& c, const std::string& v) { c.pool.payment_interval_hours = positive(v); }},
      {{"pool", "payout_confirmations", "whole number", "6",
        "a sent payout is followed until its transaction has this many confirmations (1 to 1000)"},
       [](Config& c, const std::string& v) { c.pool.payout_confirmations = static_cast<int>(whole(v, 1, 1000)); }},
      {{"pool", "pplns_window", "decimal", "2", "PPLNS window as a multiple of the network difficulty"},
       [](Config& c, const std::string& v) { c.pool.pplns_window = positive(v); }},
      {{"pool", "share_retention_days", "decimal", "7",
        "shares older than this are deleted once no block can be paid from them (0 = keep forever)"},
       [](Config& c, const std::string& v) { c.pool.share_retention_days = decimal(v, 0, 1e6, "a number of days, 0 or more"); }},
      {{"pool", "job_refresh_seconds", "decimal", "30", "new transactions are sent to miners this often (at most 60)"},
       [](Config& c, const std::string& v) { c.pool.job_refresh_seconds = decimal(v, 0.1, 60, "seconds from 0.1 to 60"); }},
      {{"database", "db_path", "URL", "sqlite:///mining_pool.db", "sqlite:///FILE or postgresql://USER:PASS@HOST/DB"},
       [](Config& c, const std::string& v) {
         if (v.rfind("sqlite://", 0) != 0 && v.rfind("postgresql://", 0) != 0 && v.rfind("postgres://", 0) != 0) {
           expected("sqlite:///FILE or postgresql://USER:PASSWORD@HOST/DATABASE");
         }
         c.database.db_path = v;
       }},
      {{"database", "spill_dir", "folder", "(empty: the SQLite file's folder, or the working directory)",
        "where found blocks are kept (found-blocks-NAME.spill, fsync'd) until the database has them"},
       [](Config& c, const std::string& v) { c.database.spill_dir = v; }},
      {{"api", "host", "IP address", "127.0.0.1", "HTTP API and dashboard address"},
       [](Config& c, const std::string& v) { c.api.host = v; }},
      {{"api", "port", "port", "8080", "HTTP API and dashboard port"},
       [](Config& c, const std::string& v) { c.api.port = port(v); }},
      {{"log", "level", "trace, debug, info, warn or error", "info", "log verbosity"},
       [](Config& c, const std::string& v) { c.log.level = choice(v, {"trace", "debug", "info", "warn", "error"}); }},
  };
  return s;
}

const std::map<std::string, std::string> kSectionAliases = {{"bitcoin_rpc", "bitcoin"}, {"bitcoind", "bitcoin"}};

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string canonical_section(const std::string& s) {
  auto it = kSectionAliases.find(s);
  return it == kSectionAliases.end() ? s : it->second;
}

std::set<std::string> known_sections() {
  std::set<std::string> out;
  for (const auto& k : specs()) out.insert(k.doc.section);
  return out;
}

std::string where(const IniFile& file, int line) { return file.path + ":" + std::to_string(line); }

// Why a section name is unknown, with the sections its keys belong to.
std::string unknown_section_message(const IniFile& file, const IniSection& section) {
  std::string msg = "unknown section [" + section.as_written + "] at " + where(file, section.line);
  std::map<std::string, std::vector<std::string>> homes;
  for (const auto& e : file.entries) {
    if (e.section != section.name) continue;
    for (const auto& k : specs()) {
      if (e.key == k.doc.key) homes[k.doc.section].push_back(e.key_as_written);
    }
  }
  // Keys such as host and port exist in several sections; prefer the one holding most of them.
  std::string best;
  size_t best_count = 0;
  for (const auto& [home, keys] : homes) {
    if (keys.size() > best_count || (keys.size() == best_count && home == "stratum")) {
      best = home;
      best_count = keys.size();
    }
  }
  if (!best.empty()) {
    auto keys = homes[best];
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::string list;
    for (size_t i = 0; i < keys.size(); ++i) list += (i == 0 ? "" : (i + 1 == keys.size() ? " and " : ", ")) + keys[i];
    msg += " — its key" + std::string(keys.size() > 1 ? "s " : " ") + list + (keys.size() > 1 ? " belong" : " belongs") +
           " in [" + best + "]";
  } else {
    std::string closest;
    size_t d = 99;
    for (const auto& s : known_sections()) {
      if (edit_distance(section.name, s) < d) {
        d = edit_distance(section.name, s);
        closest = s;
      }
    }
    if (d <= 3) msg += " — did you mean [" + closest + "]?";
  }
  std::string all;
  for (const auto& s : known_sections()) all += " [" + s + "]";
  return msg + " (known sections:" + all + ")";
}

std::string unknown_key_message(const IniFile& file, const IniEntry& e, const std::string& section) {
  std::string msg = "unknown key '" + e.key_as_written + "' in [" + e.section_as_written + "] at " + where(file, e.line);
  std::string closest;
  size_t d = 99;
  for (const auto& k : specs()) {
    if (k.doc.section != section) continue;
    const size_t dk = edit_distance(e.key, k.doc.key);
    if (dk < d) {
      d = dk;
      closest = k.doc.key;
    }
  }
  if (d <= 2) return msg + " — did you mean '" + closest + "'?";
  for (const auto& k : specs()) {
    if (e.key == k.doc.key) return msg + " — '" + e.key + "' belongs in [" + k.doc.section + "]";
  }
  std::string keys;
  for (const auto& k : specs()) {
    if (k.doc.section == section) keys += std::string(keys.empty() ? "" : ", ") + k.doc.key;
  }
  return msg + " (keys of [" + section + "]: " + keys + ")";
}

// Checks what does not depend on the network; effective_difficulty checks the rest at start.
void validate(const Config& c) {
  const auto& s = c.stratum;
  if (s.min_difficulty && *s.min_difficulty > s.max_difficulty) {
    throw ConfigError(c.path + ": [stratum] min_difficulty " + number_text(*s.min_difficulty) +
                      " is above max_difficulty " + number_text(s.max_difficulty));
  }
  if (s.difficulty && (*s.difficulty > s.max_difficulty || (s.min_difficulty && *s.difficulty < *s.min_difficulty))) {
    throw ConfigError(c.path + ": [stratum] difficulty must lie between min_difficulty and max_difficulty");
  }
  if (c.stratum.tls_port != 0) {
    if (c.stratum.tls_port == c.stratum.port) {
      throw ConfigError(c.path + ": [stratum] tls_port " + std::to_string(c.stratum.tls_port) + " is the plain port too");
    }
    for (const auto& [key, file] : {std::pair<std::string, std::string>{"tls_cert_file", c.stratum.tls_cert_file},
                                    std::pair<std::string, std::string>{"tls_key_file", c.stratum.tls_key_file}}) {
      if (file.empty()) throw ConfigError(c.path + ": [stratum] tls_port is set, so " + key + " is needed");
      if (!std::ifstream(file)) {
        throw ConfigError(c.path + ": [stratum] " + key + " = '" + file + "' cannot be read: " + std::strerror(errno));
      }
    }
  }
}

}  // namespace

std::optional<int64_t> parse_btc_amount(const std::string& text) {
  const size_t dot = text.find('.');
  const std::string whole_part = text.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  auto digits = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  if ((whole_part.empty() && frac.empty()) || !digits(whole_part) || !digits(frac) || frac.size() > 8 ||
      whole_part.size() > 8) {
    return std::nullopt;
  }
  int64_t sats = whole_part.empty() ? 0 : std::stoll(whole_part) * 100000000;
  if (!frac.empty()) sats += std::stoll(frac + std::string(8 - frac.size(), '0'));
  return sats;
}

DifficultyDefaults difficulty_defaults(bitcoin::Network network) {
  switch (network) {
    // A 100 TH/s miner finds about 1.4 shares a second at 16384 before vardiff adjusts; a 1 TH/s
    // miner one every 70 s, and vardiff quarters that after a minute without shares.
    case bitcoin::Network::kMain: return {16384, 1, 1};
    case bitcoin::Network::kTestnet:
    case bitcoin::Network::kTestnet4: return {1, 1, 1};
    case bitcoin::Network::kSignet: return {0.001, 0.001, 0.001};
    case bitcoin::Network::kRegtest: return {0.001, 1e-9, 0};
  }
  return {16384, 1, 1};
}

EffectiveDifficulty effective_difficulty(const Config& config, bitcoin::Network network) {
  const auto defaults = difficulty_defaults(network);
  const auto& s = config.stratum;
  const std::string net(bitcoin::network_name(network));
  if (s.min_difficulty && *s.min_difficulty < defaults.floor) {
    throw ConfigError(config.path + ": [stratum] min_difficulty = " + number_text(*s.min_difficulty) +
                      " is below " + number_text(defaults.floor) + ", the lowest allowed on " + net +
                      " (shares would cost next to nothing); remove the line to use the default " +
                      number_text(defaults.minimum) + " or set at least " + number_text(defaults.floor));
  }
  EffectiveDifficulty e{s.difficulty.value_or(defaults.start), s.min_difficulty.value_or(defaults.minimum),
                        s.max_difficulty};
  if (e.minimum > e.maximum) {
    throw ConfigError(config.path + ": [stratum] max_difficulty = " + number_text(e.maximum) +
                      " is below min_difficulty " + number_text(e.minimum) + (s.min_difficulty ? "" : " (the default on " + net + ")"));
  }
  if (s.difficulty && (e.start < e.minimum || e.start > e.maximum)) {
    throw ConfigError(config.path + ": [stratum] difficulty = " + number_text(e.start) + " must lie between min_difficulty " +
                      number_text(e.minimum) + " and max_difficulty " + number_text(e.maximum) + " on " + net);
  }
  e.start = std::clamp(e.start, e.minimum, e.maximum);  // a default start within explicit bounds
  return e;
}

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> out;
    for (const auto& s : specs()) out.push_back(s.doc);
    return out;
  }();
  return keys;
}

Config load_config_text(const std::string& text, const std::string& path) {
  const IniFile file = parse_ini(text, path);
  const auto sections = known_sections();
  for (const auto& s : file.sections) {
    if (!sections.count(canonical_section(s.name))) throw ConfigError(unknown_section_message(file, s));
  }
  Config config;
  config.path = path;
  std::map<std::string, int> seen;  // section.key -> line
  for (const auto& e : file.entries) {
    const std::string section = canonical_section(e.section);
    const KeySpec* spec = nullptr;
    for (const auto& k : specs()) {
      if (k.doc.section == section && e.key == k.doc.key) spec = &k;
    }
    if (!spec) throw ConfigError(unknown_key_message(file, e, section));
    const std::string id = section + "." + e.key;
    if (seen.count(id)) {
      throw ConfigError("[" + section + "] " + e.key + " is set twice, at " + where(file, seen[id]) + " and " +
                        where(file, e.line));
    }
    seen[id] = e.line;
    config.values[id] = e.value;
    try {
      spec->set(config, e.value);
    } catch (const std::invalid_argument& why) {
      throw ConfigError(where(file, e.line) + ": [" + e.section_as_written + "] " + e.key_as_written + " = '" + e.value +
                        "' is not valid: expected " + why.what());
    }
  }
  validate(config);
  return config;
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str(), path);
}

}  // namespace pool::app
