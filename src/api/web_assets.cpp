#include "api/web_assets.h"

namespace pool::api {

const WebAsset* find_web_asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const auto& asset : web_assets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

std::string_view web_content_type(std::string_view path) {
  const auto ends_with = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace pool::api
