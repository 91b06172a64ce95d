#include "testnode/tx_factory.h"

#include "bitcoin/script.h"

namespace pool::testnode {

using bitcoin::Bytes;

bitcoin::Uint256 TxFactory::random_hash() {
  bitcoin::Uint256 h;
  for (size_t i = 0; i < 32; i += 8) {
    const uint64_t v = rng_();
    for (size_t b = 0; b < 8; ++b) h.data()[i + b] = static_cast<uint8_t>(v >> (8 * b));
  }
  return h;
}

Bytes TxFactory::random_bytes(size_t n) {
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng_());
  return out;
}

MadeTransaction TxFactory::make(const bitcoin::Transaction* parent, bool segwit) {
  MadeTransaction made;
  bitcoin::TxIn in;
  in.prevout.hash = parent ? parent->txid() : random_hash();
  in.prevout.index = parent ? 0 : static_cast<uint32_t>(rng_() % 4);
  in.sequence = 0xfffffffd;
  Bytes signature = random_bytes(71);
  signature[0] = 0x30;
  Bytes pubkey = random_bytes(33);
  pubkey[0] = 0x02;
  if (segwit) {
    in.witness = {signature, pubkey};
  } else {
    bitcoin::script_push_data(in.script_sig, signature);
    bitcoin::script_push_data(in.script_sig, pubkey);
  }
  made.tx.inputs.push_back(in);
  const int outputs = 1 + static_cast<int>(rng_() % 3);
  for (int i = 0; i < outputs; ++i) {
    Bytes script = {0x00, 0x14};
    const Bytes program = random_bytes(20);
    script.insert(script.end(), program.begin(), program.end());
    made.tx.outputs.push_back(bitcoin::TxOut{static_cast<int64_t>(10000 + rng_() % 100000000), script});
  }
  made.fee = static_cast<int64_t>(made.tx.weight() / 4 * (1 + rng_() % 20));
  return made;
}

bitcoin::Transaction TxFactory::make_payment(const std::vector<bitcoin::TxOut>& outputs) {
  MadeTransaction made = make(nullptr, true);
  made.tx.outputs = outputs;
  return made.tx;
}

}  // namespace pool::testnode
