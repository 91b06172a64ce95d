#include "store/postgres_connection.h"

#include <string_view>

namespace pool::store {

PgConnection::PgConnection(const std::string& url) : url_(url) { connect(); }

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::connect() {
  if (conn_) PQfinish(conn_);
  conn_ = PQconnectdb(url_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn_);
    throw StoreError("cannot connect to PostgreSQL (" + redact_url(url_) + "): " + why);
  }
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

bool PgConnection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

PgResult PgConnection::run(const std::string& sql, const std::vector<std::string>& params) {
  if (!healthy()) {
    PQreset(conn_);
    if (!healthy()) throw StoreError("PostgreSQL connection lost (" + redact_url(url_) + ")");
  }
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PgResult res(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                            values.empty() ? nullptr : values.data(), nullptr, nullptr, 0));
  const auto status = PQresultStatus(res.r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string message = "PostgreSQL: " + std::string(PQresultErrorMessage(res.r)) + " in: " + sql.substr(0, 80);
    // Class 22 (data exception) and 23 (integrity constraint violation): the data is refused.
    const char* state = PQresultErrorField(res.r, PG_DIAG_SQLSTATE);
    if (state && (std::string_view(state).substr(0, 2) == "22" || std::string_view(state).substr(0, 2) == "23")) {
      throw StoreRefused(message);
    }
    throw StoreError(message);
  }
  return res;
}

void PgConnection::exec_script(const std::string& sql) {
  PgResult res(PQexec(conn_, sql.c_str()));
  if (PQresultStatus(res.r) != PGRES_COMMAND_OK && PQresultStatus(res.r) != PGRES_TUPLES_OK) {
    throw StoreError("PostgreSQL: " + std::string(PQresultErrorMessage(res.r)));
  }
}

}  // namespace pool::store
