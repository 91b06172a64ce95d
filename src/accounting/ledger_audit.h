#pragma once
// The ledger audit: the pool's books checked against themselves and against the wallet, so the
// pool can prove it credited every block once, to the satoshi, paid every payout once, and owes
// no more than it holds. Pure checks over a store snapshot and wallet facts; `run_ledger_audit`
// gathers both. Used by `poold --audit`, by the leader every few minutes and after each money
// step, and by every money-path test.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::accounting {

/// What the wallet says, gathered once per audit.
struct WalletFacts {
  node::WalletBalances balances;
  /// comment -> txid -> address -> satoshis paid (outputs of sends that carry a comment).
  std::map<std::string, std::map<std::string, std::map<std::string, int64_t>>> sends;
  /// txid -> fee and confirmations.
  std::map<std::string, std::pair<int64_t, int64_t>> fee_and_confirmations;
  /// The node's best height when the wallet was read (-1: unknown). Tells which credited
  /// blocks' rewards are still among the wallet's immature funds.
  int64_t tip_height = -1;
  /// The transaction of each reversed payment: txid -> why it will never pay ("conflicted",
  /// "abandoned", "replaced"), "" while it may still pay, "(not in the wallet)" when unknown.
  std::map<std::string, std::string> reversed_sends;
};

/// One named check and what it found wrong (empty when it passed).
struct AuditCheck {
  std::string name;  // blocks | balances | windows | payments | solvency
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

/// The whole audit. `complete` is false when the wallet could not be asked (then the wallet
/// checks say so and `ok` is false).
struct AuditReport {
  bool complete = true;
  std::vector<AuditCheck> checks;
  int64_t obligations_sats = 0;  // balances plus payments the wallet has not sent yet
  /// The wallet's trusted and pending funds, plus its immature funds only as far as they are
  /// rewards of blocks already credited (the reward of a block not yet credited is not owed yet,
  /// so it must not hide a shortfall).
  int64_t assets_sats = 0;
  bool ok() const;
  /// Human-readable lines: one per check, then one per problem.
  std::vector<std::string> lines() const;
};

/// The checks. `comment_prefix` identifies this pool's payout comments in the wallet.
AuditReport audit_ledger(const store::LedgerSnapshot& books, const std::optional<WalletFacts>& wallet,
                         const std::string& comment_prefix);

/// Reads the wallet's balances and commented sends.
WalletFacts read_wallet_facts(node::BitcoinNode& wallet);
/// Asks the wallet about each reversed payment's transaction (WalletFacts::reversed_sends).
void read_reversed_sends(const store::LedgerSnapshot& books, node::BitcoinNode& wallet, WalletFacts& facts);

/// Snapshot + wallet + checks. A wallet that cannot be reached gives an incomplete report.
AuditReport run_ledger_audit(store::Store& store, node::BitcoinNode& wallet, const std::string& comment_prefix);

}  // namespace pool::accounting
