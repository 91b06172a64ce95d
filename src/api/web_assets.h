#pragma once
// The dashboard's files (src/api/web/: HTML, CSS, JavaScript), embedded into the binary at build
// time so poold needs nothing on disk and fetches nothing at run time.
#include <string_view>
#include <vector>

namespace pool::api {

/// One embedded file: its URL path ("/app.js") and its bytes.
struct WebAsset {
  std::string_view path;
  std::string_view body;
};

/// Every embedded file, in the order of src/api/CMakeLists.txt.
const std::vector<WebAsset>& web_assets();

/// The asset served at `path` ("/" means /index.html), or nullptr.
const WebAsset* find_web_asset(std::string_view path);

/// Content-Type for an asset path, from its extension.
std::string_view web_content_type(std::string_view path);

}  // namespace pool::api
