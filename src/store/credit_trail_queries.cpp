#include "store/credit_trail_queries.h"

namespace pool::store::credit_trail_queries {

std::optional<BlockCreditTrail> get(SqlRunner& sql, const std::string& block_hash, const std::string& address,
                                    int payments_limit) {
  std::optional<BlockCreditTrail> trail;
  sql.run("SELECT height, status FROM blocks WHERE hash = $1", {block_hash}, [&](const LedgerRow& r) {
    trail.emplace();
    trail->height = r.i64(0);
    trail->status = r.text(1);
  });
  if (!trail) return trail;
  int64_t credit_rows = 0, credit_sats = 0, credit_change = 0;
  sql.run("SELECT COUNT(*), COALESCE(SUM(delta_sats), 0), COALESCE(MIN(id), 0) FROM balance_changes"
          " WHERE reference = $1 AND address = $2 AND reason = 'share_reward'",
          {block_hash, address}, [&](const LedgerRow& r) {
            credit_rows = r.i64(0);
            credit_sats = r.i64(1);
            credit_change = r.i64(2);
          });
  if (credit_rows == 0) return trail;
  trail->credited_sats = credit_sats;
  // The payments that can have paid this credit: sent, and reserved from the address's balance
  // after it was credited (the payout's balance change comes later in the change log).
  sql.run("SELECT p.id, p.txid, i.sats, COALESCE(p.fee_sats, -1),"
          " (SELECT COUNT(*) FROM payment_items j WHERE j.payment_id = p.id), p.created_ms"
          " FROM balance_changes c JOIN payments p ON c.reference = 'payment ' || CAST(p.id AS TEXT)"
          " JOIN payment_items i ON i.payment_id = p.id AND i.address = c.address"
          " WHERE c.address = $1 AND c.reason = 'payout' AND c.id > $2 AND p.status = 'sent' ORDER BY p.id LIMIT $3",
          {address, credit_change, static_cast<int64_t>(payments_limit)}, [&](const LedgerRow& r) {
            trail->payments.push_back(
                {r.i64(0), r.text(1), r.i64(2), fee_from_column(r.i64(3)), r.i64(4), r.i64(5)});
          });
  return trail;
}

}  // namespace pool::store::credit_trail_queries
