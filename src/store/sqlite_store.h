#pragma once
// Store on SQLite: one connection in WAL mode with synchronous=FULL (a committed share survives
// a kill -9 and a power cut), serialized by a mutex.
#include <memory>
#include <string>

#include "store/store.h"

namespace pool::store {

std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace pool::store
