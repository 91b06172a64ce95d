#include "bitcoin/script.h"

namespace pool::bitcoin {

void script_push_data(Bytes& script, std::span<const uint8_t> data) {
  const size_t n = data.size();
  if (n < OP_PUSHDATA1) {
    script.push_back(static_cast<uint8_t>(n));
  } else if (n <= 0xff) {
    script.push_back(OP_PUSHDATA1);
    script.push_back(static_cast<uint8_t>(n));
  } else if (n <= 0xffff) {
    script.push_back(OP_PUSHDATA2);
    script.push_back(static_cast<uint8_t>(n));
    script.push_back(static_cast<uint8_t>(n >> 8));
  } else {
    script.push_back(0x4e);  // OP_PUSHDATA4
    for (int i = 0; i < 4; ++i) script.push_back(static_cast<uint8_t>(n >> (8 * i)));
  }
  script.insert(script.end(), data.begin(), data.end());
}

Bytes script_num_bytes(int64_t n) {
  Bytes out;
  if (n == 0) return out;
  const bool negative = n < 0;
  uint64_t abs = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  while (abs != 0) {
    out.push_back(static_cast<uint8_t>(abs & 0xff));
    abs >>= 8;
  }
  if (out.back() & 0x80) {
    out.push_back(negative ? 0x80 : 0x00);
  } else if (negative) {
    out.back() |= 0x80;
  }
  return out;
}

void script_push_int(Bytes& script, int64_t n) {
  if (n == 0) {
    script.push_back(OP_0);
  } else if (n == -1) {
    script.push_back(OP_1NEGATE);
  } else if (n >= 1 && n <= 16) {
    script.push_back(static_cast<uint8_t>(OP_1 + n - 1));
  } else {
    script_push_data(script, script_num_bytes(n));
  }
}

Bytes bip34_height_script(int64_t height) {
  Bytes out;
  script_push_int(out, height);
  return out;
}

}  // namespace pool::bitcoin
