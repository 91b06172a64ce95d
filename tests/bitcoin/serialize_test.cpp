#include "bitcoin/serialize.h"

#include <gtest/gtest.h>

#include "bitcoin/script.h"
#include "bitcoin/transaction.h"
#include "support/vectors.h"

namespace pool::bitcoin {
namespace {

std::string compact_hex(uint64_t n) {
  ByteWriter w;
  w.compact_size(n);
  return to_hex(w.data());
}

TEST(CompactSize, EncodesEachWidth) {
  EXPECT_EQ(compact_hex(0), "00");
  EXPECT_EQ(compact_hex(252), "fc");
  EXPECT_EQ(compact_hex(253), "fdfd00");
  EXPECT_EQ(compact_hex(0xffff), "fdffff");
  EXPECT_EQ(compact_hex(0x10000), "fe00000100");
  EXPECT_EQ(compact_hex(0x100000000ULL), "ff0000000001000000");
  for (uint64_t n : {0ULL, 252ULL, 253ULL, 0xffffULL, 0x10000ULL}) {
    EXPECT_EQ(compact_size_length(n) * 2, compact_hex(n).size());
  }
}

TEST(CompactSize, DecodesAndRejectsNonCanonical) {
  Bytes ok = from_hex("fd0001");
  ByteReader r(ok);
  EXPECT_EQ(r.compact_size(), 256u);
  Bytes bad = from_hex("fd1000");  // 16 encoded in three bytes
  ByteReader rb(bad);
  EXPECT_THROW(rb.compact_size(), DeserializeError);
}

TEST(ByteReader, TruncationNamesWhatWasRead) {
  Bytes two = {1, 2};
  ByteReader r(two);
  try {
    r.u32le();
    FAIL();
  } catch (const DeserializeError& e) {
    EXPECT_NE(std::string(e.what()).find("uint32"), std::string::npos);
  }
}

TEST(Script, IntegerPushesMatchBitcoinCore) {
  EXPECT_EQ(to_hex(bip34_height_script(0)), "00");
  EXPECT_EQ(to_hex(bip34_height_script(1)), "51");    // OP_1
  EXPECT_EQ(to_hex(bip34_height_script(16)), "60");   // OP_16
  EXPECT_EQ(to_hex(bip34_height_script(17)), "0111");
  EXPECT_EQ(to_hex(bip34_height_script(102)), "0166");  // block-with-4-txs coinbase
  EXPECT_EQ(to_hex(bip34_height_script(127)), "017f");
  EXPECT_EQ(to_hex(bip34_height_script(128)), "028000");
  EXPECT_EQ(to_hex(bip34_height_script(255)), "02ff00");
  EXPECT_EQ(to_hex(bip34_height_script(256)), "020001");
  EXPECT_EQ(to_hex(bip34_height_script(840000)), "0340d10c");
  EXPECT_EQ(to_hex(bip34_height_script(-1)), "4f");
  EXPECT_EQ(to_hex(script_num_bytes(-128)), "8080");
}

TEST(Script, DataPushesUseSmallestOpcode) {
  Bytes s;
  script_push_data(s, Bytes(75, 0xaa));
  EXPECT_EQ(s[0], 75);
  s.clear();
  script_push_data(s, Bytes(76, 0xaa));
  EXPECT_EQ(to_hex(Bytes(s.begin(), s.begin() + 2)), "4c4c");
  s.clear();
  script_push_data(s, Bytes(256, 0xaa));
  EXPECT_EQ(to_hex(Bytes(s.begin(), s.begin() + 3)), "4d0001");
}

// Every template transaction from Bitcoin Core: parse, re-serialize byte for byte, and
// recompute txid (no witness), wtxid ("hash", with witness) and weight.
TEST(Transaction, TemplateTransactionsRoundTripWithIds) {
  auto gbt = test::read_json_vector("regtest/gbt-with-114-txs.json");
  const auto& txs = gbt["transactions"].GetArray();
  ASSERT_EQ(txs.Size(), 114u);
  size_t witness_txs = 0;
  for (const auto& entry : txs) {
    const std::string data = entry["data"].GetString();
    const Transaction tx = Transaction::from_hex(data);
    EXPECT_EQ(to_hex(tx.serialize()), data);
    EXPECT_EQ(tx.txid().hex(), entry["txid"].GetString());
    EXPECT_EQ(tx.wtxid().hex(), entry["hash"].GetString());
    EXPECT_EQ(tx.weight(), entry["weight"].GetUint64());
    if (tx.has_witness()) {
      ++witness_txs;
      EXPECT_NE(tx.txid(), tx.wtxid());
    }
  }
  EXPECT_GT(witness_txs, 0u);
}

TEST(Transaction, RejectsTrailingAndTruncatedData) {
  auto gbt = test::read_json_vector("regtest/gbt-with-4-txs.json");
  const std::string data = gbt["transactions"][0]["data"].GetString();
  EXPECT_THROW(Transaction::from_hex(data + "00"), DeserializeError);
  EXPECT_THROW(Transaction::from_hex(data.substr(0, data.size() - 2)), DeserializeError);
}

}  // namespace
}  // namespace pool::bitcoin
