#pragma once
// The test node's wallet ledger: addresses it owns, a balance from matured coinbase outputs, and
// the record of every sendmany, so payouts can be checked and reconciled like with Core's wallet.
// A send can be dropped from the mempool, rebroadcast, abandoned, or conflicted by a spend of its
// input that pays the wallet back (wallet_state.cpp); an abandoned or conflicted send pays nobody
// and its coins count in the balance again, as in Core.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bitcoin/network.h"
#include "testnode/chain.h"
#include "testnode/tx_factory.h"

namespace pool::testnode {

struct WalletSend {
  bitcoin::Uint256 txid;
  std::vector<std::pair<std::string, int64_t>> outputs;  // address, satoshis
  int64_t fee = 0;
  std::string comment;
  uint32_t time = 0;
  bitcoin::Transaction tx;  // as broadcast, for a rebroadcast or a conflicting spend
  bool abandoned = false;   // abandontransaction: its inputs are spendable again
  std::optional<bitcoin::Uint256> conflict;  // a transaction spending the same input
};

/// Thrown by send_many with Bitcoin Core's RPC error code and message.
struct WalletError {
  int code;
  std::string message;
};

/// Owns the wallet's keys (as scripts) and its send history.
class Wallet {
 public:
  explicit Wallet(bitcoin::Network network) : network_(network) {}

  std::string new_address();
  bool owns(const bitcoin::Bytes& script) const;
  /// Coinbase outputs to our scripts with at least 101 confirmations, less sends and fees.
  int64_t balance(const Chain& chain) const;
  /// Coinbase outputs to our scripts on the active chain with 100 confirmations or fewer.
  int64_t immature(const Chain& chain) const;
  /// Creates a payment transaction in the mempool. Throws WalletError on an invalid address (-5),
  /// a non-positive amount (-3), insufficient funds (-6), an output left at dust once the fee is
  /// taken from it (-6, Core's messages), or a locked wallet (-13). The fee is taken as Core's
  /// subtractfeefrom does: divided equally among the outputs to `subtract_fee_from`, the
  /// remainder from the first of them; the others (and a send without any) leave it to the wallet.
  /// What send_many would make (outputs after their fee shares, the fee), checked as it checks
  /// them, without the lock check or the forced error: walletcreatefundedpsbt's dry run.
  struct PlannedSend {
    std::vector<bitcoin::TxOut> outputs;
    int64_t fee = 0;
  };
  PlannedSend plan_send(const Chain& chain, const std::map<std::string, int64_t>& amounts,
                        const std::set<std::string>& subtract_fee_from) const;
  bitcoin::Uint256 send_many(Chain& chain, TxFactory& factory, const std::map<std::string, int64_t>& amounts,
                             const std::string& comment, const std::set<std::string>& subtract_fee_from = {});
  const std::vector<WalletSend>& sends() const { return sends_; }
  const WalletSend* find_send(const bitcoin::Uint256& txid) const;
  /// As Core's gettransaction: the depth of its block; 0 while unconfirmed; minus the depth of
  /// the conflicting transaction's block when that one is in the active chain.
  int64_t confirmations(const Chain& chain, const WalletSend& send) const;
  /// Abandoned, or conflicted by a transaction in the active chain: it pays nobody, and its
  /// coins count in the balance again.
  bool dead(const Chain& chain, const WalletSend& send) const;

  // State changes of a send (wallet_state.cpp); each throws WalletError as Core would.
  /// abandontransaction: only for a send neither confirmed nor in the mempool (-5 otherwise).
  void abandon(Chain& chain, const bitcoin::Uint256& txid);
  /// The node dropped it from its mempool (expiry, size limit): still in the wallet, 0 confirmations.
  void evict(Chain& chain, const bitcoin::Uint256& txid);
  /// The wallet broadcasts it again (back into the mempool; no longer abandoned).
  void rebroadcast(Chain& chain, const bitcoin::Uint256& txid);
  /// A transaction spending the same input back to the wallet replaces it in the mempool; the
  /// caller mines it. Returns its txid. Only for an unconfirmed send.
  bitcoin::Uint256 make_conflict(Chain& chain, const bitcoin::Uint256& txid);
  /// Total satoshis the wallet sent to `address`, and in how many outputs.
  std::pair<int64_t, int> paid_to(const std::string& address) const;

  static constexpr int64_t kFeePerOutput = 3100;  // fixed fee model: 10000 + this per output

  // Encryption as Core's: encryptwallet leaves it locked; walletpassphrase unlocks it until a time.
  bool encrypted() const { return !passphrase_.empty(); }
  /// getwalletinfo's unlocked_until: nullopt for an unencrypted wallet, 0 when locked.
  std::optional<int64_t> unlocked_until(uint32_t now) const;
  void encrypt(const std::string& passphrase);
  /// Throws WalletError -15 (not encrypted) or -14 (wrong passphrase).
  void unlock(const std::string& passphrase, uint32_t until);
  void lock();
  /// Test control: every sendmany fails with `error` until cleared (nullopt).
  void fail_sends_with(std::optional<WalletError> error) { forced_error_ = std::move(error); }

 private:
  bitcoin::Network network_;
  std::vector<bitcoin::Bytes> scripts_;
  WalletSend& send_for(const bitcoin::Uint256& txid);
  std::vector<WalletSend> sends_;
  uint64_t counter_ = 0;
  std::string passphrase_;
  uint32_t unlocked_until_ = 0;
  std::optional<WalletError> forced_error_;
};

}  // namespace pool::testnode
