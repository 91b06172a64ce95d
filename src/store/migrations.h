#pragma once
// The versioned schema. Each step runs once, in order, inside a transaction; the version reached
// is kept in settings.schema_version. SQL differs between backends only in the id column type.
#include <cstdint>
#include <string>
#include <vector>

namespace pool::store {

/// The migration steps for a backend ("sqlite" or "postgresql").
std::vector<std::string> migrations(const std::string& backend);

/// Throws StoreError when the database was migrated further than `known_steps` (by a newer
/// poold): an older binary must not write to a schema it does not know.
void check_schema_version(int64_t database_version, size_t known_steps, const std::string& where);

}  // namespace pool::store
