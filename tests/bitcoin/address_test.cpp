#include "bitcoin/address.h"

#include <gtest/gtest.h>

#include "bitcoin/bech32.h"
#include "support/vectors.h"

namespace pool::bitcoin {
namespace {

std::string error_of(std::string_view address, Network net) {
  try {
    decode_address(address, net);
  } catch (const AddressError& e) {
    return e.what();
  }
  return "";
}

struct ValidCase {
  const char* address;
  Network network;
  const char* script;
};

// BIP350's valid segwit address vectors (which include the corrected BIP173 ones) and
// well-known Base58 addresses.
TEST(Address, PublishedValidVectors) {
  const ValidCase cases[] = {
      {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", Network::kMain, "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
      {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", Network::kTestnet,
       "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
      {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", Network::kMain,
       "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
      {"BC1SW50QGDZ25J", Network::kMain, "6002751e"},
      {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", Network::kMain, "5210751e76e8199196d454941c45d1b3a323"},
      {"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", Network::kTestnet4,
       "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
      {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", Network::kSignet,
       "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", Network::kMain,
       "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
      {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Network::kMain, "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"},
      {"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", Network::kMain, "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_hex(address_to_script(c.address, c.network)), c.script) << c.address;
  }
  EXPECT_EQ(decode_address("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", Network::kMain).type,
            AddressType::kP2TR);
}

// Every address in a block mined by Bitcoin Core v30 on regtest maps to the script Core printed.
TEST(Address, RegtestAddressesFromBitcoinCore) {
  auto block = test::read_json_vector("regtest/block-with-4-txs.verbose.json");
  size_t checked = 0;
  for (const auto& tx : block["tx"].GetArray()) {
    for (const auto& out : tx["vout"].GetArray()) {
      const auto& spk = out["scriptPubKey"];
      if (!spk.HasMember("address")) continue;
      EXPECT_EQ(to_hex(address_to_script(spk["address"].GetString(), Network::kRegtest)), spk["hex"].GetString());
      ++checked;
    }
  }
  EXPECT_GE(checked, 9u);
}

// BIP350's invalid address vectors, each with the reason our message must give.
TEST(Address, PublishedInvalidVectorsNameTheProblem) {
  struct Case {
    const char* address;
    Network network;
    const char* reason;
  };
  const Case cases[] = {
      {"tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", Network::kTestnet, "invalid"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", Network::kMain, "must use bech32m"},
      {"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", Network::kTestnet, "must use bech32m"},
      {"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", Network::kMain, "must use bech32m"},
      {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", Network::kMain, "must use bech32, not bech32m"},
      {"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", Network::kTestnet, "must use bech32, not bech32m"},
      {"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", Network::kMain, "invalid bech32 character"},
      {"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", Network::kMain, "invalid witness version"},
      {"bc1pw5dgrnzv", Network::kMain, "program length 1"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", Network::kMain, "program length 41"},
      {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", Network::kMain, "v0 program must be 20 or 32 bytes"},
      {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", Network::kTestnet, "mixed upper and lower case"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", Network::kMain, "padding"},
      {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", Network::kTestnet, "padding"},
      {"bc1gmk9yu", Network::kMain, "no witness version"},
  };
  for (const auto& c : cases) {
    const std::string error = error_of(c.address, c.network);
    EXPECT_NE(error.find(c.reason), std::string::npos) << c.address << " -> '" << error << "'";
  }
}

TEST(Address, WrongNetworkSaysWhichNetworks) {
  std::string e = error_of("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Network::kRegtest);
  EXPECT_NE(e.find("mainnet"), std::string::npos) << e;
  EXPECT_NE(e.find("regtest"), std::string::npos) << e;
  e = error_of("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Network::kTestnet);
  EXPECT_NE(e.find("address is for mainnet"), std::string::npos) << e;
  e = error_of("mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz", Network::kMain);
  EXPECT_NE(e.find("testnet"), std::string::npos) << e;
  // Testnet-style base58 addresses are valid on regtest, as in Bitcoin Core.
  EXPECT_EQ(error_of("mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz", Network::kRegtest), "");
}

TEST(Address, Base58ChecksumAndCharacterErrors) {
  EXPECT_NE(error_of("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", Network::kMain).find("checksum"), std::string::npos);
  EXPECT_NE(error_of("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", Network::kMain).find("invalid Base58 character '0'"),
            std::string::npos);
  EXPECT_NE(error_of("", Network::kMain).find("empty"), std::string::npos);
}

TEST(Address, EncodersRoundTrip) {
  const Bytes program(20, 0x42);
  const std::string segwit = encode_segwit_address(Network::kRegtest, 0, program);
  EXPECT_TRUE(segwit.starts_with("bcrt1q"));
  EXPECT_EQ(address_to_script(segwit, Network::kRegtest), from_hex("0014" + to_hex(program)));
  const std::string legacy = encode_p2pkh_address(Network::kRegtest, program);
  EXPECT_EQ(address_to_script(legacy, Network::kRegtest), from_hex("76a914" + to_hex(program) + "88ac"));
  const std::string taproot = encode_segwit_address(Network::kMain, 1, Bytes(32, 7));
  EXPECT_TRUE(taproot.starts_with("bc1p"));
  EXPECT_EQ(decode_address(taproot, Network::kMain).type, AddressType::kP2TR);
}

// script_to_address gives back the published address for each standard kind (bech32 in lower
// case, as encoders write it), and nothing for scripts that are not one.
TEST(Address, ScriptToAddressRoundTripsPublishedVectors) {
  const ValidCase cases[] = {
      {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Network::kMain, "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
      {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", Network::kTestnet,
       "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
      {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", Network::kSignet,
       "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", Network::kMain,
       "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
      {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Network::kMain, "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"},
      {"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", Network::kMain, "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"},
  };
  for (const auto& c : cases) {
    const Bytes script = from_hex(c.script);
    EXPECT_EQ(script_to_address(script, c.network), std::optional<std::string>(c.address)) << c.script;
    EXPECT_EQ(address_to_script(*script_to_address(script, c.network), c.network), script) << c.address;
  }
  // Regtest: every address Core printed in a real block comes back from its script.
  auto block = test::read_json_vector("regtest/block-with-4-txs.verbose.json");
  size_t checked = 0;
  for (const auto& tx : block["tx"].GetArray()) {
    for (const auto& out : tx["vout"].GetArray()) {
      const auto& spk = out["scriptPubKey"];
      const auto address = script_to_address(from_hex(spk["hex"].GetString()), Network::kRegtest);
      if (!spk.HasMember("address")) {
        EXPECT_FALSE(address) << spk["hex"].GetString();
        continue;
      }
      EXPECT_EQ(address, std::optional<std::string>(spk["address"].GetString()));
      ++checked;
    }
  }
  EXPECT_GE(checked, 9u);
  // P2SH and P2PKH follow the network's version bytes.
  const Bytes p2sh = from_hex("a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87");
  EXPECT_EQ(address_to_script(*script_to_address(p2sh, Network::kRegtest), Network::kRegtest), p2sh);
  EXPECT_TRUE(script_to_address(p2sh, Network::kRegtest)->starts_with("2"));
  // Not standard payout forms: OP_RETURN, other witness versions, a truncated P2PKH, empty.
  for (const char* hex : {"6a24aa21a9ed" "0000000000000000000000000000000000000000000000000000000000000000",
                          "5210751e76e8199196d454941c45d1b3a323", "6002751e",
                          "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888", "", "0014751e76e8"}) {
    EXPECT_FALSE(script_to_address(from_hex(hex), Network::kMain)) << hex;
  }
}

TEST(Bech32, PublishedChecksumVectors) {
  for (const char* s : {"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
    EXPECT_EQ(bech32_decode(s).encoding, Bech32Encoding::kBech32) << s;
  }
  for (const char* s : {"A1LQFN3A", "a1lqfn3a", "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
                        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v", "?1v759aa"}) {
    EXPECT_EQ(bech32_decode(s).encoding, Bech32Encoding::kBech32m) << s;
  }
  for (const char* s : {"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee"}) {
    EXPECT_THROW(bech32_decode(s), Bech32Error) << s;
  }
}

}  // namespace
}  // namespace pool::bitcoin
