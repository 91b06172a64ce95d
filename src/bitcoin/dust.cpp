#include "bitcoin/dust.h"

namespace pool::bitcoin {

bool is_witness_program(const Bytes& s) {
  if (s.size() < 4 || s.size() > 42) return false;
  if (s[0] != 0x00 && (s[0] < 0x51 || s[0] > 0x60)) return false;  // OP_0, OP_1..OP_16
  return static_cast<size_t>(s[1]) + 2 == s.size();
}

int64_t dust_limit(const Bytes& script_pubkey) {
  // The output: 8-byte value, CompactSize length (one byte below 253), the script.
  const int64_t script_len = static_cast<int64_t>(script_pubkey.size());
  int64_t size = 8 + (script_len < 253 ? 1 : 3) + script_len;
  // The input spending it: outpoint 32+4, sequence 4, script length 1, and a 107-byte
  // signature+pubkey, counted at a quarter when it is witness data.
  size += is_witness_program(script_pubkey) ? 32 + 4 + 1 + 107 / 4 + 4 : 32 + 4 + 1 + 107 + 4;
  return size * kDustRelayFeePerKvb / 1000;
}

}  // namespace pool::bitcoin
