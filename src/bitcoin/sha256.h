#pragma once
// SHA-256 and double SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA extensions
// (SHA-NI, ARMv8 SHA2) when present.
//
// We call OpenSSL's SHA256_Init/Update/Final rather than the EVP interface: OpenSSL 3 marks them
// deprecated, but they run the same assembly without EVP's per-call dispatch, which measured
// 35% faster for 80-byte headers (docs/benchmarks.md), and their context is a plain struct, so
// a midstate is copied by value.
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>

#include <cstdint>
#include <span>

#include "bitcoin/uint256.h"

namespace pool::bitcoin {

/// An incremental SHA-256 computation. Copying it copies the midstate, so a fixed prefix (for
/// example the first 64 bytes of a block header) can be hashed once and finished many times.
class Sha256 {
 public:
  Sha256() { SHA256_Init(&ctx_); }
  Sha256& update(std::span<const uint8_t> data) {
    SHA256_Update(&ctx_, data.data(), data.size());
    return *this;
  }
  /// Writes the 32-byte digest. Call reset() before reusing the object.
  void finish(uint8_t out[32]) { SHA256_Final(out, &ctx_); }
  void reset() { SHA256_Init(&ctx_); }

 private:
  SHA256_CTX ctx_;
};

void sha256(std::span<const uint8_t> data, uint8_t out[32]);
/// SHA-256 applied twice, as Bitcoin hashes headers, transactions and merkle nodes.
void sha256d(std::span<const uint8_t> data, uint8_t out[32]);
Uint256 sha256d(std::span<const uint8_t> data);
/// sha256d of the 64-byte concatenation left||right (a merkle node).
Uint256 hash_pair(const Uint256& left, const Uint256& right);

}  // namespace pool::bitcoin
