#pragma once
// Store on PostgreSQL (libpq): several poold instances share one database. A second connection
// holds a session advisory lock that elects the one instance running maturity and payouts.
#include <memory>
#include <string>

#include "store/store.h"

namespace pool::store {

std::unique_ptr<Store> open_postgres_store(const std::string& url);

}  // namespace pool::store
