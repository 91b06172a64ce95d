#pragma once
// Test helper for the fault tests of a whole payout run (database restarts, leadership taken
// over): two miners owed money from one credited block, the accounting options that pay on every
// tick, and the check that each miner was paid exactly once in the test node's wallet.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "accounting/accounting_service.h"
#include "testnode/test_node.h"

namespace pool::test {

inline const std::map<std::string, int64_t> kOwedMiners = {
    {"bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d", 123456789},
    {"mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz", 987654321},
};

/// A confirmed 50 BTC block credited to kOwedMiners, the rest to the pool (so the books balance).
inline void seed_owed_miners(store::Store& store) {
  store::BlockRecord b;
  b.hash = "ab";
  b.height = 1;
  b.reward_sats = 5000000000;
  ASSERT_TRUE(store.insert_block(b));
  int64_t owed = 0;
  for (const auto& [address, sats] : kOwedMiners) owed += sats;
  ASSERT_TRUE(store.credit_block("ab", kOwedMiners, b.reward_sats - owed));
}

/// Accounting that pays on every 20 ms tick and retries a failed run after 10 ms.
inline accounting::AccountingOptions paying_every_tick(const std::string& comment_prefix) {
  accounting::AccountingOptions o;
  o.payouts.network = bitcoin::Network::kRegtest;
  o.payouts.min_payout_sats = 1000;
  o.payouts.comment_prefix = comment_prefix;
  o.payment_interval_hours = 0;
  o.payout_retry = std::chrono::milliseconds(10);
  o.tick = std::chrono::milliseconds(20);
  o.audit_interval = std::chrono::hours(1);
  o.retention.retention_days = 0;
  return o;
}

/// How often and how much the wallet paid `address`: {satoshis, outputs}.
inline std::pair<int64_t, int> wallet_paid(testnode::TestNode& node, const std::string& address) {
  std::pair<int64_t, int> paid;
  node.service().with_chain([&](auto&, auto& wallet, auto&) { paid = wallet.paid_to(address); });
  return paid;
}

/// True once every owed miner got at least one wallet output and the books show nothing pending
/// and nothing owed (false, not an exception, while the database is unreachable).
inline bool payouts_settled(store::Store& books, testnode::TestNode& node) {
  try {
    if (!books.payments(std::string("pending"), 10).empty()) return false;
    const auto balances = books.balances();
    for (const auto& [address, sats] : kOwedMiners) {
      if (balances.at(address) != 0 || wallet_paid(node, address).second == 0) return false;
    }
    return true;
  } catch (const store::StoreError&) {
    return false;
  }
}

/// Each owed miner received its amount, less its share of the network fee, in exactly one wallet
/// output; its balance is zero; the outputs and the recorded fees add up to what was owed.
inline void expect_each_miner_paid_once(store::Store& books, testnode::TestNode& node) {
  int64_t fees = 0, outputs = 0, owed = 0;
  for (const auto& p : books.payments(std::string("sent"), 100)) {
    EXPECT_TRUE(p.fee_sats) << "payment " << p.id << " was sent without its fee on the books";
    fees += p.fee_sats.value_or(0);
  }
  for (const auto& [address, sats] : kOwedMiners) {
    const auto paid = wallet_paid(node, address);
    EXPECT_LE(paid.first, sats) << address;
    EXPECT_GT(paid.first, sats - fees) << address;
    EXPECT_EQ(paid.second, 1) << address << " was paid in " << paid.second << " outputs";
    EXPECT_EQ(books.balances().at(address), 0) << address;
    outputs += paid.first;
    owed += sats;
  }
  EXPECT_EQ(outputs + fees, owed) << "the fee came out of the outputs, to the satoshi";
  EXPECT_TRUE(books.payments(std::string("pending"), 10).empty());
}

}  // namespace pool::test
