// Hostile clients, part 2: who a client claims to be and how it comes and goes. A replayed share
// on a resumed session, worker names that are not UTF-8 or are huge, and connection churn. Each
// test runs a real poold with one honest miner beside the attack (see hostile_fixture.h).
#include "stratum/hostile_fixture.h"
#include "bitcoin/sha256.h"
#include "support/eventually.h"
#include "util/json.h"

namespace pool::test::hostile {
namespace {

class HostileBackendTest : public HostileTest, public ::testing::WithParamInterface<std::string> {};

// A miner's accepted share, resubmitted by a second connection that resumes the first one's
// extranonce1 after it disconnected, is a duplicate: error 22, and one row in the database.
TEST_P(HostileBackendTest, ReplayedShareOnAResumedSessionIsADuplicate) {
  if (!start_pool(GetParam())) return;
  begin_attack();
  const std::string worker = std::string(kAddress) + ".victim";
  std::string extranonce1;
  minerlib::MinerJob job;
  {
    RawConn victim(pool_->port(), "127.0.0.2");
    const auto id = handshake(victim, R"(["victim-miner"])", worker);
    ASSERT_TRUE(id.authorized && id.job);
    extranonce1 = id.extranonce1_hex;
    job = *id.job;
    victim.send(solved_submit("10", worker, job, extranonce1, 7));
    const auto answer = reply_to(victim, "10");
    ASSERT_TRUE(answer && answer->find("\"result\":true") != std::string::npos) << answer.value_or("no answer");
  }  // the victim disconnects
  // The replayer asks for the victim's extranonce1 until the server has seen the victim go.
  std::unique_ptr<RawConn> replayer;
  MinerIdentity resumed;
  int attempts = 0;
  EXPECT_TRUE(eventually(
      [&] {
        ++attempts;
        replayer = std::make_unique<RawConn>(pool_->port(), "127.0.0.3");
        resumed = handshake(*replayer, R"(["replayer",")" + extranonce1 + "\"]", worker);
        return resumed.extranonce1_hex == extranonce1 || attempts >= 50;
      },
      10s));
  ASSERT_EQ(resumed.extranonce1_hex, extranonce1) << "the server never gave the victim's extranonce1 back";
  ASSERT_TRUE(resumed.authorized);
  replayer->send(solved_submit("11", worker, job, extranonce1, 7));  // the very same share
  const auto answer = reply_to(*replayer, "11");
  ASSERT_TRUE(answer) << "the replayed share was not answered";
  EXPECT_EQ(error_code(*answer), 22) << "the replayed share was not refused as a duplicate: " << *answer;
  verify_after_attack("reconnect and replay (" + GetParam() + ")", 1);
}

// Worker names that are not valid UTF-8 (a raw 0xff byte inside the JSON string, a truncated
// sequence) or are 10 KB long are refused at mining.authorize; a share under such a name is not
// accepted, and the honest miner's shares keep being recorded (a name PostgreSQL cannot store
// must never reach the share writer).
TEST_P(HostileBackendTest, WorkerNamesThatAreNotUtf8OrHugeAreRefusedAtAuthorize) {
  if (!start_pool(GetParam())) return;
  begin_attack();
  const std::string address = kAddress;
  const std::vector<std::pair<std::string, std::string>> names = {
      {"a raw 0xff byte", address + ".\xff"},
      {"a truncated UTF-8 sequence", address + ".rig\xe3\x81"},
      {"a 10 KB worker name", address + "." + std::string(10 * 1024, 'w')},
  };
  uint64_t attacker_rows = 0;
  for (const auto& [what, name] : names) {
    RawConn a(pool_->port(), "127.0.0.2");
    // Authorized first under a good name (to get work), then the bad one, then a share under it.
    const auto id = handshake(a, R"(["names"])", address + ".good");
    ASSERT_TRUE(id.authorized && id.job);
    a.send(R"({"id":3,"method":"mining.authorize","params":[")" + name + R"(","x"]})" "\n");
    const auto answer = reply_to(a, "3");
    const bool refused = answer ? answer->find("\"result\":true") == std::string::npos : a.closed_within(1s);
    EXPECT_TRUE(refused) << "a worker name with " << what << " was authorized: " << answer.value_or("");
    if (a.peer_closed()) continue;
    a.send(solved_submit("4", name, *id.job, id.extranonce1_hex, 1));
    const auto share = reply_to(a, "4");
    if (share && share->find("\"result\":true") != std::string::npos) ++attacker_rows;
    EXPECT_TRUE(share && error_code(*share) == 24) << "a share under a worker name with " << what
                                                   << " was not refused as unauthorized: " << share.value_or("no answer");
  }
  verify_after_attack("bad worker names (" + GetParam() + ")", attacker_rows);
}

// The same share sent again on one connection after a work refresh (same tip, nothing new in the
// template, the first job still valid) is a duplicate, under the first job's id and under the
// new job's id alike (the two jobs are the same work, so it is the same header): error 22 both
// times and one row.
TEST_F(HostileTest, ResubmittedShareAfterAWorkRefreshIsADuplicate) {
  PoolOptions options;
  options.job_refresh_seconds = 0.5;
  if (!start_pool("sqlite", options)) return;
  begin_attack();
  const std::string worker = std::string(kAddress) + ".twice";
  RawConn miner(pool_->port(), "127.0.0.2");
  const auto id = handshake(miner, R"(["twice-miner"])", worker);
  ASSERT_TRUE(id.authorized && id.job);
  miner.send(solved_submit("10", worker, *id.job, id.extranonce1_hex, 3));
  const auto first = reply_to(miner, "10");
  ASSERT_TRUE(first && first->find("\"result\":true") != std::string::npos) << first.value_or("no answer");
  // Wait for the next work: a refresh on the same tip.
  std::optional<minerlib::MinerJob> refreshed;
  for (int i = 0; i < 100 && !refreshed; ++i) {
    const auto line = miner.read_line(kAnswerBound);
    if (!line) break;
    const auto d = util::parse_json(*line);
    if (!d.HasMember("method") || std::string(d["method"].GetString()) != "mining.notify") continue;
    auto job = minerlib::parse_notify(d["params"]);
    if (job.job_id != id.job->job_id) refreshed = std::move(job);
  }
  ASSERT_TRUE(refreshed) << "no new work within the refresh interval";
  ASSERT_EQ(refreshed->prevhash, id.job->prevhash) << "the refresh moved to a new tip";
  const auto en1 = bitcoin::from_hex(id.extranonce1_hex);
  const bitcoin::Bytes en2 = {0, 0, 0, 0, 0, 0, 0, 3};
  ASSERT_EQ(bitcoin::sha256d(minerlib::build_header(*id.job, en1, en2, id.job->ntime, 0, id.job->version)),
            bitcoin::sha256d(minerlib::build_header(*refreshed, en1, en2, id.job->ntime, 0, id.job->version)))
      << "the refreshed job is different work; the second case would not be a duplicate";
  miner.send(solved_submit("11", worker, *id.job, id.extranonce1_hex, 3));
  const auto same_job = reply_to(miner, "11");
  ASSERT_TRUE(same_job) << "the resubmitted share was not answered";
  EXPECT_EQ(error_code(*same_job), 22) << "the same share was accepted twice under one job id: " << *same_job;
  minerlib::MinerJob renamed = *id.job;
  renamed.job_id = refreshed->job_id;
  miner.send(solved_submit("12", worker, renamed, id.extranonce1_hex, 3));
  const auto new_job = reply_to(miner, "12");
  ASSERT_TRUE(new_job) << "the share under the new job id was not answered";
  EXPECT_EQ(error_code(*new_job), 22) << "the same header was accepted again under the new job's id: " << *new_job;
  verify_after_attack("resubmit after a work refresh", 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileBackendTest, ::testing::Values("sqlite", "postgresql"));

// Thousands of connect/close cycles (some reset, some after half a line), silent half-open
// connections and half-closed ones: the server keeps serving, closes the silent ones at the idle
// timeout and its descriptor count returns to the baseline.
TEST_F(HostileTest, ConnectionChurnLeavesNoDescriptorsBehind) {
  PoolOptions options;
  options.idle_timeout_seconds = 2;
  if (!start_pool("sqlite", options)) return;
  begin_attack();
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    RawConn c(pool_->port(), "127.0.0.2");
    if (!c.connected()) {
      ++refused;
      continue;
    }
    if (i % 3 == 1) c.send(R"({"id":1,"method":"mining.subsc)");
    if (i % 2 == 0) c.reset();
  }
  EXPECT_EQ(refused, 0) << "connects refused during churn";
  std::vector<std::unique_ptr<RawConn>> silent, half_closed;
  for (int i = 0; i < 200; ++i) silent.push_back(std::make_unique<RawConn>(pool_->port(), "127.0.0.3"));
  for (int i = 0; i < 200; ++i) {
    half_closed.push_back(std::make_unique<RawConn>(pool_->port(), "127.0.0.4"));
    half_closed.back()->send(R"({"id":1,"method":"mining.ping"})" "\n");
    half_closed.back()->shutdown_write();
  }
  {
    // The server still takes new miners while all that is open.
    RawConn newcomer(pool_->port(), "127.0.0.5");
    const auto id = handshake(newcomer, R"(["newcomer"])", std::string(kAddress) + ".newcomer");
    EXPECT_TRUE(id.authorized && id.job) << "a new miner was not served after the churn";
  }
  EXPECT_TRUE(eventually([&] {
    for (auto& c : silent) {
      if (!c->closed_within(0ms)) return false;
    }
    return true;
  })) << "silent connections outlived the idle timeout";
  for (auto& c : half_closed) EXPECT_TRUE(c->closed_within(2s)) << "a half-closed connection was kept open";
  EXPECT_TRUE(eventually([&] { return pool_->open_fds() <= baseline_fds_; }))
      << "poold holds " << pool_->open_fds() << " descriptors, " << baseline_fds_ << " before the churn";
  verify_after_attack("connection churn (3000 cycles, 200 silent, 200 half-closed)");
}

}  // namespace
}  // namespace pool::test::hostile
