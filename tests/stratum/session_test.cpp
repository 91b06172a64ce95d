// The Stratum session state machine, without sockets: every method, id echoing, reject codes,
// version rolling, difficulty handling and abuse limits.
#include "stratum/session.h"

#include <gtest/gtest.h>

#include "bitcoin/sha256.h"
#include "bitcoin/target.h"
#include "stratum/fake_host.h"
#include "util/json.h"

namespace pool::stratum {
namespace {

const char* kAddress = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() {
    config.vardiff.initial = 1e-7;  // a few hundred hashes per share
    config.vardiff.minimum = 1e-9;
    job = host.add_job();
    session = std::make_unique<Session>(host, config, "127.0.0.1");
  }
  // Sends one line; returns the lines written (shared notifies expanded).
  std::vector<std::string> send(const std::string& line) {
    std::vector<Outgoing> out;
    open = session->handle_line(line, out);
    return texts(out);
  }
  static std::vector<std::string> texts(const std::vector<Outgoing>& out) {
    std::vector<std::string> lines;
    for (const auto& o : out) lines.push_back(o.line + (o.shared ? *o.shared : std::string()));
    return lines;
  }
  void login() {
    send(R"({"id":1,"method":"mining.subscribe","params":["test/1.0"]})");
    send(std::string(R"({"id":2,"method":"mining.authorize","params":[")") + kAddress + R"(.rig1","x"]})");
  }
  // A submit line for a solution that meets `difficulty` (or, with miss=true, one that does not).
  std::string solved_submit(const std::string& id, double difficulty, bool miss = false, uint32_t en2 = 7) {
    mining::Solution s;
    s.extranonce1 = bitcoin::from_hex(session->extranonce1_hex());
    s.extranonce2.assign(8, 0);
    bitcoin::write_be32(s.extranonce2.data() + 4, en2);
    s.ntime = job->ntime;
    s.version = job->version;
    const auto target = bitcoin::target_from_difficulty(difficulty);
    for (s.nonce = 0;; ++s.nonce) {
      const bool meets = bitcoin::hash_meets_target(mining::solution_header(*job, s).hash(), target);
      if (meets != miss) break;
    }
    return R"({"id":)" + id + R"(,"method":"mining.submit","params":[")" + kAddress + R"(.rig1",")" + job->id +
           R"(",")" + bitcoin::to_hex(s.extranonce2) + R"(",")" + bitcoin::hex_u32(s.ntime) + R"(",")" +
           bitcoin::hex_u32(s.nonce) + R"("]})";
  }
  static int error_code(const std::string& line) {
    auto doc = util::parse_json(line);
    if (!doc["error"].IsArray()) return 0;
    return doc["error"][0].GetInt();
  }

  test::FakeHost host;
  SessionConfig config;
  mining::JobPtr job;
  std::unique_ptr<Session> session;
  bool open = true;
};

TEST_F(SessionTest, SubscribeReplyShape) {
  const auto out = send(R"({"id":1,"method":"mining.subscribe","params":["bitaxe/2.0"]})");
  ASSERT_EQ(out.size(), 1u);  // the reply is the very next line, nothing before it
  auto doc = util::parse_json(out[0]);
  EXPECT_EQ(doc["id"].GetInt(), 1);
  const auto& r = doc["result"];
  EXPECT_STREQ(r[0][0][0].GetString(), "mining.set_difficulty");
  EXPECT_STREQ(r[0][1][0].GetString(), "mining.notify");
  EXPECT_EQ(std::string(r[1].GetString()).size(), 8u);
  EXPECT_EQ(r[2].GetInt(), 8);
  EXPECT_EQ(session->user_agent(), "bitaxe/2.0");
}

TEST_F(SessionTest, SubscribeResumesRequestedSession) {
  const auto out = send(R"({"id":1,"method":"mining.subscribe","params":["cpuminer","abcdef01"]})");
  EXPECT_EQ(session->extranonce1_hex(), "abcdef01");
  EXPECT_NE(out[0].find("\"abcdef01\""), std::string::npos);
}

TEST_F(SessionTest, IdsAreEchoedExactly) {
  EXPECT_EQ(util::parse_json(send(R"({"id":"auth","method":"mining.ping"})")[0])["id"], "auth");
  EXPECT_TRUE(util::parse_json(send(R"({"id":null,"method":"mining.ping"})")[0])["id"].IsNull());
  EXPECT_EQ(send(R"({"id":12345678901,"method":"mining.ping"})")[0].substr(0, 18), R"({"id":12345678901,)");
  EXPECT_EQ(send(R"({"id":"txlist42","method":"mining.ping"})")[0].substr(0, 17), R"({"id":"txlist42",)");
}

TEST_F(SessionTest, AuthorizeSendsDifficultyThenWork) {
  send(R"({"id":1,"method":"mining.subscribe","params":[]})");
  const auto out = send(std::string(R"({"id":2,"method":"mining.authorize","params":[")") + kAddress + R"(.w","x"]})");
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(util::parse_json(out[0])["result"].GetBool(), true);
  EXPECT_NE(out[1].find("mining.set_difficulty"), std::string::npos);
  EXPECT_NE(out[1].find("[1e-07]"), std::string::npos);
  auto notify = util::parse_json(out[2]);
  EXPECT_STREQ(notify["method"].GetString(), "mining.notify");
  const auto& p = notify["params"];
  EXPECT_STREQ(p[0].GetString(), job->id.c_str());
  EXPECT_EQ(std::string(p[1].GetString()).size(), 64u);
  EXPECT_EQ(std::string(p[5].GetString()).size(), 8u);
  EXPECT_EQ(std::string(p[6].GetString()).size(), 8u);
  EXPECT_EQ(std::string(p[7].GetString()).size(), 8u);
  EXPECT_TRUE(p[8].GetBool());
  // The miner gave no user agent in mining.subscribe, so it is asked; its answer is kept.
  EXPECT_NE(out[3].find("client.get_version"), std::string::npos);
  send(R"({"id":"client.get_version","result":"bitaxe/2.4","error":null})");
  EXPECT_EQ(session->user_agent(), "bitaxe/2.4");
}

TEST_F(SessionTest, VersionMaskChangesAreSentToRollingMinersOnly) {
  login();
  std::vector<Outgoing> out;
  session->change_version_mask(0x00ffe000, out);
  EXPECT_TRUE(out.empty());  // this miner never negotiated version rolling
  send(R"({"id":5,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"1fffe000"}]})");
  session->change_version_mask(0x00ffe000, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].line.find(R"("mining.set_version_mask","params":["00ffe000"])"), std::string::npos) << out[0].line;
  EXPECT_EQ(session->version_mask(), 0x00ffe000u);
}

TEST_F(SessionTest, ExtranonceChangesOnlyForSubscribedMiners) {
  login();
  std::vector<Outgoing> out;
  EXPECT_FALSE(session->change_extranonce(out));
  send(R"({"id":6,"method":"mining.extranonce.subscribe","params":[]})");
  const std::string before = session->extranonce1_hex();
  ASSERT_TRUE(session->change_extranonce(out));
  EXPECT_NE(session->extranonce1_hex(), before);
  EXPECT_NE(out[0].line.find("mining.set_extranonce"), std::string::npos);
  EXPECT_NE(out[0].line.find(session->extranonce1_hex()), std::string::npos);
  EXPECT_NE(texts(out).back().find("true]"), std::string::npos);  // followed by clean work
}

TEST_F(SessionTest, BadAddressIsRefusedWithReason) {
  send(R"({"id":1,"method":"mining.subscribe","params":[]})");
  auto out = send(R"({"id":2,"method":"mining.authorize","params":["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.rig","x"]})");
  ASSERT_EQ(out.size(), 1u);
  auto doc = util::parse_json(out[0]);
  EXPECT_FALSE(doc["result"].GetBool());
  const std::string reason = doc["error"][1].GetString();
  EXPECT_NE(reason.find("mainnet"), std::string::npos) << reason;
  out = send(R"({"id":3,"method":"mining.authorize","params":["bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0e","x"]})");
  EXPECT_NE(out[0].find("checksum"), std::string::npos) << out[0];
  EXPECT_TRUE(open);
  EXPECT_FALSE(session->authorized());
}

TEST_F(SessionTest, ValidShareAcceptedAndHandedOver) {
  login();
  std::vector<Outgoing> out;
  session->handle_line(solved_submit("7", 1e-7), out);
  ASSERT_GE(out.size(), 1u);
  EXPECT_EQ(out[0].line, "{\"id\":7,\"result\":true,\"error\":null}\n");
  ASSERT_TRUE(out[0].share);
  EXPECT_EQ(out[0].share->address, kAddress);
  EXPECT_EQ(out[0].share->worker, std::string(kAddress) + ".rig1");
  EXPECT_DOUBLE_EQ(out[0].share->difficulty, 1e-7);
  EXPECT_EQ(session->accepted(), 1u);
}

TEST_F(SessionTest, RejectCodes) {
  EXPECT_EQ(error_code(send(solved_submit("1", 1e-7))[0]), kNotSubscribed);
  login();
  EXPECT_EQ(error_code(send(solved_submit("2", 1e-7, true))[0]), kLowDifficulty);
  const std::string good = solved_submit("3", 1e-7);
  EXPECT_EQ(error_code(send(good)[0]), 0);
  EXPECT_EQ(error_code(send(good)[0]), kDuplicate);
  std::string unknown_worker = good;
  unknown_worker.replace(unknown_worker.find(".rig1"), 5, ".rig9");
  EXPECT_EQ(error_code(send(unknown_worker)[0]), kUnauthorized);
  std::string bad_job = solved_submit("4", 1e-7, false, 8);
  bad_job.replace(bad_job.find("\"" + job->id + "\""), job->id.size() + 2, "\"ffff\"");
  EXPECT_EQ(error_code(send(bad_job)[0]), kJobNotFound);
  EXPECT_EQ(error_code(send(R"({"id":5,"method":"mining.submit","params":["x"]})")[0]), kOther);
  EXPECT_TRUE(open);
}

TEST_F(SessionTest, MalformedFieldsAreOtherErrorsWithReasons) {
  login();
  const std::string base = std::string(R"({"id":9,"method":"mining.submit","params":[")") + kAddress + R"(.rig1",")" + job->id + "\",";
  auto reason = [&](const std::string& rest) {
    const auto out = send(base + rest + "]}");
    EXPECT_EQ(error_code(out[0]), kOther) << out[0];
    return std::string(util::parse_json(out[0])["error"][1].GetString());
  };
  EXPECT_NE(reason(R"("0000","5a2b3c4d","00000001")").find("extranonce2"), std::string::npos);
  EXPECT_NE(reason(R"("0000000000000001","5a2b3c","00000001")").find("8 hex digits"), std::string::npos);
  EXPECT_NE(reason(R"("000000000000000g","5a2b3c4d","00000001")").find("extranonce2"), std::string::npos);
  EXPECT_NE(reason(R"("0000000000000001","00000001","00000001")").find("mintime"), std::string::npos);
  EXPECT_NE(reason(R"("0000000000000001",")" + bitcoin::hex_u32(host.wall + 7201) + R"(","00000001")").find("2 hours"),
            std::string::npos);
  EXPECT_NE(reason(R"("0000000000000001",")" + job->ntime_hex + R"(","00000001","00002000")").find("not negotiated"),
            std::string::npos);
}

TEST_F(SessionTest, VersionRollingNegotiatedAndEnforced) {
  auto out = send(R"({"id":1,"method":"mining.configure","params":[["version-rolling","unknown-ext"],{"version-rolling.mask":"ffffffff","version-rolling.min-bit-count":2}]})");
  auto doc = util::parse_json(out[0]);
  EXPECT_TRUE(doc["result"]["version-rolling"].GetBool());
  EXPECT_STREQ(doc["result"]["version-rolling.mask"].GetString(), "1fffe000");
  EXPECT_FALSE(doc["result"]["unknown-ext"].GetBool());
  out = send(R"({"id":2,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"00ffff00"}]})");
  EXPECT_STREQ(util::parse_json(out[0])["result"]["version-rolling.mask"].GetString(), "00ffe000");
  EXPECT_EQ(session->version_mask(), 0x00ffe000u);
  login();
  const std::string base = std::string(R"({"id":9,"method":"mining.submit","params":[")") + kAddress + R"(.rig1",")" + job->id +
                           R"(","0000000000000001",")" + job->ntime_hex + R"(","00000001",)";
  const auto outside = send(base + R"("1f000000"]})");
  EXPECT_NE(outside[0].find("outside the negotiated mask"), std::string::npos) << outside[0];
}

TEST_F(SessionTest, VersionRolledShareIsJudgedWithRolledVersion) {
  send(R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"1fffe000"}]})");
  login();
  mining::Solution s;
  s.extranonce1 = bitcoin::from_hex(session->extranonce1_hex());
  s.extranonce2.assign(8, 3);
  s.ntime = job->ntime;
  s.version = job->version | 0x00006000;
  const auto target = bitcoin::target_from_difficulty(1e-7);
  for (s.nonce = 0; !bitcoin::hash_meets_target(mining::solution_header(*job, s).hash(), target); ++s.nonce) {
  }
  const std::string prefix = std::string(R"({"id":9,"method":"mining.submit","params":[")") + kAddress + R"(.rig1",")" +
                             job->id + R"(","0303030303030303",")" + job->ntime_hex + R"(",")" + bitcoin::hex_u32(s.nonce) + "\",";
  EXPECT_EQ(error_code(send(prefix + R"("00006000"]})")[0]), 0);  // rolled bits only
  s.extranonce2.assign(8, 4);
  for (s.nonce = 0; !bitcoin::hash_meets_target(mining::solution_header(*job, s).hash(), target); ++s.nonce) {
  }
  const std::string full = std::string(R"({"id":10,"method":"mining.submit","params":[")") + kAddress + R"(.rig1",")" +
                           job->id + R"(","0404040404040404",")" + job->ntime_hex + R"(",")" + bitcoin::hex_u32(s.nonce) +
                           R"(","20006000"]})";
  EXPECT_EQ(error_code(send(full)[0]), 0);  // the whole rolled version is accepted too
}

TEST_F(SessionTest, BlockGoesToBlockPathFirst) {
  // On regtest (target 7fffff00...) about half of all hashes are blocks.
  test::FakeHost regtest(false);
  host.registry.add(regtest.add_job());
  job = host.registry.current();
  login();
  std::vector<Outgoing> out;
  for (uint32_t en2 = 0; host.blocks.empty() && en2 < 64; ++en2) {
    out.clear();
    session->handle_line(solved_submit(std::to_string(en2), 1e-9, false, en2), out);
  }
  ASSERT_EQ(host.blocks.size(), 1u);
  EXPECT_TRUE(host.blocks[0].is_block);
  ASSERT_TRUE(out[0].share);
  EXPECT_TRUE(out[0].share->is_block);
}

TEST_F(SessionTest, StaleJobAfterNewBlock) {
  login();
  const std::string share = solved_submit("1", 1e-7);
  const auto next = host.add_job(true);
  std::vector<Outgoing> out;
  session->on_new_job(next, std::make_shared<const std::string>(notify_line(*next, true)), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].shared->find("true]"), std::string::npos);  // clean_jobs
  EXPECT_EQ(error_code(send(share)[0]), kJobNotFound);
}

TEST_F(SessionTest, SuggestDifficultyNumberOrStringRaisesFloor) {
  login();
  auto out = send(R"({"id":3,"method":"mining.suggest_difficulty","params":["0.5"]})");
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(util::parse_json(out[0])["result"].GetBool(), true);
  EXPECT_NE(out[1].find("[0.5]"), std::string::npos);  // set_difficulty, then fresh work
  EXPECT_NE(out[2].find("mining.notify"), std::string::npos);
  send(R"({"id":4,"method":"mining.suggest_difficulty","params":[2]})");
  EXPECT_DOUBLE_EQ(session->difficulty(), 2);
  EXPECT_EQ(error_code(send(R"({"id":5,"method":"mining.suggest_difficulty","params":["abc"]})")[0]), kOther);
}

TEST_F(SessionTest, ShareAtPreviousDifficultyIsCreditedDuringGrace) {
  login();
  const std::string easy_share = solved_submit("1", 1e-7, false, 11);
  send(R"({"id":3,"method":"mining.suggest_difficulty","params":[1000]})");
  // Unlikely to meet 1000, but met 1e-7 before the change: accepted at 1e-7 within grace.
  std::vector<Outgoing> out;
  session->handle_line(easy_share, out);
  ASSERT_TRUE(out[0].share) << out[0].line;
  EXPECT_DOUBLE_EQ(out[0].share->difficulty, 1e-7);
  host.clock += 60;
  out.clear();
  session->handle_line(solved_submit("2", 1e-7, false, 12), out);
  EXPECT_EQ(error_code(out[0].line), kLowDifficulty);
}

TEST_F(SessionTest, OtherMethods) {
  login();
  EXPECT_EQ(util::parse_json(send(R"({"id":1,"method":"mining.extranonce.subscribe","params":[]})")[0])["result"].GetBool(), true);
  EXPECT_STREQ(util::parse_json(send(R"({"id":2,"method":"mining.ping"})")[0])["result"].GetString(), "pong");
  auto txs = util::parse_json(send(R"({"id":3,"method":"mining.get_transactions","params":[")" + job->id + "\"]}")[0]);
  EXPECT_EQ(txs["result"].Size(), 4u);
  const auto unknown = send(R"({"id":4,"method":"mining.nonsense","params":[]})");
  EXPECT_EQ(error_code(unknown[0]), kOther);
  EXPECT_TRUE(open);
  send(R"({"id":null,"result":"cgminer/4.12","error":null})");  // answer to client.get_version
}

TEST_F(SessionTest, GetTransactionsNeedsAuthorizationIsRateLimitedAndEncodedOnce) {
  const std::string request = R"({"id":3,"method":"mining.get_transactions","params":[]})";
  EXPECT_EQ(error_code(send(request)[0]), kUnauthorized);
  login();
  std::vector<Outgoing> first, second;
  session->handle_line(request, first);
  session->handle_line(request, second);
  ASSERT_TRUE(first[0].shared && second[0].shared);
  EXPECT_EQ(first[0].shared, second[0].shared);  // one encoding, shared
  EXPECT_EQ(host.current_job()->transactions_encoding->builds(), 1);
  EXPECT_EQ(util::parse_json(texts(first)[0])["result"].Size(), 4u);
  // The burst is spent: more requests are refused and count as abuse until the session closes.
  int refused = 0;
  while (open && refused < 100) {
    const auto out = send(request);
    EXPECT_EQ(error_code(out[0]), kOther);
    ++refused;
  }
  EXPECT_FALSE(open);
  EXPECT_EQ(refused, config.max_invalid_messages + 1);
}

TEST_F(SessionTest, InvalidJsonGetsErrorUntilTooMany) {
  for (int i = 0; i < config.max_invalid_messages; ++i) {
    const auto out = send("{not json");
    EXPECT_EQ(error_code(out[0]), kOther);
    EXPECT_TRUE(util::parse_json(out[0])["id"].IsNull());
    EXPECT_TRUE(open);
  }
  send("{still not json");
  EXPECT_FALSE(open);
  EXPECT_EQ(session->close_reason(), "too many invalid messages");
}

TEST_F(SessionTest, MostlyInvalidSharesDisconnectAndBan) {
  login();
  for (int i = 0; i < config.abuse_min_shares + 1 && open; ++i) {
    send(solved_submit(std::to_string(i), 1e-7, true, static_cast<uint32_t>(i)));
  }
  EXPECT_FALSE(open);
  EXPECT_TRUE(session->should_ban());
}

// A made-up nonce costs the attacker nothing: it must not cost the pool memory either. Only a
// share that met its difficulty is remembered, so the same worthless share is low difficulty
// every time, never a "duplicate" (which would mean it had been stored in the seen-set).
TEST_F(SessionTest, WorthlessSharesAreNotRememberedInTheSeenSet) {
  login();
  const std::string worthless = solved_submit("1", 1e-7, true);
  EXPECT_EQ(error_code(send(worthless)[0]), kLowDifficulty);
  EXPECT_EQ(error_code(send(worthless)[0]), kLowDifficulty);
}

// Free, harmless rejects (stale shares of a job the miner was sent) must not dilute the ratio:
// nine bogus shares to one stale one is still mostly bogus.
TEST_F(SessionTest, StaleRejectsDoNotShieldBogusSharesFromTheBan) {
  login();
  const std::string stale = solved_submit("0", 1e-7, false, 999);  // for the job it was sent...
  host.add_job(true);                                              // ...which a new block made stale
  std::vector<Outgoing> out;
  session->on_new_job(host.registry.current(), nullptr, out);
  job = host.registry.current();
  for (int i = 0; i < 10 * config.abuse_min_shares && open; ++i) {
    if (i % 10 == 9) {
      EXPECT_EQ(error_code(send(stale)[0]), kJobNotFound);
    } else {
      send(solved_submit(std::to_string(i + 1), 1e-7, true, static_cast<uint32_t>(i)));
    }
  }
  EXPECT_FALSE(open);
  EXPECT_TRUE(session->should_ban());
}

TEST_F(SessionTest, KeepAliveResendsWork) {
  login();
  std::vector<Outgoing> out;
  session->on_tick(out);
  EXPECT_TRUE(out.empty());
  host.clock += config.keepalive_seconds;
  session->on_tick(out);
  ASSERT_FALSE(out.empty());
  EXPECT_NE(texts(out).back().find("mining.notify"), std::string::npos);
}

}  // namespace
}  // namespace pool::stratum
