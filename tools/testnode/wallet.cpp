#include "testnode/wallet.h"

#include <algorithm>

#include "bitcoin/address.h"
#include "bitcoin/dust.h"
#include "bitcoin/sha256.h"

namespace pool::testnode {

using bitcoin::Bytes;

std::string Wallet::new_address() {
  ++counter_;
  uint8_t seed[8];
  for (int i = 0; i < 8; ++i) seed[i] = static_cast<uint8_t>(counter_ >> (8 * i));
  const auto digest = bitcoin::sha256d(seed);
  const Bytes program(digest.data(), digest.data() + 20);
  Bytes script = {0x00, 0x14};
  script.insert(script.end(), program.begin(), program.end());
  scripts_.push_back(script);
  return bitcoin::encode_segwit_address(network_, 0, program);
}

bool Wallet::owns(const Bytes& script) const {
  return std::find(scripts_.begin(), scripts_.end(), script) != scripts_.end();
}

int64_t Wallet::balance(const Chain& chain) const {
  int64_t total = 0;
  for (int64_t h = 1; h <= chain.height() - 100; ++h) {
    const StoredBlock* b = chain.find(*chain.hash_at(h));
    for (const auto& out : b->block.transactions[0].outputs) {
      if (owns(out.script_pubkey)) total += out.value;
    }
  }
  for (const auto& s : sends_) {
    if (dead(chain, s)) continue;  // its coins are the wallet's again
    total -= s.fee;
    for (const auto& [address, sats] : s.outputs) total -= sats;
  }
  return total;
}

int64_t Wallet::immature(const Chain& chain) const {
  int64_t total = 0;
  for (int64_t h = std::max<int64_t>(1, chain.height() - 99); h <= chain.height(); ++h) {
    const StoredBlock* b = chain.find(*chain.hash_at(h));
    for (const auto& out : b->block.transactions[0].outputs) {
      if (owns(out.script_pubkey)) total += out.value;
    }
  }
  return total;
}

Wallet::PlannedSend Wallet::plan_send(const Chain& chain, const std::map<std::string, int64_t>& amounts,
                                      const std::set<std::string>& subtract_fee_from) const {
  if (amounts.empty()) throw WalletError{-8, "Transaction must have at least one recipient"};
  PlannedSend plan;
  std::vector<bool> subtract;
  int64_t total = 0;
  for (const auto& [address, sats] : amounts) {
    Bytes script;
    try {
      script = bitcoin::address_to_script(address, network_);
    } catch (const bitcoin::AddressError&) {
      throw WalletError{-5, "Invalid Bitcoin address: " + address};
    }
    if (sats <= 0) throw WalletError{-3, "Invalid amount for send"};
    plan.outputs.push_back(bitcoin::TxOut{sats, script});
    subtract.push_back(subtract_fee_from.count(address) > 0);
    total += sats;
  }
  plan.fee = 10000 + kFeePerOutput * static_cast<int64_t>(plan.outputs.size());
  const auto payers = static_cast<int64_t>(std::count(subtract.begin(), subtract.end(), true));
  bool first = true;
  for (size_t i = 0; i < plan.outputs.size(); ++i) {
    if (!subtract[i]) continue;
    plan.outputs[i].value -= plan.fee / payers;
    if (first) plan.outputs[i].value -= plan.fee % payers;  // the first pays what does not divide
    first = false;
    if (plan.outputs[i].value < bitcoin::dust_limit(plan.outputs[i].script_pubkey)) {
      throw WalletError{-6, plan.outputs[i].value < 0 ? "The transaction amount is too small to pay the fee"
                                                      : "The transaction amount is too small to send after the fee has been deducted"};
    }
  }
  const int64_t debit = payers > 0 ? total : total + plan.fee;
  if (debit > balance(chain)) throw WalletError{-6, "Insufficient funds"};
  return plan;
}

bitcoin::Uint256 Wallet::send_many(Chain& chain, TxFactory& factory, const std::map<std::string, int64_t>& amounts,
                                   const std::string& comment, const std::set<std::string>& subtract_fee_from) {
  if (amounts.empty()) throw WalletError{-8, "Transaction must have at least one recipient"};
  if (encrypted() && unlocked_until(chain.now()) == 0) {
    throw WalletError{-13, "Error: Please enter the wallet passphrase with walletpassphrase first."};
  }
  PlannedSend plan = plan_send(chain, amounts, subtract_fee_from);
  if (forced_error_) throw *forced_error_;
  WalletSend send;
  send.fee = plan.fee;
  size_t i = 0;
  for (const auto& [address, sats] : amounts) send.outputs.emplace_back(address, plan.outputs[i++].value);
  bitcoin::Transaction tx = factory.make_payment(plan.outputs);
  send.txid = tx.txid();
  send.comment = comment;
  send.time = chain.now();
  send.tx = tx;
  chain.add_to_mempool(std::move(tx), send.fee);
  sends_.push_back(send);
  return send.txid;
}

std::optional<int64_t> Wallet::unlocked_until(uint32_t now) const {
  if (!encrypted()) return std::nullopt;
  return unlocked_until_ > now ? unlocked_until_ : 0;
}

void Wallet::encrypt(const std::string& passphrase) {
  if (encrypted()) throw WalletError{-15, "Error: running with an encrypted wallet, but encryptwallet was called."};
  if (passphrase.empty()) throw WalletError{-8, "passphrase cannot be empty"};
  passphrase_ = passphrase;
  unlocked_until_ = 0;
}

void Wallet::unlock(const std::string& passphrase, uint32_t until) {
  if (!encrypted()) throw WalletError{-15, "Error: running with an unencrypted wallet, but walletpassphrase was called."};
  if (passphrase != passphrase_) throw WalletError{-14, "Error: The wallet passphrase entered was incorrect."};
  unlocked_until_ = until;
}

void Wallet::lock() {
  if (!encrypted()) throw WalletError{-15, "Error: running with an unencrypted wallet, but walletlock was called."};
  unlocked_until_ = 0;
}

const WalletSend* Wallet::find_send(const bitcoin::Uint256& txid) const {
  for (const auto& s : sends_) {
    if (s.txid == txid) return &s;
  }
  return nullptr;
}

std::pair<int64_t, int> Wallet::paid_to(const std::string& address) const {
  int64_t total = 0;
  int count = 0;
  for (const auto& s : sends_) {
    for (const auto& [a, sats] : s.outputs) {
      if (a == address) {
        total += sats;
        ++count;
      }
    }
  }
  return {total, count};
}

}  // namespace pool::testnode
