#pragma once
// The versioned schema. Each step runs once, in order, inside a transaction; the version reached
// is kept in settings.schema_version. SQL differs between backends only in the id column type.
#include <string>
#include <vector>

namespace pool::store {

/// The migration steps for a backend ("sqlite" or "postgresql").
std::vector<std::string> migrations(const std::string& backend);

}  // namespace pool::store
