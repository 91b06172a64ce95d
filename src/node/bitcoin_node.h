#pragma once
// Typed calls to Bitcoin Core's RPC interface: chain state, templates, block submission and the
// wallet calls used for payouts.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bitcoin/network.h"
#include "node/block_template.h"
#include "node/rpc_client.h"

namespace pool::node {

struct ChainInfo {
  std::string chain;  // "main", "test", "testnet4", "signet", "regtest"
  std::optional<bitcoin::Network> network;
  int64_t blocks = 0;
  bitcoin::Uint256 best_block_hash;
  double difficulty = 0;
  bool initial_block_download = false;
};

struct BlockHeaderInfo {
  bitcoin::Uint256 hash;
  int64_t height = 0;
  int64_t confirmations = 0;  // -1 when the block is not in the best chain
  uint32_t time = 0;
};

struct AddressInfo {
  bool valid = false;
  std::string script_pubkey_hex;
  std::string error;
};

struct WalletTransaction {
  std::string txid;
  int64_t confirmations = 0;
  int64_t fee_sats = 0;  // negative as the wallet reports it for sends
  std::string comment;
  bool abandoned = false;        // abandontransaction: it will never pay; its inputs are free again
  std::string replaced_by_txid;  // a fee bump took its place
};

/// Bitcoin Core's answer to sendmany on a locked wallet.
inline constexpr int kRpcWalletUnlockNeeded = -13;

/// One output of a wallet send, as listtransactions reports it (for the ledger audit).
struct WalletSendOutput {
  std::string txid;
  std::string comment;
  std::string address;
  int64_t vout = 0;
  int64_t sats = 0;        // positive: what the output paid
  int64_t fee_sats = 0;    // positive: the whole transaction's fee
  int64_t confirmations = 0;  // -1 or less: conflicted with a transaction in the best chain
};

/// getbalances' "mine" part, in satoshis.
struct WalletBalances {
  int64_t trusted_sats = 0;
  int64_t untrusted_pending_sats = 0;
  int64_t immature_sats = 0;  // coinbase outputs under 100 confirmations
};

/// Converts BTC amounts from JSON (8 decimals) to satoshis without floating-point drift.
int64_t btc_to_sats(double btc);
/// Formats satoshis as a BTC decimal string with 8 places ("0.00100000").
std::string sats_to_btc_string(int64_t sats);

/// Owns nothing but an RpcClient reference; each method is one RPC call.
class BitcoinNode {
 public:
  BitcoinNode(RpcClient& rpc, std::string wallet = {}) : rpc_(rpc), wallet_(std::move(wallet)) {}

  ChainInfo get_blockchain_info();
  /// getblocktemplate {"rules":["segwit"]}.
  BlockTemplate get_block_template();
  /// submitblock: nullopt when accepted, otherwise Core's answer ("duplicate", "inconclusive",
  /// or a reject reason such as "bad-txnmrklroot").
  std::optional<std::string> submit_block(const std::string& block_hex);
  int64_t get_block_count();
  /// getblockhash; nullopt when the height is beyond the tip.
  std::optional<bitcoin::Uint256> get_block_hash(int64_t height);
  bitcoin::Uint256 get_best_block_hash();
  BlockHeaderInfo get_block_header(const bitcoin::Uint256& hash);
  AddressInfo validate_address(const std::string& address);

  // Wallet calls (on the configured wallet).
  int64_t get_balance_sats();
  /// sendmany with amounts in satoshis; `comment` is stored by the wallet so a payout can be
  /// found again after a crash. The network fee comes out of the amounts: subtractfeefrom names
  /// every recipient, so Core shares the fee equally among them (the first output pays the
  /// remainder) and the wallet spends exactly the amounts' sum. Returns the txid. Goes on the
  /// wire at most once: throws RpcOutcomeUnknown when it was sent and no answer came (the caller
  /// reconciles by comment).
  std::string send_many(const std::map<std::string, int64_t>& amounts, const std::string& comment);
  /// Asks the wallet whether it would make send_many's transaction, without making it
  /// (walletcreatefundedpsbt with the same outputs and subtractFeeFromOutputs, nothing locked):
  /// throws RpcError with Core's refusal (insufficient funds, an output too small after its fee
  /// share, a duplicated address, fee estimation failing …), else returns the fee it would pay.
  /// Lets a payout refuse before anything is written, so a refusal retried costs no rows.
  int64_t check_send_many(const std::map<std::string, int64_t>& amounts);
  /// getwalletinfo's unlocked_until: nullopt for an unencrypted wallet, 0 while an encrypted one
  /// is locked (sendmany would fail with -13), else the time it locks again.
  std::optional<int64_t> wallet_unlocked_until();
  std::optional<WalletTransaction> get_transaction(const std::string& txid);
  /// getmempoolentry: whether the node's mempool holds the transaction (false on error -5).
  bool in_mempool(const std::string& txid);
  /// Wallet sends whose comment equals `comment` (to reconcile an interrupted payout). Pages back
  /// through listtransactions until it reaches transactions older than `since_unix` (0 = the
  /// whole wallet), so a busy wallet cannot hide a payout beyond one page.
  std::vector<WalletTransaction> find_sends_by_comment(const std::string& comment, int64_t since_unix = 0,
                                                       int page_size = 1000);

  /// What makes the configured wallet this wallet: its name and a fingerprint of its public
  /// descriptors (listdescriptors), or of its HD seed id for a legacy wallet. Instances that share
  /// a database must pay from the same wallet.
  std::string wallet_identity();
  /// getbalances (trusted, untrusted pending and immature), for the ledger audit.
  WalletBalances get_balances();
  /// Every send output in the wallet that carries a comment, paging through listtransactions.
  std::vector<WalletSendOutput> list_commented_sends(int page_size = 1000);

  RpcClient& rpc() { return rpc_; }

 private:
  std::string wallet_path() const;
  RpcClient& rpc_;
  std::string wallet_;
};

}  // namespace pool::node
