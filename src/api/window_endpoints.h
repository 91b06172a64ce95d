#pragma once
// The transparency endpoints (docs/api.md, docs/transparency.md): a found block's committed PPLNS
// window by page, GET /api/blocks/{hash}/window?offset=&limit=, and one address's proof,
// GET /api/blocks/{hash}/proof/{address}: its leaves with their Merkle paths, the weights, the
// credit and the payments since. Read from the store per request (bounded: a page is at most
// 1,000 leaves, a proof reads the window's leaf hashes once); a store that throws gives 503.
#include <optional>
#include <string>

#include "bitcoin/network.h"
#include "net/http_server.h"
#include "store/store.h"

namespace pool::api {

inline constexpr int64_t kWindowPageDefault = 100;
inline constexpr int64_t kWindowPageMax = 1000;
/// The proof lists at most this many payments made after the credit.
inline constexpr int kProofPaymentsMax = 20;

/// Answers `target` (path and query) when its path is /api/blocks/{hash}/window or
/// /api/blocks/{hash}/proof/{address}; nullopt for any other path.
std::optional<net::HttpResponse> window_endpoint(store::Store& store, bitcoin::Network network,
                                                 const std::string& target);

}  // namespace pool::api
