// `poold --audit --config FILE`, the real binary: exit 0 when the books balance, 1 naming what is
// wrong when they do not, 2 when the wallet cannot be asked.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "store/store.h"
#include "support/test_databases.h"
#include "testnode/test_node.h"

namespace pool::app {
namespace {

struct AuditRun {
  int status;
  std::string output;
};

AuditRun poold_audit(const std::string& config_path) {
  const std::string command = std::string(POOLD_PATH) + " --audit --config " + config_path + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(AuditCommand, ExitsZeroOnlyWhenTheBooksBalance) {
  testnode::TestNode node(testnode::TestNodeOptions{});
  node.start();
  auto db = test::make_sqlite_database();
  store::open_store(db->url());  // creates the schema
  const auto config = std::filesystem::temp_directory_path() / ("audit-" + std::to_string(::getpid()) + ".ini");
  auto write_config = [&](uint16_t port) {
    std::ofstream(config) << "[bitcoin]\nuser = pool\npassword = pool\nport = " << port << "\n[database]\ndb_path = "
                          << db->url() << "\n";
  };
  write_config(node.port());

  const AuditRun clean = poold_audit(config.string());
  EXPECT_EQ(clean.status, 0) << clean.output;
  EXPECT_NE(clean.output.find("ledger audit: the books balance"), std::string::npos) << clean.output;

  // A balance nobody earned: no change log behind it, and nothing in the wallet to pay it.
  db->execute("INSERT INTO balances (address, sats) VALUES ('bcrt1qsomeone', 5000000000)");
  const AuditRun tampered = poold_audit(config.string());
  EXPECT_EQ(tampered.status, 1) << tampered.output;
  EXPECT_NE(tampered.output.find("account bcrt1qsomeone"), std::string::npos) << tampered.output;
  EXPECT_NE(tampered.output.find("ledger audit: FAILED"), std::string::npos) << tampered.output;

  const uint16_t port = node.port();
  node.stop();
  write_config(port);
  const AuditRun unreachable = poold_audit(config.string());
  EXPECT_EQ(unreachable.status, 2) << unreachable.output;
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace pool::app
