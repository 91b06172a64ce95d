// Configuration: the original file works unchanged; every mistake gets one helpful message.
#include "app/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace pool::app {
namespace {

const char* kOriginal = R"([BITCOIN]
user = rpcuser
password = rpcpass
host = 127.0.0.1
port = 8332
[STRATUM]
host = 0.0.0.0
port = 3333
difficulty = 1
max_connections = 100
[POOL]
fee_percentage = 1.0
min_payout = 0.001
payment_interval_hours = 24
[database]
db_path = sqlite:///mining_pool.db
)";

std::string error_of(const std::string& text) {
  try {
    load_config_text(text, "config.ini");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, OriginalFileLoadsUnchanged) {
  const Config c = load_config_text(kOriginal, "config.ini");
  EXPECT_EQ(c.bitcoin.user, "rpcuser");
  EXPECT_EQ(c.bitcoin.password, "rpcpass");
  EXPECT_EQ(c.bitcoin.port, 8332);
  EXPECT_EQ(c.stratum.port, 3333);
  EXPECT_EQ(c.stratum.max_connections, 100u);
  EXPECT_DOUBLE_EQ(c.pool.fee_percentage, 1.0);
  EXPECT_EQ(c.pool.min_payout_sats, 100000);
  EXPECT_DOUBLE_EQ(c.pool.payment_interval_hours, 24);
  EXPECT_EQ(c.database.db_path, "sqlite:///mining_pool.db");
  EXPECT_EQ(c.pool.payout_scheme, "pplns");  // documented defaults for the rest
  EXPECT_EQ(c.pool.coinbase_tag, "/bitcoin-mining-pool/");
  EXPECT_EQ(c.api.port, 8080);
}

TEST(Config, SectionsAndKeysAreCaseInsensitiveAndBitcoinRpcIsAnAlias) {
  const Config c = load_config_text("[Bitcoin_RPC]\nUSER = a\n[stratum]\nPort = 4000\nmin_difficulty = 1e-9\n", "c.ini");
  EXPECT_EQ(c.bitcoin.user, "a");
  EXPECT_EQ(c.stratum.port, 4000);
  EXPECT_DOUBLE_EQ(c.stratum.min_difficulty.value(), 1e-9);
}

TEST(Config, ServerSectionSaysWhereItsKeysBelong) {
  const std::string e = error_of("[bitcoin]\nuser = a\n\n\n\n\n[server]\nhost = 0.0.0.0\nport = 3333\n");
  EXPECT_NE(e.find("unknown section [server] at config.ini:7"), std::string::npos) << e;
  EXPECT_NE(e.find("host and port belong in [stratum]"), std::string::npos) << e;
}

TEST(Config, MisspelledKeyGetsSuggestion) {
  const std::string e = error_of("[stratum]\nprot = 3333\n");
  EXPECT_NE(e.find("unknown key 'prot' in [stratum] at config.ini:2"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'port'?"), std::string::npos) << e;
  const std::string moved = error_of("[stratum]\nfee_percentage = 2\n");
  EXPECT_NE(moved.find("belongs in [pool]"), std::string::npos) << moved;
}

TEST(Config, WrongTypesNameFileLineSectionKeyAndExpectation) {
  std::string e = error_of("[stratum]\nport = abc\n");
  EXPECT_NE(e.find("config.ini:2: [stratum] port = 'abc' is not valid: expected a whole number from 1 to 65535"),
            std::string::npos) << e;
  e = error_of("[pool]\nmin_payout = 0.000000001\n");
  EXPECT_NE(e.find("at most 8 decimals"), std::string::npos) << e;
  e = error_of("[pool]\npayout_scheme = prop\n");
  EXPECT_NE(e.find("pplns or solo"), std::string::npos) << e;
  e = error_of("[database]\ndb_path = mysql://x\n");
  EXPECT_NE(e.find("sqlite:///FILE"), std::string::npos) << e;
  e = error_of("[stratum]\nport = 1\nport = 2\n");
  EXPECT_NE(e.find("set twice"), std::string::npos) << e;
  e = error_of("port = 1\n");
  EXPECT_NE(e.find("before any [section]"), std::string::npos) << e;
  e = error_of("[stratum]\njust some words\n");
  EXPECT_NE(e.find("config.ini:2: expected 'key = value'"), std::string::npos) << e;
}

// Smaller payouts would be dust or mostly network fee: min_payout has a floor of 0.0001 BTC.
TEST(Config, MinPayoutHasAFloorNamedInTheError) {
  const std::string e = error_of("[pool]\nmin_payout = 0.00009999\n");
  EXPECT_NE(e.find("[pool] min_payout = '0.00009999' is not valid"), std::string::npos) << e;
  EXPECT_NE(e.find("at least 0.0001 BTC (10,000 sat)"), std::string::npos) << e;
  EXPECT_EQ(load_config_text("[pool]\nmin_payout = 0.0001\n", "config.ini").pool.min_payout_sats, 10000);
}

TEST(Config, PayoutMaxOutputsDefaultsTo250AndStaysInRange) {
  EXPECT_EQ(load_config_text("", "config.ini").pool.payout_max_outputs, 250);
  EXPECT_EQ(load_config_text("[pool]\npayout_max_outputs = 2000\n", "config.ini").pool.payout_max_outputs, 2000);
  EXPECT_NE(error_of("[pool]\npayout_max_outputs = 0\n").find("from 1 to 2000"), std::string::npos);
  EXPECT_NE(error_of("[pool]\npayout_max_outputs = 2001\n").find("from 1 to 2000"), std::string::npos);
}

TEST(Config, BtcAmountsAreExact) {
  EXPECT_EQ(parse_btc_amount("0.001"), 100000);
  EXPECT_EQ(parse_btc_amount("21000000"), 2100000000000000);
  EXPECT_EQ(parse_btc_amount("0.00000001"), 1);
  EXPECT_EQ(parse_btc_amount(".5"), 50000000);
  EXPECT_EQ(parse_btc_amount("1e-3"), std::nullopt);
  EXPECT_EQ(parse_btc_amount("-1"), std::nullopt);
}

TEST(Config, CommentsQuotesAndDefaultsDocumented) {
  const Config c = load_config_text("# comment\n; another\n[pool]\ncoinbase_tag = \"/my pool/\"  # inline\n", "c.ini");
  EXPECT_EQ(c.pool.coinbase_tag, "/my pool/");
  for (const auto& k : config_keys()) {
    EXPECT_NE(std::string(k.default_text), "") << k.section << "." << k.key;
    EXPECT_NE(std::string(k.description), "") << k.section << "." << k.key;
  }
}

// examples/config.ini documents every key the program knows, and loads.
TEST(Config, ExampleFileIsCompleteAndValid) {
  const std::string path = std::string(POOL_SOURCE_DIR) + "/examples/config.ini";
  const Config c = load_config(path);
  EXPECT_EQ(c.stratum.port, 3333);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  for (const auto& k : config_keys()) {
    const std::string section = "[" + std::string(k.section) + "]";
    const size_t at = text.find(section);
    ASSERT_NE(at, std::string::npos) << section;
    const size_t next = text.find("\n[", at + 1);
    const std::string body = text.substr(at, next == std::string::npos ? std::string::npos : next - at);
    EXPECT_NE(body.find("\n" + std::string(k.key) + " ="), std::string::npos) << section << " " << k.key;
  }
}

// Both operator guides list every key (the table comes from `poold --list-keys`).
TEST(Config, OperatorGuidesDocumentEveryKey) {
  for (const char* guide : {"/docs/operator-guide.md", "/docs/operator-guide.ja.md"}) {
    std::ifstream in(std::string(POOL_SOURCE_DIR) + guide);
    ASSERT_TRUE(in) << guide;
    std::stringstream ss;
    ss << in.rdbuf();
    for (const auto& k : config_keys()) {
      const std::string row = "| `[" + std::string(k.section) + "]` | `" + k.key + "` |";
      EXPECT_NE(ss.str().find(row), std::string::npos) << guide << " lacks " << row;
    }
  }
}

// Share difficulty defaults follow the node's network; only regtest may go below 1 (signet 0.001).
TEST(Config, DifficultyDefaultsDependOnTheNetwork) {
  using bitcoin::Network;
  const Config c = load_config_text("[stratum]\nport = 3333\n", "config.ini");
  EXPECT_FALSE(c.stratum.difficulty);
  EXPECT_FALSE(c.stratum.min_difficulty);
  const auto main = effective_difficulty(c, Network::kMain);
  EXPECT_DOUBLE_EQ(main.minimum, 1);
  EXPECT_DOUBLE_EQ(main.start, 16384);
  EXPECT_DOUBLE_EQ(main.maximum, 1e15);
  for (const Network n : {Network::kTestnet, Network::kTestnet4}) {
    EXPECT_DOUBLE_EQ(effective_difficulty(c, n).minimum, 1);
    EXPECT_DOUBLE_EQ(effective_difficulty(c, n).start, 1);
  }
  EXPECT_DOUBLE_EQ(effective_difficulty(c, Network::kSignet).minimum, 0.001);
  EXPECT_DOUBLE_EQ(effective_difficulty(c, Network::kRegtest).minimum, 1e-9);
  EXPECT_DOUBLE_EQ(effective_difficulty(c, Network::kRegtest).start, 0.001);
  // "auto" is the same as leaving the key out; the original file's difficulty = 1 is kept.
  const Config a = load_config_text("[stratum]\ndifficulty = AUTO\nmin_difficulty = auto\n", "config.ini");
  EXPECT_DOUBLE_EQ(effective_difficulty(a, Network::kMain).start, 16384);
  EXPECT_DOUBLE_EQ(effective_difficulty(load_config_text(kOriginal, "config.ini"), Network::kMain).start, 1);
  // A default start above an explicit maximum is brought down to it.
  const Config capped = load_config_text("[stratum]\nmax_difficulty = 1000\n", "config.ini");
  EXPECT_DOUBLE_EQ(effective_difficulty(capped, Network::kMain).start, 1000);
  // --list-keys (and so the operator guides) says what the defaults are per network.
  for (const auto& k : config_keys()) {
    if (std::string(k.section) != "stratum") continue;
    const std::string key = k.key, text = k.default_text;
    if (key == "min_difficulty") {
      EXPECT_NE(text.find("main, testnet, testnet4 1"), std::string::npos) << text;
      EXPECT_NE(text.find("regtest 1e-9"), std::string::npos) << text;
    }
    if (key == "difficulty") {
      EXPECT_NE(text.find("main 16384"), std::string::npos) << text;
    }
  }
}

TEST(Config, MinDifficultyBelowTheNetworksFloorIsRefused) {
  using bitcoin::Network;
  const Config c = load_config_text("[stratum]\nmin_difficulty = 1e-9\ndifficulty = 1e-9\n", "pool.ini");
  for (const Network n : {Network::kMain, Network::kTestnet, Network::kTestnet4, Network::kSignet}) {
    try {
      effective_difficulty(c, n);
      ADD_FAILURE() << bitcoin::network_name(n) << " accepted min_difficulty = 1e-9";
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("pool.ini: [stratum] min_difficulty = 1e-09 is below"), std::string::npos) << what;
      EXPECT_NE(what.find("the lowest allowed on " + std::string(bitcoin::network_name(n))), std::string::npos) << what;
    }
  }
  const auto regtest = effective_difficulty(c, Network::kRegtest);
  EXPECT_DOUBLE_EQ(regtest.minimum, 1e-9);
  EXPECT_DOUBLE_EQ(regtest.start, 1e-9);
  // Exactly the floor is fine; an explicit start below the (default) minimum is named.
  EXPECT_DOUBLE_EQ(effective_difficulty(load_config_text("[stratum]\nmin_difficulty = 1\n", "p.ini"), Network::kMain).minimum, 1);
  try {
    effective_difficulty(load_config_text("[stratum]\ndifficulty = 0.001\n", "p.ini"), Network::kMain);
    ADD_FAILURE() << "difficulty below the default minimum accepted on main";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("[stratum] difficulty = 0.001 must lie between min_difficulty 1"),
              std::string::npos) << e.what();
  }
  EXPECT_NE(error_of("[stratum]\nmin_difficulty = 0\n").find("greater than 0, or auto"), std::string::npos);
}

TEST(Config, PerIpLimitHasANonZeroDefault) {
  EXPECT_EQ(load_config_text("[stratum]\nport = 3333\n", "config.ini").stratum.max_connections_per_ip, 256u);
}

TEST(Config, TlsPortNeedsReadableCertificateAndKey) {
  const std::string readable = std::string(POOL_SOURCE_DIR) + "/examples/config.ini";  // any readable file
  EXPECT_EQ(error_of("[stratum]\ntls_port = 0\n"), "");
  auto e = error_of("[stratum]\ntls_port = 3334\ntls_key_file = " + readable + "\n");
  EXPECT_NE(e.find("[stratum] tls_port is set, so tls_cert_file is needed"), std::string::npos) << e;
  e = error_of("[stratum]\ntls_port = 3334\ntls_cert_file = " + readable + "\ntls_key_file = /nonexistent/key.pem\n");
  EXPECT_NE(e.find("[stratum] tls_key_file = '/nonexistent/key.pem' cannot be read"), std::string::npos) << e;
  const Config c = load_config_text(
      "[stratum]\ntls_port = 3334\ntls_cert_file = " + readable + "\ntls_key_file = " + readable + "\n", "config.ini");
  EXPECT_EQ(c.stratum.tls_port, 3334);
}

TEST(Config, MissingFileIsNamed) {
  try {
    load_config("/nonexistent/pool.ini");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/pool.ini: cannot open"), std::string::npos);
  }
}

}  // namespace
}  // namespace pool::app
