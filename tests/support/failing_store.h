#pragma once
// Test helper: a Store that throws StoreError ("database down") from every call while `down` is
// set, and otherwise passes each call to a real store. Stands in for a database outage of any
// length without waiting for timeouts.
#include <atomic>

#include "store/store.h"

namespace pool::test {

/// Owns nothing; wraps `inner`.
class FailingStore : public store::Store {
 public:
  explicit FailingStore(store::Store& inner) : inner_(inner) {}
  std::atomic<bool> down{false};
  std::atomic<uint64_t> refused{0};

  std::string backend() const override { return inner_.backend(); }
  std::vector<size_t> insert_shares(const std::vector<mining::AcceptedShare>& s) override {
    return gate().insert_shares(s);
  }
  uint64_t count_shares() override { return gate().count_shares(); }
  void walk_window(int64_t until_ms, double window, int passes,
                   const std::function<void(int, const store::WindowShare&)>& visit) override {
    gate().walk_window(until_ms, window, passes, visit);
  }
  uint64_t delete_shares(int64_t before_id, int64_t older_than_ms, int limit) override {
    return gate().delete_shares(before_id, older_than_ms, limit);
  }
  bool insert_block(const store::BlockRecord& b) override { return gate().insert_block(b); }
  std::vector<store::BlockRecord> blocks(const std::optional<std::string>& status, int limit) override {
    return gate().blocks(status, limit);
  }
  std::optional<std::string> block_hex(const std::string& hash) override { return gate().block_hex(hash); }
  bool set_block_submitted(const std::string& hash, const std::string& status, const std::string& reason) override {
    return gate().set_block_submitted(hash, status, reason);
  }
  void set_confirmations(const std::string& hash, int64_t c) override { gate().set_confirmations(hash, c); }
  bool credit_block(const std::string& hash, const std::map<std::string, int64_t>& credits, int64_t pool) override {
    return gate().credit_block(hash, credits, pool);
  }
  bool orphan_block(const std::string& hash) override { return gate().orphan_block(hash); }
  std::map<std::string, int64_t> balances() override { return gate().balances(); }
  std::vector<store::BalanceChange> balance_changes(const std::string& a, int limit) override {
    return gate().balance_changes(a, limit);
  }
  std::map<std::string, int64_t> credits_from_blocks_above(int64_t h) override {
    return gate().credits_from_blocks_above(h);
  }
  int64_t create_payment(const std::map<std::string, int64_t>& amounts, const std::string& prefix) override {
    return gate().create_payment(amounts, prefix);
  }
  void complete_payment(int64_t id, const std::string& txid, int64_t fee_sats) override {
    gate().complete_payment(id, txid, fee_sats);
  }
  void release_payment(int64_t id) override { gate().release_payment(id); }
  std::vector<store::PaymentRecord> payments(const std::optional<std::string>& status, int limit) override {
    return gate().payments(status, limit);
  }
  std::vector<store::FollowedPayment> payments_to_follow(int64_t after_id, int limit) override {
    return gate().payments_to_follow(after_id, limit);
  }
  void set_payment_trouble(int64_t id, const std::string& trouble, int64_t since_ms) override {
    gate().set_payment_trouble(id, trouble, since_ms);
  }
  void set_payment_final(int64_t id, int64_t ms) override { gate().set_payment_final(id, ms); }
  bool repoint_payment(int64_t id, const std::string& from, const std::string& to) override {
    return gate().repoint_payment(id, from, to);
  }
  int64_t count_payments_in_trouble() override { return gate().count_payments_in_trouble(); }
  bool reverse_payment(int64_t id) override { return gate().reverse_payment(id); }
  bool store_block_window(const store::BlockWindow& w, const std::vector<store::WindowLeafRow>& l) override {
    return gate().store_block_window(w, l);
  }
  std::optional<store::BlockWindow> block_window(const std::string& h) override { return gate().block_window(h); }
  std::vector<store::BlockWindow> block_windows(int limit) override { return gate().block_windows(limit); }
  std::vector<store::WindowLeafRow> window_leaves(const std::string& h, int64_t offset, int64_t limit) override {
    return gate().window_leaves(h, offset, limit);
  }
  std::vector<store::WindowLeafRow> window_leaves_of(const std::string& h, const std::string& a) override {
    return gate().window_leaves_of(h, a);
  }
  std::vector<store::BlockRecord> blocks_needing_window(int limit) override { return gate().blocks_needing_window(limit); }
  void set_window_commitment(const std::string& h, const std::string& b, const std::string& t) override {
    gate().set_window_commitment(h, b, t);
  }
  std::optional<store::BlockCreditTrail> block_credit_trail(const std::string& h, const std::string& a,
                                                            int limit) override {
    return gate().block_credit_trail(h, a, limit);
  }
  std::optional<std::string> setting(const std::string& key) override { return gate().setting(key); }
  void set_setting(const std::string& key, const std::string& value) override { gate().set_setting(key, value); }
  std::string set_setting_if_absent(const std::string& key, const std::string& value) override {
    return gate().set_setting_if_absent(key, value);
  }
  bool try_acquire_leadership() override { return gate().try_acquire_leadership(); }
  void claim_exclusive_use() override { gate().claim_exclusive_use(); }
  int64_t leadership_epoch() const override { return inner_.leadership_epoch(); }
  void release_leadership() override { gate().release_leadership(); }
  int lease_extranonce_prefix(const std::string& instance, int64_t ttl_ms) override {
    return gate().lease_extranonce_prefix(instance, ttl_ms);
  }
  bool renew_extranonce_prefix(const std::string& instance, int prefix) override {
    return gate().renew_extranonce_prefix(instance, prefix);
  }
  void release_extranonce_prefix(const std::string& instance, int prefix) override {
    gate().release_extranonce_prefix(instance, prefix);
  }
  store::LedgerSnapshot ledger_snapshot() override { return gate().ledger_snapshot(); }

 private:
  store::Store& gate() {
    if (down) {
      ++refused;
      throw store::StoreError("cannot connect to the database: connection refused (test outage)");
    }
    return inner_;
  }
  store::Store& inner_;
};

}  // namespace pool::test
