#pragma once
// The SQL behind the payment methods of Store (payments, payments_to_follow, the trouble and
// final marks, create/complete/release/reverse) and the balances they are paid from (the
// balances, their change log, the credits of recent blocks), written
// once for both backends through SqlRunner. The caller holds the connection and, for money
// writes, the transaction and the fence (FencedError); these functions only run statements.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/sql_runner.h"
#include "store/store.h"

namespace pool::store::payment_queries {

/// Balance update plus its change-log row (inside the caller's transaction).
void change_balance(SqlRunner& sql, const std::string& address, int64_t delta, const std::string& reason,
                    const std::string& reference);

std::map<std::string, int64_t> balances(SqlRunner& sql);
std::map<std::string, int64_t> credits_from_blocks_above(SqlRunner& sql, int64_t height);
std::vector<BalanceChange> balance_changes(SqlRunner& sql, const std::string& address, int limit);

std::vector<PaymentRecord> list(SqlRunner& sql, const std::optional<std::string>& status, int limit);
std::vector<FollowedPayment> to_follow(SqlRunner& sql, int64_t after_id, int limit);
void set_trouble(SqlRunner& sql, int64_t id, const std::string& trouble, int64_t since_ms);
void set_final(SqlRunner& sql, int64_t id, int64_t confirmed_ms);
int64_t count_in_trouble(SqlRunner& sql);

/// The rest of create_payment once the backend has inserted the pending row `id`: its comment,
/// then per address the balance check (StoreError when short; `lock_balances` reads the
/// balance FOR UPDATE, for PostgreSQL), the item and the payout change.
void fill_payment(SqlRunner& sql, int64_t id, const std::map<std::string, int64_t>& amounts,
                  const std::string& comment_prefix, bool lock_balances);
/// pending → sent with txid and fee; StoreError when the payment is not pending.
void complete(SqlRunner& sql, int64_t id, const std::string& txid, int64_t fee_sats);
/// pending → released, its items credited back; false (nothing changed) when not pending.
bool release(SqlRunner& sql, int64_t id);
/// sent → reversed, its items credited back; false (nothing changed) when not sent.
bool reverse(SqlRunner& sql, int64_t id);

}  // namespace pool::store::payment_queries
