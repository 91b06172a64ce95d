#pragma once
// The SQL behind Store::block_credit_trail (the proof endpoint's view of one address's money from
// one block), written once for both backends through SqlRunner. Read-only; the caller holds the
// connection.
#include <optional>
#include <string>

#include "store/sql_runner.h"
#include "store/store.h"

namespace pool::store::credit_trail_queries {

std::optional<BlockCreditTrail> get(SqlRunner& sql, const std::string& block_hash, const std::string& address,
                                    int payments_limit);

}  // namespace pool::store::credit_trail_queries
