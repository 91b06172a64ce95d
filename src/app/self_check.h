#pragma once
// Start-up self-check: proves the hashing and target code on known vectors before mining.
#include <string>
#include <vector>

namespace pool::app {

struct SelfCheckResult {
  bool ok = true;
  std::vector<std::string> lines;  // one human-readable line per check
};

/// Hashes the genesis header, checks the regtest target and reports CPU SHA support.
SelfCheckResult run_self_check();

/// True when the CPU advertises the x86 SHA extensions (SHA-NI) that OpenSSL uses.
bool cpu_has_sha_extensions();

}  // namespace pool::app
