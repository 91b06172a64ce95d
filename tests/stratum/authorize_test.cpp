// mining.authorize: names are valid UTF-8, printable and bounded before anything is stored; the
// per-connection and per-address worker limits; the password's "d=" hint; miner-supplied text in
// log lines comes out as one escaped line.
#include <gtest/gtest.h>

#include <cctype>

#include "bitcoin/address.h"
#include "stratum/fake_host.h"
#include "stratum/log_capture.h"
#include "stratum/session.h"
#include "stratum/worker_name.h"
#include "stratum/worker_registry.h"
#include "util/json.h"
#include "util/text.h"

namespace pool::stratum {
namespace {

const std::string kAddress = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

/// The fake host with the server's per-address worker count.
class LimitedHost : public test::FakeHost {
 public:
  explicit LimitedHost(size_t per_address) : names(per_address) {}
  bool claim_worker(const std::string& address, const std::string& name) override { return names.claim(address, name); }
  void release_worker(const std::string& address, const std::string& name) override { names.release(address, name); }
  size_t max_workers_per_address() const override { return names.max_per_address(); }
  WorkerRegistry names;
};

struct Reply {
  bool result = false;
  int code = 0;
  std::string message;
};

class AuthorizeTest : public ::testing::Test {
 protected:
  AuthorizeTest() {
    config.vardiff.initial = 1e-7;
    config.vardiff.minimum = 1e-9;
    host.add_job();
  }
  std::unique_ptr<Session> open_session() {
    auto s = std::make_unique<Session>(host, config, "192.0.2.7");
    std::vector<Outgoing> out;
    s->handle_line(R"({"id":1,"method":"mining.subscribe","params":["test/1"]})", out);
    return s;
  }
  // Sends mining.authorize with `username` (raw bytes, JSON-escaped here) and returns the reply.
  static Reply authorize(Session& s, const std::string& username, const std::string& password = "x",
                         std::vector<std::string>* lines = nullptr) {
    std::vector<Outgoing> out;
    s.handle_line(R"({"id":2,"method":"mining.authorize","params":[)" + util::quote(username) + "," +
                      util::quote(password) + "]}",
                  out);
    Reply r;
    for (const auto& o : out) {
      const std::string text = o.shared ? *o.shared : o.line;
      if (lines) lines->push_back(text);
      auto doc = util::parse_json(text);
      if (!doc.HasMember("id") || !doc["id"].IsInt() || doc["id"].GetInt() != 2) continue;
      r.result = doc["result"].IsBool() && doc["result"].GetBool();
      if (doc["error"].IsArray()) {
        r.code = doc["error"][0].GetInt();
        r.message = doc["error"][1].GetString();
      }
    }
    return r;
  }

  LimitedHost host{1024};
  SessionConfig config;
};

TEST_F(AuthorizeTest, InvalidUtf8IsRefusedAndNotStored) {
  auto s = open_session();
  for (const std::string& bad : std::vector<std::string>{kAddress + ".\xff", kAddress + ".rig\xc0\xaf", kAddress + ".\xed\xa0\x80"}) {
    const Reply r = authorize(*s, bad);
    EXPECT_FALSE(r.result) << util::printable(bad);
    EXPECT_EQ(r.code, 24);
    EXPECT_NE(r.message.find("UTF-8"), std::string::npos) << r.message;
    EXPECT_TRUE(util::valid_utf8(r.message));
  }
  EXPECT_FALSE(s->authorized());
  EXPECT_TRUE(s->workers().empty());
}

TEST_F(AuthorizeTest, ControlCharactersAreRefused) {
  auto s = open_session();
  for (const std::string& bad : std::vector<std::string>{kAddress + ".rig\n", kAddress + ".\x1b[31mred", kAddress + ".a\tb",
                                kAddress + ".del\x7f", kAddress + ".c1\xc2\x85"}) {
    const Reply r = authorize(*s, bad);
    EXPECT_FALSE(r.result) << util::printable(bad);
    EXPECT_EQ(r.code, 24);
    EXPECT_NE(r.message.find("control characters"), std::string::npos) << r.message;
  }
  EXPECT_FALSE(s->authorized());
}

TEST_F(AuthorizeTest, OverLongNamesAreRefusedAtTheLimits) {
  auto s = open_session();
  Reply r = authorize(*s, kAddress + "." + std::string(65, 'w'));
  EXPECT_FALSE(r.result);
  EXPECT_EQ(r.code, 24);
  EXPECT_NE(r.message.find("65 bytes, more than 64"), std::string::npos) << r.message;
  r = authorize(*s, std::string(91, 'b') + ".rig");
  EXPECT_FALSE(r.result);
  EXPECT_EQ(r.code, 24);
  EXPECT_NE(r.message.find("91 bytes, more than 90"), std::string::npos) << r.message;
  EXPECT_FALSE(s->authorized());
  // Exactly 64 bytes is fine; multi-byte UTF-8 counts in bytes.
  std::string worker;
  for (int i = 0; i < 21; ++i) worker += "\xe3\x81\x82";  // あ
  worker += "a";
  ASSERT_EQ(worker.size(), 64u);
  r = authorize(*s, kAddress + "." + worker);
  EXPECT_TRUE(r.result) << r.message;
  EXPECT_EQ(s->workers().count(kAddress + "." + worker), 1u);
}

TEST_F(AuthorizeTest, EmptyWorkerAfterDotIsRefused) {
  auto s = open_session();
  const Reply r = authorize(*s, kAddress + ".");
  EXPECT_FALSE(r.result);
  EXPECT_NE(r.message.find("empty"), std::string::npos) << r.message;
  EXPECT_TRUE(authorize(*s, kAddress + ".rig.one").result);  // dots after the first belong to the worker
}

TEST_F(AuthorizeTest, PerConnectionWorkerLimitIsAConfigField) {
  EXPECT_EQ(SessionConfig{}.max_workers_per_connection, 32u);
  auto s = open_session();
  for (int i = 0; i < 32; ++i) ASSERT_TRUE(authorize(*s, kAddress + ".w" + std::to_string(i)).result) << i;
  const Reply r = authorize(*s, kAddress + ".w32");
  EXPECT_FALSE(r.result);
  EXPECT_EQ(r.code, 24);
  EXPECT_NE(r.message.find("at most 32"), std::string::npos) << r.message;
  EXPECT_TRUE(authorize(*s, kAddress + ".w5").result);  // a name it already has is fine
  EXPECT_EQ(s->workers().size(), 32u);

  config.max_workers_per_connection = 2;
  auto small = open_session();
  EXPECT_TRUE(authorize(*small, kAddress + ".a").result);
  EXPECT_TRUE(authorize(*small, kAddress + ".b").result);
  EXPECT_FALSE(authorize(*small, kAddress + ".c").result);
}

TEST_F(AuthorizeTest, PerAddressWorkerLimitAcrossConnections) {
  LimitedHost limited(2);
  limited.add_job();
  auto open_on = [&] {
    auto s = std::make_unique<Session>(limited, config, "192.0.2.8");
    std::vector<Outgoing> out;
    s->handle_line(R"({"id":1,"method":"mining.subscribe","params":[]})", out);
    return s;
  };
  auto a = open_on();
  auto b = open_on();
  EXPECT_TRUE(authorize(*a, kAddress + ".w1").result);
  EXPECT_TRUE(authorize(*a, kAddress + ".w2").result);
  EXPECT_TRUE(authorize(*b, kAddress + ".w1").result);  // the same name on another connection counts once
  const Reply r = authorize(*b, kAddress + ".w3");
  EXPECT_FALSE(r.result);
  EXPECT_EQ(r.code, 24);
  EXPECT_NE(r.message.find("too many workers for address " + kAddress), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("at most 2"), std::string::npos) << r.message;
  EXPECT_EQ(b->workers().count(kAddress + ".w3"), 0u);
  // Another address is not affected.
  EXPECT_TRUE(authorize(*b, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080.w3").result);
  // w1 is still used by b, so a's closing frees only w2.
  a->release_workers();
  a->release_workers();  // idempotent
  EXPECT_EQ(limited.names.workers_of(kAddress), 1u);
  EXPECT_TRUE(authorize(*b, kAddress + ".w3").result);
  b->release_workers();
  EXPECT_EQ(limited.names.workers_of(kAddress), 0u);
}

// BIP173 lets a bech32 address be written all upper case (QR codes), and Bitcoin Core reports
// it in lower case. Both spellings are one script, so they must be one account: two accounts for
// one script would make Core refuse the payout batch that names it twice (-8 duplicated address).
TEST_F(AuthorizeTest, AnUpperCaseBech32AddressIsTheSameAccountAsItsLowerCase) {
  std::string upper = kAddress;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto s = open_session();
  EXPECT_TRUE(authorize(*s, upper + ".rig").result);
  ASSERT_EQ(s->workers().count(upper + ".rig"), 1u);
  EXPECT_EQ(s->workers().at(upper + ".rig").address, kAddress) << "credited to the canonical spelling";
  EXPECT_EQ(bitcoin::canonical_address(upper, bitcoin::Network::kRegtest), kAddress);
  // Base58 is case-sensitive: kept as written.
  EXPECT_EQ(bitcoin::canonical_address("mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz", bitcoin::Network::kRegtest),
            "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz");
}

TEST_F(AuthorizeTest, PasswordDifficultyHintIsBounded) {
  EXPECT_EQ(password_difficulty("d=1024"), 1024.0);
  EXPECT_EQ(password_difficulty("x,d=0.5"), 0.5);
  EXPECT_EQ(password_difficulty("x, d=16 ,y"), 16.0);
  EXPECT_FALSE(password_difficulty("x"));
  EXPECT_FALSE(password_difficulty("pwd=5"));     // not a "d=" field
  EXPECT_FALSE(password_difficulty("d=nan"));
  EXPECT_FALSE(password_difficulty("d=1e999"));   // infinite
  EXPECT_FALSE(password_difficulty("d=-4"));
  EXPECT_FALSE(password_difficulty("d=12abc"));
  EXPECT_FALSE(password_difficulty("d=" + std::string(33, '1')));
  EXPECT_FALSE(password_difficulty(std::string(300, 'x') + ",d=8"));  // beyond the first 256 bytes

  // Through the session: "pwd=5" no longer raises the difficulty to 5.
  auto s = open_session();
  std::vector<std::string> lines;
  ASSERT_TRUE(authorize(*s, kAddress + ".rig", "pwd=5", &lines).result);
  EXPECT_DOUBLE_EQ(s->difficulty(), 1e-7);
  auto t = open_session();
  ASSERT_TRUE(authorize(*t, kAddress + ".rig", "x,d=0.001").result);
  EXPECT_DOUBLE_EQ(t->difficulty(), 0.001);
}

TEST_F(AuthorizeTest, StoredUserAgentIsCapped) {
  auto s = std::make_unique<Session>(host, config, "192.0.2.7");
  std::vector<Outgoing> out;
  s->handle_line(R"({"id":1,"method":"mining.subscribe","params":[")" + std::string(5000, 'u') + R"("]})", out);
  EXPECT_EQ(s->user_agent().size(), 128u);
  // The answer to client.get_version is capped too.
  auto t = std::make_unique<Session>(host, config, "192.0.2.7");
  t->handle_line(R"({"id":1,"method":"mining.subscribe","params":[]})", out);
  authorize(*t, kAddress + ".rig");
  t->handle_line(R"({"id":"client.get_version","result":")" + std::string(1000, 'v') + R"(","error":null})", out);
  EXPECT_EQ(t->user_agent().size(), 128u);
}

TEST_F(AuthorizeTest, MinerTextInLogLinesIsOneEscapedLine) {
  test::LogCapture capture;
  const std::string agent = "cgminer\n[error] fake record\x1b[2J";
  const std::string worker = kAddress + ".rig\n[info] injected\x1b]0;title\x07";
  auto s = std::make_unique<Session>(host, config, "192.0.2.7");
  std::vector<Outgoing> out;
  s->handle_line(R"({"id":1,"method":"mining.subscribe","params":[)" + util::quote(agent) + "]}", out);
  EXPECT_FALSE(authorize(*s, worker).result);      // refused, and logged escaped
  EXPECT_TRUE(authorize(*s, kAddress + ".ok").result);  // authorized, logged with the user agent
  const auto lines = capture.lines();
  ASSERT_GE(lines.size(), 2u);
  bool saw_worker = false, saw_agent = false;
  for (const auto& line : lines) {
    // Every line is a record of its own: nothing a miner sent started a line.
    EXPECT_TRUE(test::LogCapture::is_record(line)) << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    EXPECT_EQ(line.find('\x07'), std::string::npos) << line;
    if (line.find("rig\\n[info] injected\\x1b]0;title\\x07") != std::string::npos) saw_worker = true;
    if (line.find("cgminer\\n[error] fake record\\x1b[2J") != std::string::npos) saw_agent = true;
  }
  EXPECT_TRUE(saw_worker);
  EXPECT_TRUE(saw_agent);
}

}  // namespace
}  // namespace pool::stratum
