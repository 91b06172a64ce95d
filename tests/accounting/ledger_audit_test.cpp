// The ledger audit's checks on books and wallet facts built by hand: each way the books can be
// wrong is caught and named (block, account or payment), and balanced books pass.
#include "accounting/ledger_audit.h"

#include <gtest/gtest.h>

namespace pool::accounting {
namespace {

const std::string kBlock = "00000000000000000000000000000000000000000000000000000000000000aa";

// One confirmed block of 100 sat: 60 to A, 30 to B, 10 fee; A has been paid 60 in payment 1.
struct Books {
  store::LedgerSnapshot books;
  WalletFacts wallet;
  Books() {
    books.blocks.push_back({kBlock, "confirmed", "pplns", 100, 100, 3, 3});
    books.accounts.push_back({"A", 0, 0, true});  // +60 credited, -60 paid
    books.accounts.push_back({"B", 30, 30, true});
    books.accounts.push_back({store::kPoolAccount, 10, 10, true});
    books.payments.push_back({1, "sent", "pool payout x-1", "tx1", 0, {{"A", 60}}});
    wallet.balances.trusted_sats = 40;
    wallet.sends["pool payout x-1"]["tx1"]["A"] = 60;
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

TEST(LedgerAudit, ABalanceThatIsNotTheSumOfItsChangesNamesTheAccount) {
  Books b;
  b.books.accounts[1].balance_sats = 31;
  const auto problems = check(b.audit(), "balances").problems;
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("account B"), std::string::npos);
}

TEST(LedgerAudit, APaymentTheWalletSentTwiceIsCaught) {
  Books b;
  b.wallet.sends["pool payout x-1"]["tx2"]["A"] = 60;
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
  other_amount.wallet.sends["pool payout x-1"]["tx1"]["A"] = 59;
  EXPECT_FALSE(check(other_amount.audit(), "payments").ok());
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

TEST(LedgerAudit, APendingPaymentIsOwedUntilTheWalletHasSentIt) {
  Books b;
  b.books.payments.push_back({2, "pending", "pool payout x-2", "", 0, {{"B", 30}}});
  b.books.accounts[1] = {"B", 0, 0, true};  // reserved
  EXPECT_EQ(b.audit().obligations_sats, 40);
  EXPECT_TRUE(b.audit().ok());
  b.wallet.sends["pool payout x-2"]["tx2"]["B"] = 30;  // sent, reply lost: left the wallet
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
