// The life of a wallet send after sendmany, as Bitcoin Core's wallet sees it: confirmed, dropped
// from the mempool, abandoned, rebroadcast, or conflicted by another spend of its input.
#include "testnode/wallet.h"

#include "bitcoin/address.h"

namespace pool::testnode {

int64_t Wallet::confirmations(const Chain& chain, const WalletSend& send) const {
  if (const auto height = chain.tx_height(send.txid)) return chain.height() - *height + 1;
  if (send.conflict) {
    if (const auto height = chain.tx_height(*send.conflict)) return -(chain.height() - *height + 1);
  }
  return 0;
}

bool Wallet::dead(const Chain& chain, const WalletSend& send) const {
  return send.abandoned || confirmations(chain, send) < 0;
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
  send.conflict = conflict;
  return conflict;
}

}  // namespace pool::testnode
