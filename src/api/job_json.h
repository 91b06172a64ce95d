#pragma once
// GET /api/job: the job miners work on now, decoded to JSON (docs/api.md, "GET /api/job"), and
// the query-string reading it needs. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>

#include "bitcoin/network.h"
#include "mining/job.h"

namespace pool::api {

/// The value of `name` in `target`'s query string, percent-decoded ('+' is a space); nullopt when
/// absent. Throws std::invalid_argument for a malformed escape (%zz, a cut %4).
std::optional<std::string> query_value(std::string_view target, std::string_view name);

/// The decoded job: header fields, every coinbase output (value, address, role), the window
/// commitment root, tag, transaction count and fees, merkle branch length. `personalized_for` is
/// the SOLO address the job's coinbase was made for (null in JSON when absent).
std::string job_json(const mining::Job& job, bitcoin::Network network, const std::string& payout_scheme,
                     const std::optional<std::string>& personalized_for);

}  // namespace pool::api
