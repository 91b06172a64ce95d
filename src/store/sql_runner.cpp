#include "store/sql_runner.h"

#include "store/sqlite_statement.h"

namespace pool::store {

int64_t SqliteRunner::run(const std::string& sql, const std::vector<SqlParam>& params,
                          const std::function<void(const LedgerRow&)>& row) {
  Stmt s(db_, sql);
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i + 1);
    if (const auto* v = std::get_if<int64_t>(&params[i])) {
      s.bind(at, *v);
    } else {
      s.bind(at, std::get<std::string>(params[i]));
    }
  }
  struct Row : LedgerRow {
    Stmt* s = nullptr;
    std::string text(int col) const override { return s->text(col); }
    int64_t i64(int col) const override { return s->i64(col); }
    bool is_null(int col) const override { return s->is_null(col); }
    double f64(int col) const override { return s->f64(col); }
  } r;
  r.s = &s;
  while (s.step()) {
    if (row) row(r);
  }
  return sqlite3_changes(db_);
}

int64_t PgRunner::run(const std::string& sql, const std::vector<SqlParam>& params,
                      const std::function<void(const LedgerRow&)>& row) {
  std::vector<std::string> text;
  for (const auto& p : params) {
    text.push_back(std::holds_alternative<int64_t>(p) ? std::to_string(std::get<int64_t>(p)) : std::get<std::string>(p));
  }
  const PgResult res = db_.run(sql, text);
  struct Row : LedgerRow {
    const PgResult* r = nullptr;
    int i = 0;
    std::string text(int col) const override { return r->text(i, col); }
    int64_t i64(int col) const override { return r->i64(i, col); }
    bool is_null(int col) const override { return PQgetisnull(r->r, i, col) != 0; }
    double f64(int col) const override { return r->f64(i, col); }
  } r;
  r.r = &res;
  for (r.i = 0; r.i < res.rows(); ++r.i) {
    if (row) row(r);
  }
  return res.affected();
}

}  // namespace pool::store
