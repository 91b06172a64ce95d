#include "store/ledger_queries.h"

namespace pool::store {

LedgerSnapshot read_ledger(const LedgerQuery& query) {
  LedgerSnapshot out;
  query(ledger_sql::kBlocks, [&](const LedgerRow& r) {
    out.blocks.push_back({r.text(0), r.text(1), r.text(2), r.i64(3), r.i64(4), r.i64(5), r.i64(6), r.i64(7)});
  });
  query(ledger_sql::kAccounts, [&](const LedgerRow& r) {
    out.accounts.push_back({r.text(0), r.i64(1), r.i64(2), r.i64(3) > 0});
  });
  query(ledger_sql::kPayments, [&](const LedgerRow& r) {
    const int64_t id = r.i64(0);
    if (out.payments.empty() || out.payments.back().id != id) {
      out.payments.push_back({id, r.text(1), r.text(2), r.text(3), r.i64(4), {}, fee_from_column(r.i64(7))});
    }
    if (!r.is_null(5)) out.payments.back().amounts[r.text(5)] = r.i64(6);
  });
  query(ledger_sql::kWindows, [&](const LedgerRow& r) {
    out.windows.push_back({r.text(0), r.text(1), r.text(2), r.i64(3), r.i64(4), r.i64(5), r.i64(6), r.text(7), r.text(8)});
  });
  query(ledger_sql::kWindowLeaves, [&](const LedgerRow& r) {
    out.window_leaves[r.text(0)].push_back(
        {r.i64(1), r.text(2), r.text(3), r.i64(4), r.i64(5), r.i64(6), r.text(7), r.text(8)});
  });
  query(ledger_sql::kWindowCredits, [&](const LedgerRow& r) { out.window_credits[r.text(0)][r.text(1)] = r.i64(2); });
  return out;
}

}  // namespace pool::store
