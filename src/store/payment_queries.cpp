#include "store/payment_queries.h"

#include <utility>

namespace pool::store::payment_queries {

namespace {

std::vector<std::pair<std::string, int64_t>> items_of(SqlRunner& sql, int64_t id) {
  std::vector<std::pair<std::string, int64_t>> out;
  sql.run("SELECT address, sats FROM payment_items WHERE payment_id = $1", {id},
          [&](const LedgerRow& r) { out.emplace_back(r.text(0), r.i64(1)); });
  return out;
}

}  // namespace

void change_balance(SqlRunner& sql, const std::string& address, int64_t delta, const std::string& reason,
                    const std::string& reference) {
  sql.run("INSERT INTO balances (address, sats) VALUES ($1, $2)"
          " ON CONFLICT (address) DO UPDATE SET sats = balances.sats + excluded.sats",
          {address, delta});
  sql.run("INSERT INTO balance_changes (address, delta_sats, reason, reference, created_ms) VALUES ($1, $2, $3, $4, $5)",
          {address, delta, reason, reference, now_ms()});
}

std::map<std::string, int64_t> balances(SqlRunner& sql) {
  std::map<std::string, int64_t> out;
  sql.run("SELECT address, sats FROM balances", {}, [&](const LedgerRow& r) { out[r.text(0)] = r.i64(1); });
  return out;
}

std::map<std::string, int64_t> credits_from_blocks_above(SqlRunner& sql, int64_t height) {
  std::map<std::string, int64_t> out;
  sql.run("SELECT c.address, SUM(c.delta_sats) FROM balance_changes c JOIN blocks b ON b.hash = c.reference"
          " WHERE c.reason = 'share_reward' AND b.height > $1 GROUP BY c.address",
          {height}, [&](const LedgerRow& r) { out[r.text(0)] = r.i64(1); });
  return out;
}

std::vector<BalanceChange> balance_changes(SqlRunner& sql, const std::string& address, int limit) {
  std::vector<BalanceChange> out;
  sql.run("SELECT address, delta_sats, reason, reference, created_ms FROM balance_changes WHERE address = $1"
          " ORDER BY id DESC LIMIT $2",
          {address, static_cast<int64_t>(limit)},
          [&](const LedgerRow& r) { out.push_back({r.text(0), r.i64(1), r.text(2), r.text(3), r.i64(4)}); });
  return out;
}

std::vector<PaymentRecord> list(SqlRunner& sql, const std::optional<std::string>& status, int limit) {
  std::vector<PaymentRecord> out;
  std::vector<SqlParam> params;
  if (status) params.emplace_back(*status);
  params.emplace_back(static_cast<int64_t>(limit));
  sql.run(std::string("SELECT id, status, comment, txid, created_ms, COALESCE(fee_sats, -1) FROM payments") +
              (status ? " WHERE status = $1 ORDER BY id DESC LIMIT $2" : " ORDER BY id DESC LIMIT $1"),
          params, [&](const LedgerRow& r) {
            out.push_back({r.i64(0), r.text(1), r.text(2), r.text(3), r.i64(4), {}, fee_from_column(r.i64(5))});
          });
  for (auto& p : out) {
    for (auto& [address, sats] : items_of(sql, p.id)) p.amounts[address] = sats;
  }
  return out;
}

std::vector<FollowedPayment> to_follow(SqlRunner& sql, int64_t after_id, int limit) {
  std::vector<FollowedPayment> out;
  sql.run("SELECT id, txid, trouble, trouble_ms FROM payments WHERE status = 'sent' AND confirmed_ms = 0"
          " AND id > $1 ORDER BY id LIMIT $2",
          {after_id, static_cast<int64_t>(limit)},
          [&](const LedgerRow& r) { out.push_back({r.i64(0), r.text(1), r.text(2), r.i64(3)}); });
  return out;
}

void set_trouble(SqlRunner& sql, int64_t id, const std::string& trouble, int64_t since_ms) {
  sql.run("UPDATE payments SET trouble = $1, trouble_ms = $2 WHERE id = $3 AND status = 'sent'", {trouble, since_ms, id});
}

void set_final(SqlRunner& sql, int64_t id, int64_t confirmed_ms) {
  sql.run("UPDATE payments SET confirmed_ms = $1, trouble = '', trouble_ms = 0 WHERE id = $2 AND status = 'sent'",
          {confirmed_ms, id});
}

int64_t count_in_trouble(SqlRunner& sql) {
  int64_t count = 0;
  sql.run("SELECT COUNT(*) FROM payments WHERE status = 'sent' AND trouble NOT IN ('', 'missing')", {},
          [&](const LedgerRow& r) { count = r.i64(0); });
  return count;
}

void fill_payment(SqlRunner& sql, int64_t id, const std::map<std::string, int64_t>& amounts,
                  const std::string& comment_prefix, bool lock_balances) {
  sql.run("UPDATE payments SET comment = $1 WHERE id = $2", {comment_prefix + std::to_string(id), id});
  const std::string balance_sql =
      std::string("SELECT sats FROM balances WHERE address = $1") + (lock_balances ? " FOR UPDATE" : "");
  for (const auto& [address, sats] : amounts) {
    int64_t have = 0;
    sql.run(balance_sql, {address}, [&](const LedgerRow& r) { have = r.i64(0); });
    if (have < sats) throw StoreError("balance of " + address + " is " + std::to_string(have) + " sat, below " + std::to_string(sats));
    sql.run("INSERT INTO payment_items (payment_id, address, sats) VALUES ($1, $2, $3)", {id, address, sats});
    change_balance(sql, address, -sats, "payout", "payment " + std::to_string(id));
  }
}

void complete(SqlRunner& sql, int64_t id, const std::string& txid, int64_t fee_sats) {
  if (sql.run("UPDATE payments SET status = 'sent', txid = $1, updated_ms = $2, fee_sats = $3 WHERE id = $4"
              " AND status = 'pending'",
              {txid, now_ms(), fee_sats, id}) != 1) {
    throw StoreError(not_pending_message(id, txid));
  }
}

bool release(SqlRunner& sql, int64_t id) {
  if (sql.run("UPDATE payments SET status = 'released', updated_ms = $1 WHERE id = $2 AND status = 'pending'",
              {now_ms(), id}) != 1) {
    return false;
  }
  for (const auto& [address, sats] : items_of(sql, id)) {
    change_balance(sql, address, sats, "correction", "payment " + std::to_string(id) + " released");
  }
  return true;
}

bool reverse(SqlRunner& sql, int64_t id) {
  if (sql.run("UPDATE payments SET status = 'reversed', trouble = '', updated_ms = $1 WHERE id = $2 AND status = 'sent'",
              {now_ms(), id}) != 1) {
    return false;
  }
  for (const auto& [address, sats] : items_of(sql, id)) {
    change_balance(sql, address, sats, "payout_reversed", "payment " + std::to_string(id));
  }
  return true;
}

}  // namespace pool::store::payment_queries
