// The ledger audit's checks on books and wallet facts built by hand: each way the books can be
// wrong is caught and named (block, account or payment), and balanced books pass.
#include "accounting/ledger_audit.h"

#include <gtest/gtest.h>

#include "accounting/window_tree.h"

namespace pool::accounting {
namespace {

const std::string kBlock = "00000000000000000000000000000000000000000000000000000000000000aa";

// One confirmed block of 100 sat: 60 to A, 30 to B, 10 fee; A has been paid 60 in payment 1: an
// output of 56 and a network fee of 4 taken from it.
struct Books {
  store::LedgerSnapshot books;
  WalletFacts wallet;
  Books() {
    books.blocks.push_back({kBlock, "confirmed", "pplns", 100, 100, 3, 3});
    books.accounts.push_back({"A", 0, 0, true});  // +60 credited, -60 paid
    books.accounts.push_back({"B", 30, 30, true});
    books.accounts.push_back({store::kPoolAccount, 10, 10, true});
    books.payments.push_back({1, "sent", "pool payout x-1", "tx1", 0, {{"A", 60}}, 4});
    wallet.balances.trusted_sats = 40;
    wallet.sends["pool payout x-1"]["tx1"]["A"] = 56;
    wallet.fee_and_confirmations["tx1"] = {4, 1};
  }
  AuditReport audit() const { return audit_ledger(books, wallet, "pool payout x-"); }
};

AuditCheck check(const AuditReport& r, const std::string& name) {
  for (const auto& c : r.checks) {
    if (c.name == name) return c;
  }
  throw std::logic_error("no check " + name);
}

TEST(LedgerAudit, BalancedBooksPass) {
  const auto report = Books().audit();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.obligations_sats, 40);
  EXPECT_EQ(report.assets_sats, 40);
  EXPECT_EQ(report.lines().back(), "ledger audit: the books balance");
}

TEST(LedgerAudit, CreditsThatDoNotAddUpToTheRewardNameTheBlock) {
  Books b;
  b.books.blocks[0].credited_sats = 101;
  const auto report = b.audit();
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(check(report, "blocks").problems.size(), 1u);
  EXPECT_NE(check(report, "blocks").problems[0].find(kBlock), std::string::npos);
}

TEST(LedgerAudit, AnAccountCreditedTwiceForOneBlockIsCaught) {
  Books b;
  b.books.blocks[0].credit_rows = 4;  // four rows for three accounts
  EXPECT_FALSE(check(b.audit(), "blocks").ok());
}

TEST(LedgerAudit, CreditsForPendingOrphanedOrUnknownBlocksAreCaught) {
  for (const std::string status : {"pending", "orphaned", "(no such block)"}) {
    Books b;
    b.books.blocks[0].status = status;
    EXPECT_FALSE(check(b.audit(), "blocks").ok()) << status;
  }
  Books solo;
  solo.books.blocks[0].scheme = "solo";
  EXPECT_FALSE(check(solo.audit(), "blocks").ok());
  Books uncredited;
  uncredited.books.blocks[0] = {kBlock, "pending", "pplns", 100, 0, 0, 0};
  EXPECT_TRUE(check(uncredited.audit(), "blocks").ok());
}

// The block's committed window: A weighs 2, B 1; 10% fee: 10, then 60 and 30, as credited.
Books with_window() {
  Books b;
  WindowTreeBuilder tree(2);
  tree.add({1, "A", 2, "a"});
  tree.add({2, "B", 1, "b"});
  const auto leaves = tree.leaves();
  store::BlockWindow w;
  w.block_hash = kBlock;
  w.root = window_root(leaves).internal_hex();
  w.total_weight = u128_to_decimal(*total_weight(leaves));
  w.fee_ppm = 100000;
  w.reward_sats = 100;
  w.leaf_count = 2;
  b.books.windows.push_back(w);
  b.books.window_leaves[kBlock] = leaf_rows(leaves);
  b.books.window_credits[kBlock] = {{"A", 60}, {"B", 30}, {store::kPoolAccount, 10}};
  return b;
}

std::string problems_of(const AuditReport& r, const std::string& name) {
  std::string out;
  for (const auto& p : check(r, name).problems) out += p + "\n";
  return out;
}

TEST(LedgerAudit, ACommittedWindowThatRecomputesAndMatchesTheCreditsPasses) {
  const auto report = with_window().audit();
  EXPECT_TRUE(report.ok()) << problems_of(report, "windows");
  Books pending = with_window();  // not credited yet: only the window itself is checked
  pending.books.blocks[0] = {kBlock, "pending", "pplns", 100, 0, 0, 0};
  pending.books.window_credits.clear();
  EXPECT_TRUE(check(pending.audit(), "windows").ok());
}

TEST(LedgerAudit, AChangedLeafNamesTheBlockAndTheLeaf) {
  Books b = with_window();
  b.books.window_leaves[kBlock][1].weight = "1";
  const std::string problems = problems_of(b.audit(), "windows");
  EXPECT_NE(problems.find("block " + kBlock + ": committed window leaf 1 (B, b) hashes to"), std::string::npos) << problems;
  EXPECT_NE(problems.find("block " + kBlock + ": committed window root is"), std::string::npos) << problems;
  EXPECT_NE(problems.find("block " + kBlock + ": committed window total weight is"), std::string::npos) << problems;
  EXPECT_NE(problems.find("block " + kBlock + ": A credited 60 sat, its committed window gives 89 sat"), std::string::npos)
      << problems;
}

TEST(LedgerAudit, ADamagedWindowIsCaughtEvenWhenItsLeavesHashRight) {
  Books order = with_window();  // leaves swapped: each hashes right, the tree is not canonical
  std::swap(order.books.window_leaves[kBlock][0], order.books.window_leaves[kBlock][1]);
  order.books.window_leaves[kBlock][0].index = 0;
  order.books.window_leaves[kBlock][1].index = 1;
  EXPECT_NE(problems_of(order.audit(), "windows").find("leaf 1 (A, a) is out of (address, worker) order"),
            std::string::npos);
  Books missing = with_window();
  missing.books.window_leaves[kBlock].pop_back();
  EXPECT_NE(problems_of(missing.audit(), "windows").find("has 1 leaves, 2 recorded"), std::string::npos);
  Books reward = with_window();
  reward.books.windows[0].reward_sats = 99;
  EXPECT_NE(problems_of(reward.audit(), "windows").find("splits 99 sat, the block's reward is 100 sat"), std::string::npos);
  Books malformed = with_window();
  malformed.books.window_leaves[kBlock][0].weight = "-5";
  EXPECT_NE(problems_of(malformed.audit(), "windows").find("leaf 0 (A, a) is malformed"), std::string::npos);
}

TEST(LedgerAudit, CreditsTheCommittedWindowDoesNotGiveNameTheBlockAndAccount) {
  Books moved = with_window();  // every sum still holds
  moved.books.window_credits[kBlock] = {{"A", 59}, {"B", 31}, {store::kPoolAccount, 10}};
  const auto report = moved.audit();
  EXPECT_TRUE(check(report, "blocks").ok());
  const std::string problems = problems_of(report, "windows");
  EXPECT_NE(problems.find("block " + kBlock + ": A credited 59 sat, its committed window gives 60 sat"), std::string::npos)
      << problems;
  EXPECT_NE(problems.find("block " + kBlock + ": B credited 31 sat, its committed window gives 30 sat"), std::string::npos)
      << problems;
  Books extra = with_window();
  extra.books.window_credits[kBlock]["C"] = 1;
  EXPECT_NE(problems_of(extra.audit(), "windows").find("C credited 1 sat, not in its committed window"), std::string::npos);
}

TEST(LedgerAudit, ABalanceThatIsNotTheSumOfItsChangesNamesTheAccount) {
  Books b;
  b.books.accounts[1].balance_sats = 31;
  const auto problems = check(b.audit(), "balances").problems;
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("account B"), std::string::npos);
}

TEST(LedgerAudit, APaymentTheWalletSentTwiceIsCaught) {
  Books b;
  b.wallet.sends["pool payout x-1"]["tx2"]["A"] = 56;
  const auto problems = check(b.audit(), "payments").problems;
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("sent it 2 times"), std::string::npos);
}

TEST(LedgerAudit, ASentPaymentMustBeInTheWalletWithItsTxidAndAmounts) {
  Books missing;
  missing.wallet.sends.clear();
  EXPECT_FALSE(check(missing.audit(), "payments").ok());
  Books other_txid;
  other_txid.books.payments[0].txid = "tx9";
  EXPECT_FALSE(check(other_txid.audit(), "payments").ok());
  Books other_amount;
  other_amount.wallet.sends["pool payout x-1"]["tx1"]["A"] = 55;
  EXPECT_FALSE(check(other_amount.audit(), "payments").ok());
}

std::string payment_problems(const Books& b) {
  std::string out;
  for (const auto& p : check(b.audit(), "payments").problems) out += p + "\n";
  return out;
}

// The fee taken from the outputs is on the books to the satoshi: outputs + fee == the items, and
// the fee is the one recorded; anything else is named.
TEST(LedgerAudit, ARecordedFeeThatIsNotTheWalletsIsNamed) {
  Books b;
  b.books.payments[0].fee_sats = 5;
  const std::string problems = payment_problems(b);
  EXPECT_NE(problems.find("payment 1 (sent): recorded fee 5 sat, the wallet's fee for tx1 is 4 sat"), std::string::npos)
      << problems;
}

TEST(LedgerAudit, OutputsAndFeeThatDoNotAddUpToTheItemsAreNamed) {
  Books short_output;  // the wallet paid a satoshi less than the items less the fee
  short_output.wallet.sends["pool payout x-1"]["tx1"]["A"] = 55;
  EXPECT_NE(payment_problems(short_output).find("payment 1 (sent): outputs 55 sat plus fee 4 sat make 59 sat, the items add up to 60 sat"),
            std::string::npos)
      << payment_problems(short_output);
  Books larger;  // an output above its item
  larger.wallet.sends["pool payout x-1"]["tx1"]["A"] = 61;
  larger.wallet.fee_and_confirmations["tx1"] = {0, 1};
  larger.books.payments[0].fee_sats = 0;
  EXPECT_NE(payment_problems(larger).find("the output to A paid 61 sat, more than its item 60 sat"), std::string::npos)
      << payment_problems(larger);
  Books stranger;  // an output nobody is owed, the fee making up the difference
  stranger.wallet.sends["pool payout x-1"]["tx1"]["A"] = 50;
  stranger.wallet.sends["pool payout x-1"]["tx1"]["Z"] = 6;
  EXPECT_NE(payment_problems(stranger).find("the wallet paid Z 6 sat, which no item records"), std::string::npos)
      << payment_problems(stranger);
}

TEST(LedgerAudit, APaymentSentBeforeFeesWereRecordedHasOutputsEqualToItsItems) {
  Books b;
  b.books.payments[0].fee_sats = std::nullopt;  // the pool's wallet paid the fee then
  b.wallet.sends["pool payout x-1"]["tx1"]["A"] = 60;
  EXPECT_TRUE(check(b.audit(), "payments").ok()) << payment_problems(b);
  b.wallet.sends["pool payout x-1"]["tx1"]["A"] = 56;
  EXPECT_FALSE(check(b.audit(), "payments").ok());
}

TEST(LedgerAudit, AReleasedPaymentTheWalletSentAnywayIsCaught) {
  Books b;
  b.books.payments[0].status = "released";
  b.books.accounts[0] = {"A", 60, 60, true};
  b.wallet.balances.trusted_sats = 100;
  EXPECT_FALSE(check(b.audit(), "payments").ok());
}

TEST(LedgerAudit, AWalletSendWithOurCommentButNoPaymentIsCaught) {
  Books b;
  b.wallet.sends["pool payout x-7"]["tx7"]["C"] = 5;
  b.wallet.sends["someone else's comment"]["tx8"]["D"] = 5;  // not ours: ignored
  const auto problems = check(b.audit(), "payments").problems;
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("pool payout x-7"), std::string::npos);
}

// A payment credited back (`poold --recredit-payment`) is right only while its transaction can
// never pay; one that pays after all, or that the wallet does not know, is named.
TEST(LedgerAudit, AReversedPaymentIsRightOnlyWhileItsTransactionCannotPay) {
  Books b;
  b.books.payments[0].status = "reversed";
  b.books.accounts[0] = {"A", 60, 60, true};  // +60 credited, -60 paid, +60 credited back
  b.wallet.sends.clear();                      // its send is no longer live
  b.wallet.balances.trusted_sats = 100;        // the coins are the wallet's again
  for (const std::string dead : {"conflicted", "abandoned"}) {
    b.wallet.reversed_sends["tx1"] = dead;
    const auto report = b.audit();
    EXPECT_TRUE(report.ok()) << dead << ": " << report.lines()[2];
  }
  // The transaction confirms after all: the miners were paid and credited back.
  b.wallet.reversed_sends["tx1"] = "";
  b.wallet.sends["pool payout x-1"]["tx1"]["A"] = 60;
  const auto live = check(b.audit(), "payments");
  ASSERT_EQ(live.problems.size(), 1u);
  EXPECT_NE(live.problems[0].find("payment 1 (reversed)"), std::string::npos) << live.problems[0];
  EXPECT_NE(live.problems[0].find("tx1 is live"), std::string::npos) << live.problems[0];
  // A wallet that never heard of it proves nothing.
  b.wallet.sends.clear();
  b.wallet.reversed_sends["tx1"] = "(not in the wallet)";
  EXPECT_FALSE(check(b.audit(), "payments").ok());
}

TEST(LedgerAudit, OwingMoreThanTheWalletHoldsIsInsolvent) {
  Books b;
  b.wallet.balances.trusted_sats = 39;
  EXPECT_FALSE(check(b.audit(), "solvency").ok());
  b.wallet.balances.immature_sats = 1;  // an immature reward counts
  EXPECT_TRUE(check(b.audit(), "solvency").ok());
}

TEST(LedgerAudit, TheImmatureRewardOfABlockNotYetCreditedDoesNotHideAShortfall) {
  Books b;
  b.books.blocks[0].height = 500;
  b.books.blocks.push_back({"pendingblock", "pending", "pplns", 5000, 0, 0, 0, 590});
  b.wallet.tip_height = 600;  // the credited block is 101 deep: spendable, no longer immature
  b.wallet.balances.trusted_sats = 39;
  b.wallet.balances.immature_sats = 5000;  // all of it the pending block's coinbase
  const auto report = b.audit();
  EXPECT_FALSE(check(report, "solvency").ok()) << "an uncredited block's reward is not the miners' money yet";
  EXPECT_EQ(report.assets_sats, 39);
  b.wallet.tip_height = 599;  // the credited block is 100 deep: its reward is still immature and counts
  EXPECT_TRUE(check(b.audit(), "solvency").ok());
  EXPECT_EQ(b.audit().assets_sats, 139);
}

TEST(LedgerAudit, APendingPaymentIsOwedUntilTheWalletHasSentIt) {
  Books b;
  b.books.payments.push_back({2, "pending", "pool payout x-2", "", 0, {{"B", 30}}, std::nullopt});
  b.books.accounts[1] = {"B", 0, 0, true};  // reserved
  EXPECT_EQ(b.audit().obligations_sats, 40);
  EXPECT_TRUE(b.audit().ok());
  b.wallet.sends["pool payout x-2"]["tx2"]["B"] = 27;  // sent, reply lost: left the wallet
  b.wallet.balances.trusted_sats = 10;
  EXPECT_EQ(b.audit().obligations_sats, 10);
  EXPECT_TRUE(b.audit().ok());
}

TEST(LedgerAudit, WithoutTheWalletTheAuditIsIncompleteAndNotOk) {
  const Books b;
  const auto report = audit_ledger(b.books, std::nullopt, "pool payout x-");
  EXPECT_FALSE(report.complete);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(check(report, "blocks").ok());
}

}  // namespace
}  // namespace pool::accounting
