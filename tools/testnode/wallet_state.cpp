// The life of a wallet send after sendmany, as Bitcoin Core's wallet sees it: confirmed, dropped
// from the mempool, abandoned, rebroadcast, conflicted by another spend of its input, or replaced
// by a fee bump.
#include "testnode/wallet.h"

#include <algorithm>

#include "bitcoin/address.h"

namespace pool::testnode {

int64_t Wallet::confirmations(const Chain& chain, const WalletSend& send) const {
  if (const auto height = chain.tx_height(send.txid)) return chain.height() - *height + 1;
  int64_t deepest = 0;
  for (const auto& c : send.conflicts) {
    if (const auto height = chain.tx_height(c)) deepest = std::max(deepest, chain.height() - *height + 1);
  }
  return -deepest;
}

bool Wallet::dead(const Chain& chain, const WalletSend& send) const {
  // A replaced send's coins are spent by its replacement (counted there), as long as that lives.
  const WalletSend* replacement = send.replaced_by ? find_send(*send.replaced_by) : nullptr;
  return send.abandoned || confirmations(chain, send) < 0 || (replacement && !dead(chain, *replacement));
}

WalletSend& Wallet::send_for(const bitcoin::Uint256& txid) {
  for (auto& s : sends_) {
    if (s.txid == txid) return s;
  }
  throw WalletError{-5, "Invalid or non-wallet transaction id"};
}

void Wallet::abandon(Chain& chain, const bitcoin::Uint256& txid) {
  WalletSend& send = send_for(txid);
  if (confirmations(chain, send) != 0 || chain.in_mempool(txid)) {
    throw WalletError{-5, "Transaction not eligible for abandonment"};
  }
  send.abandoned = true;
}

void Wallet::evict(Chain& chain, const bitcoin::Uint256& txid) {
  send_for(txid);
  if (!chain.remove_from_mempool(txid)) throw WalletError{-5, "Transaction not in mempool"};
}

void Wallet::rebroadcast(Chain& chain, const bitcoin::Uint256& txid) {
  WalletSend& send = send_for(txid);
  if (confirmations(chain, send) != 0) throw WalletError{-25, "Transaction already in block chain or conflicted"};
  send.abandoned = false;
  if (!chain.in_mempool(txid)) chain.add_to_mempool(send.tx, send.fee);
}

bitcoin::Uint256 Wallet::make_conflict(Chain& chain, const bitcoin::Uint256& txid) {
  WalletSend& send = send_for(txid);
  if (confirmations(chain, send) != 0) throw WalletError{-25, "Transaction already in block chain or conflicted"};
  // The same input, its value back to a wallet address: a double spend that wins.
  bitcoin::Transaction other = send.tx;
  int64_t total = 0;
  for (const auto& out : other.outputs) total += out.value;
  const std::string address = new_address();
  other.outputs = {bitcoin::TxOut{total, bitcoin::address_to_script(address, network_)}};
  chain.remove_from_mempool(txid);
  const bitcoin::Uint256 conflict = other.txid();
  chain.add_to_mempool(std::move(other), send.fee);
  send.conflicts.push_back(conflict);
  return conflict;
}

bitcoin::Uint256 Wallet::bump_fee(Chain& chain, const bitcoin::Uint256& txid) {
  WalletSend& send = send_for(txid);
  if (send.replaced_by) {
    throw WalletError{-4, "Cannot bump transaction " + txid.hex() + " which was already bumped by transaction " +
                              send.replaced_by->hex()};
  }
  if (confirmations(chain, send) != 0) throw WalletError{-4, "Transaction has been mined, or is conflicted with a mined transaction"};
  if (send.abandoned) throw WalletError{-4, "Transaction has been abandoned"};
  if (balance(chain) < kBumpFee) throw WalletError{-4, "Insufficient funds"};
  WalletSend bumped = send;  // same comment, same outputs: the change pays the extra fee
  bumped.tx.lock_time = send.tx.lock_time + 1;  // (stands in for the smaller change output)
  bumped.txid = bumped.tx.txid();
  bumped.fee = send.fee + kBumpFee;
  bumped.time = chain.now();
  bumped.conflicts = {txid};
  bumped.replaces = txid;
  bumped.replaced_by.reset();
  chain.remove_from_mempool(txid);
  chain.add_to_mempool(bumped.tx, bumped.fee);
  send.conflicts.push_back(bumped.txid);
  send.replaced_by = bumped.txid;
  const bitcoin::Uint256 out = bumped.txid;
  sends_.push_back(std::move(bumped));  // (invalidates `send`)
  return out;
}

}  // namespace pool::testnode
