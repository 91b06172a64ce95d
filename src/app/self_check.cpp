#include "app/self_check.h"

#include "bitcoin/block.h"
#include "bitcoin/target.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace pool::app {

bool cpu_has_sha_extensions() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ebx & (1u << 29)) != 0;
#else
  return false;
#endif
}

SelfCheckResult run_self_check() {
  using namespace pool::bitcoin;
  SelfCheckResult result;
  auto check = [&](bool ok, const std::string& what) {
    result.ok = result.ok && ok;
    result.lines.push_back(std::string(ok ? "ok    " : "FAIL  ") + what);
  };

  BlockHeader genesis;
  genesis.version = 1;
  genesis.merkle_root = Uint256::from_hex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  genesis.time = 1231006505;
  genesis.bits = 0x1d00ffff;
  genesis.nonce = 2083236893;
  const std::string hash = genesis.hash().hex();
  check(hash == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
        "sha256d of the genesis header = " + hash);
  const auto target = target_from_bits(genesis.bits);
  check(target && hash_meets_target(genesis.hash(), *target), "genesis hash meets its bits 1d00ffff");
  check(target_from_difficulty(1.0) == difficulty_one_target(), "pool difficulty 1 = 0x00000000ffff0000...");
  result.lines.push_back(std::string("info  CPU SHA extensions: ") +
                         (cpu_has_sha_extensions() ? "yes (OpenSSL uses SHA-NI)" : "no (OpenSSL uses SIMD/scalar code)"));
  return result;
}

}  // namespace pool::app
