#pragma once
// Test helper: the ledger audit every money-path test ends with (credits = rewards, balances =
// their changes, each sent payment in the wallet once, obligations <= wallet), failing the test
// with the audit's own lines. Needs pool_accounting.
#include <gtest/gtest.h>

#include <string>

#include "accounting/ledger_audit.h"

namespace pool::test {

/// Runs the audit on `store` against `wallet`; a failure names every problem the audit found.
inline void expect_ledger_balances(store::Store& store, node::BitcoinNode& wallet, const std::string& comment_prefix) {
  const auto report = accounting::run_ledger_audit(store, wallet, comment_prefix);
  std::string lines;
  for (const auto& line : report.lines()) lines += "  " + line + "\n";
  EXPECT_TRUE(report.ok()) << "ledger audit failed:\n" << lines;
}

}  // namespace pool::test
