// The dashboard is served from files embedded at build time: every file under src/api/web is
// there byte for byte, with the right content type, and the page references nothing else.
#include "api/web_assets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace pool::api {
namespace {

std::string read_source(const std::string& name) {
  std::ifstream in(std::string(POOL_SOURCE_DIR) + "/src/api/web/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(WebAssets, EveryFileInTheWebFolderIsEmbeddedByteForByte) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POOL_SOURCE_DIR) + "/src/api/web")) {
    const std::string name = entry.path().filename().string();
    const WebAsset* asset = find_web_asset("/" + name);
    ASSERT_NE(asset, nullptr) << name << " is in src/api/web but not embedded (src/api/CMakeLists.txt)";
    EXPECT_EQ(asset->body, read_source(name)) << name;
    ++files;
  }
  EXPECT_EQ(files, web_assets().size());
}

TEST(WebAssets, RootIsTheDashboardPageWithContentTypes) {
  const WebAsset* root = find_web_asset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->path, "/index.html");
  EXPECT_NE(root->body.find("<!doctype html>"), std::string_view::npos);
  EXPECT_EQ(web_content_type("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(web_content_type("/style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(web_content_type("/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(find_web_asset("/../CMakeLists.txt"), nullptr);
  EXPECT_EQ(find_web_asset("/missing.js"), nullptr);
}

TEST(WebAssets, ThePageLoadsOnlyEmbeddedFiles) {
  const std::string html(find_web_asset("/")->body);
  const std::regex ref(R"((?:src|href)=\"([^\"]+)\")");
  size_t refs = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[1];
    EXPECT_NE(find_web_asset(target), nullptr) << "the page loads " << target << ", which poold does not serve";
    ++refs;
  }
  EXPECT_GE(refs, 2u);  // the stylesheet and the script
}

}  // namespace
}  // namespace pool::api
