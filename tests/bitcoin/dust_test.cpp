#include "bitcoin/dust.h"

#include <gtest/gtest.h>

#include "bitcoin/address.h"

namespace pool::bitcoin {
namespace {

int64_t limit_of(const char* address) { return dust_limit(address_to_script(address, Network::kMain)); }

// Bitcoin Core's thresholds at the default 3 sat/vB dust relay fee (the numbers its wallet and
// mempool policy use: 546 for P2PKH, 294 for P2WPKH, ...).
TEST(Dust, LimitsPerOutputTypeMatchBitcoinCore) {
  EXPECT_EQ(limit_of("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"), 546);                                        // P2PKH
  EXPECT_EQ(limit_of("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"), 540);                                        // P2SH
  EXPECT_EQ(limit_of("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), 294);                                // P2WPKH
  EXPECT_EQ(limit_of("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"), 330);            // P2WSH
  EXPECT_EQ(limit_of("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"), 330);            // P2TR
}

TEST(Dust, WitnessProgramShapes) {
  EXPECT_TRUE(is_witness_program(from_hex("0014751e76e8199196d454941c45d1b3a323f1433bd6")));
  EXPECT_FALSE(is_witness_program(from_hex("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac")));
  EXPECT_FALSE(is_witness_program(from_hex("0015751e76e8199196d454941c45d1b3a323f1433bd6")));  // length mismatch
  EXPECT_FALSE(is_witness_program(from_hex("6a0401020304")));                                  // OP_RETURN
}

}  // namespace
}  // namespace pool::bitcoin
