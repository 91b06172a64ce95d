// The Stratum server over real sockets: pipelined openings, every method and reject code, huge
// lines, binary junk, limits, idle timeout, bans, session resume, broadcast and shutdown.
#include "stratum/server_fixture.h"

#include <condition_variable>

namespace pool::stratum {
namespace {

using namespace test_support;


TEST_F(ServerTest, BitaxePipelinedOpeningIsAnsweredInOrder) {
  start();
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]})" "\n"
         R"({"id":2,"method":"mining.subscribe","params":["bitaxe/BM1366/v2.4.0"]})" "\n"
         R"({"id":3,"method":"mining.authorize","params":[")" + kWorker + R"(","x"]})" "\n"
         R"({"id":4,"method":"mining.suggest_difficulty","params":[1e-7]})" "\n");
  EXPECT_EQ(next(c)["id"].GetInt(), 1);
  auto sub = next(c);
  EXPECT_EQ(sub["id"].GetInt(), 2);  // the subscribe reply is the very next line
  EXPECT_TRUE(sub["result"].IsArray());
  auto auth = next(c);
  EXPECT_EQ(auth["id"].GetInt(), 3);
  auto diff = next(c);
  EXPECT_STREQ(diff["method"].GetString(), "mining.set_difficulty");  // before the notify
  EXPECT_STREQ(next(c)["method"].GetString(), "mining.notify");
  EXPECT_EQ(next(c)["id"].GetInt(), 4);
}

TEST_F(ServerTest, SharesAcceptedRejectedAndRecorded) {
  start();
  LineClient c = connect();
  const Login l = login(c);
  const std::string good = share(l, 1, "\"s1\"");
  c.send(good);
  auto r = next(c);
  EXPECT_EQ(r["id"], "s1");
  EXPECT_TRUE(r["result"].GetBool());
  c.send(good);
  EXPECT_EQ(error_code(next(c)), kDuplicate);
  c.send(share(l, 2, "5", true));
  EXPECT_EQ(error_code(next(c)), kLowDifficulty);
  ASSERT_EQ(sink->count(), 1u);
  EXPECT_EQ(sink->shares[0].worker, kWorker);
  EXPECT_DOUBLE_EQ(sink->shares[0].difficulty, 1e-7);
  EXPECT_EQ(sink->shares[0].remote, "127.0.0.1");
  const auto stats = server->stats().snapshot(std::chrono::system_clock::now());
  EXPECT_EQ(stats.accepted, 1u);
  EXPECT_EQ(stats.rejects_by_reason.at("duplicate"), 1u);
  EXPECT_EQ(stats.rejects_by_reason.at("low-difficulty"), 1u);
  ASSERT_EQ(stats.workers.size(), 1u);
  EXPECT_GT(stats.workers[0].hashrate, 0);
}

TEST_F(ServerTest, ShareReplyWaitsForDurabilityAndKeepsOrder) {
  start({}, std::chrono::milliseconds(50));
  LineClient c = connect();
  const Login l = login(c);
  c.send(share(l, 1, "10") + R"({"id":11,"method":"mining.ping"})" "\n");
  auto first = next(c);
  EXPECT_EQ(first["id"].GetInt(), 10);  // the ping's reply may not overtake the share's
  EXPECT_TRUE(first["result"].GetBool());
  EXPECT_EQ(next(c)["id"].GetInt(), 11);
}

TEST_F(ServerTest, StaleAfterNewBlockAndNotSubscribedAndUnauthorized) {
  start();
  LineClient c = connect();
  Login l = login(c);
  const std::string old_share = share(l, 1);
  server->broadcast(host.add_job(true));
  Login fresh = l;
  read_until_notify(c, fresh);
  EXPECT_TRUE(fresh.job.clean);
  c.send(old_share);
  EXPECT_EQ(error_code(next(c)), kJobNotFound);

  LineClient d = connect();
  d.send(share(fresh, 1));
  EXPECT_EQ(error_code(next(d)), kNotSubscribed);
  d.send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n");
  next(d);
  d.send(share(fresh, 2));
  EXPECT_EQ(error_code(next(d)), kUnauthorized);
}

TEST_F(ServerTest, UnknownMethodAndBadJsonKeepTheConnection) {
  start();
  LineClient c = connect();
  c.send(R"({"id":"x","method":"mining.frobnicate","params":[]})" "\n");
  auto r = next(c);
  EXPECT_EQ(error_code(r), kOther);
  EXPECT_EQ(r["id"], "x");
  c.send("{this is not json\n");
  EXPECT_TRUE(next(c)["id"].IsNull());
  EXPECT_EQ(server->stats().snapshot(std::chrono::system_clock::now()).invalid_messages, 1u);
  c.send(R"({"id":7,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(c)["id"].GetInt(), 7);
}

TEST_F(ServerTest, HugeLineClosesOnlyThatConnection) {
  start();
  LineClient bystander = connect();
  login(bystander);
  LineClient c = connect();
  c.send("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"" + std::string(20000, 'a') + "\"]}\n");
  EXPECT_TRUE(c.closed_by_peer());
  bystander.send(R"({"id":9,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(bystander)["id"].GetInt(), 9);
}

TEST_F(ServerTest, TlsClientHelloAndBinaryJunkAreClosed) {
  start();
  LineClient tls = connect();
  tls.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  EXPECT_TRUE(tls.closed_by_peer());
  LineClient junk = connect();
  junk.send(std::string("\x00\xff\xfe garbage\n", 11));
  EXPECT_TRUE(junk.closed_by_peer());
  LineClient ok = connect();
  ok.send(R"({"id":1,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(ok)["id"].GetInt(), 1);
}

TEST_F(ServerTest, ReconnectingMinerResumesItsSession) {
  start();
  std::string en1;
  {
    LineClient c = connect();
    c.send(R"({"id":1,"method":"mining.subscribe","params":["cpuminer/2.5"]})" "\n");
    en1 = next(c)["result"][1].GetString();
  }
  // The old connection's extranonce is released once the server has seen the close.
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == 0; }));
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.subscribe","params":["cpuminer/2.5",")" + en1 + R"("]})" "\n");
  EXPECT_EQ(next(c)["result"][1].GetString(), en1);
  // A session id that is in use is not handed out twice.
  LineClient d = connect();
  d.send(R"({"id":1,"method":"mining.subscribe","params":["cpuminer/2.5",")" + en1 + R"("]})" "\n");
  EXPECT_NE(next(d)["result"][1].GetString(), en1);
}

// The replay attack: a valid share is credited once, whatever connection or extranonce1 carries
// it again. Each of these was accepted (and stored) a second time before the duplicate check
// became pool-wide.
// The database says a share is already stored (another instance, or a restart took it): the
// miner's `true` becomes error 22. The rewritten reply is longer than the one it replaces; the
// connection's count of unsent bytes must not be thrown off by that (it once underflowed and
// the connection stopped reading), so the miner is still served afterwards.
TEST_F(ServerTest, AShareTheDatabaseAlreadyHoldsIsADuplicateAndTheMinerIsStillServed) {
  start();
  sink->outcome = RecordOutcome::kDuplicate;
  LineClient c = connect();
  const Login l = login(c);
  c.send(share(l, 1, "10"));
  EXPECT_EQ(error_code(next(c)), kDuplicate);
  for (int i = 0; i < 3; ++i) {
    c.send(R"({"id":)" + std::to_string(20 + i) + R"(,"method":"mining.ping"})" "\n");
    EXPECT_STREQ(next(c)["result"].GetString(), "pong");
  }
  EXPECT_TRUE(eventually([&] { return server->stats().snapshot(std::chrono::system_clock::now()).queued_output_bytes == 0; }));
}

TEST_F(ServerTest, ShareReplayedAfterReconnectingWithTheSameExtranonceIsADuplicate) {
  start();
  std::string replay, en1;
  {
    LineClient c = connect();
    const Login l = login(c);
    en1 = bitcoin::to_hex(l.extranonce1);
    replay = share(l, 1, "10");
    c.send(replay);
    EXPECT_TRUE(next(c)["result"].GetBool());
  }
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == 0; }));
  LineClient c = connect();
  Login again = login(c, en1);
  ASSERT_EQ(bitcoin::to_hex(again.extranonce1), en1);  // the session is resumed
  c.send(replay);
  auto r = next(c);
  EXPECT_EQ(error_code(r), kDuplicate);
  EXPECT_TRUE(r["result"].IsNull());
  c.send(share(again, 2, "11"));  // new work on the resumed session is credited as usual
  EXPECT_TRUE(next(c)["result"].GetBool());
  EXPECT_EQ(sink->count(), 2u);
}

TEST_F(ServerTest, ShareOfALeftSessionReplayedByAnotherMinerOnItsExtranonceIsADuplicate) {
  start();
  Login la;
  std::string stolen;
  {
    LineClient a = connect();
    la = login(a);
    stolen = share(la, 7, "20");
    a.send(stolen);
    EXPECT_TRUE(next(a)["result"].GetBool());
  }
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == 0; }));
  // Another miner asks for A's extranonce1 and submits A's share under its own name.
  const std::string thief = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz.thief";
  LineClient b = connect();
  const Login lb = login(b, bitcoin::to_hex(la.extranonce1), thief);
  ASSERT_EQ(lb.extranonce1, la.extranonce1);
  b.send(std::string(stolen).replace(stolen.find(kWorker), kWorker.size(), thief));
  EXPECT_EQ(error_code(next(b)), kDuplicate);
  ASSERT_EQ(sink->count(), 1u);
  EXPECT_EQ(sink->shares[0].worker, kWorker);
  EXPECT_EQ(server->stats().snapshot(std::chrono::system_clock::now()).rejects_by_reason.at("duplicate"), 1u);
}

TEST_F(ServerTest, ShareReplayedOnAnExtranonceGivenUpByRotationIsADuplicate) {
  start();
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.configure","params":[["subscribe-extranonce"],{}]})" "\n");
  next(c);
  const Login l = login(c);
  const std::string replay = share(l, 3, "30");
  c.send(replay);
  EXPECT_TRUE(next(c)["result"].GetBool());
  server->rotate_extranonces();  // c moves to a new extranonce1; the old one is free again
  auto m = next(c);
  ASSERT_STREQ(m["method"].GetString(), "mining.set_extranonce");
  LineClient d = connect();
  const Login ld = login(d, bitcoin::to_hex(l.extranonce1));
  ASSERT_EQ(ld.extranonce1, l.extranonce1);
  d.send(replay);
  EXPECT_EQ(error_code(next(d)), kDuplicate);
  EXPECT_EQ(sink->count(), 1u);
}

TEST_F(ServerTest, SoloShareReplayedAfterReconnectIsADuplicate) {
  ServerOptions o;
  o.session.solo = true;  // each miner's job is rebuilt for it: the replay meets a new job object
  start(o);
  std::string replay, en1;
  {
    LineClient c = connect();
    const Login l = login(c);
    en1 = bitcoin::to_hex(l.extranonce1);
    replay = share(l, 1, "40");
    c.send(replay);
    EXPECT_TRUE(next(c)["result"].GetBool());
  }
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == 0; }));
  LineClient c = connect();
  const Login again = login(c, en1);
  ASSERT_EQ(bitcoin::to_hex(again.extranonce1), en1);
  c.send(replay);
  EXPECT_EQ(error_code(next(c)), kDuplicate);
  EXPECT_EQ(sink->count(), 1u);
}

TEST_F(ServerTest, ExtranoncesStayInsideTheLeasedPrefix) {
  start();
  server->set_extranonce_prefix(0xab);
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.subscribe","params":["m/1"]})" "\n");
  const std::string fresh = next(c)["result"][1].GetString();
  EXPECT_EQ(fresh.substr(0, 2), "ab");
  // Another instance's extranonce1 (another prefix) is never resumed here; ours is when free.
  LineClient d = connect();
  d.send(R"({"id":1,"method":"mining.subscribe","params":["m/1","cd000001"]})" "\n");
  const std::string refused = next(d)["result"][1].GetString();
  EXPECT_EQ(refused.substr(0, 2), "ab");
  LineClient e = connect();
  e.send(R"({"id":1,"method":"mining.subscribe","params":["m/1","AB000042"]})" "\n");
  EXPECT_EQ(std::string(next(e)["result"][1].GetString()), "ab000042");
  LineClient f = connect();
  f.send(R"({"id":1,"method":"mining.subscribe","params":["m/1","ab000042"]})" "\n");  // in use
  EXPECT_NE(std::string(next(f)["result"][1].GetString()), "ab000042");
}

// The lease of this instance's prefix was taken over (its database was unreachable too long):
// no session may keep an extranonce1 another instance now hands out. A miner that takes
// extranonce changes gets a new one here; one that does not is closed and reconnects.
TEST_F(ServerTest, SessionsLeaveAPrefixThatMovedToAnotherInstance) {
  start();
  server->set_extranonce_prefix(0xab);
  LineClient rolling = connect();
  rolling.send(R"({"id":1,"method":"mining.configure","params":[["subscribe-extranonce"],{}]})" "\n");
  next(rolling);
  const Login l = login(rolling);
  ASSERT_EQ(bitcoin::to_hex(l.extranonce1).substr(0, 2), "ab");
  LineClient plain = connect();
  ASSERT_EQ(bitcoin::to_hex(login(plain).extranonce1).substr(0, 2), "ab");

  server->set_extranonce_prefix(0xcd);
  std::string moved;
  while (auto line = rolling.read_line(std::chrono::seconds(5))) {
    if (line->find("mining.set_extranonce") != std::string::npos) {
      moved = util::parse_json(*line)["params"][0].GetString();
      break;
    }
  }
  EXPECT_EQ(moved.substr(0, 2), "cd");
  EXPECT_TRUE(plain.closed_by_peer(std::chrono::seconds(5)));
}

TEST_F(ServerTest, ConnectionLimitsAnswer503) {
  ServerOptions o;
  o.max_connections = 2;
  start(o);
  LineClient a = connect(), b = connect();
  a.send(R"({"id":1,"method":"mining.ping"})" "\n");
  next(a);
  b.send(R"({"id":1,"method":"mining.ping"})" "\n");
  next(b);
  LineClient c = connect();
  const auto line = c.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, R"({"id":null,"error":[503,"Too many connections",null]})");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, PerIpLimit) {
  ServerOptions o;
  o.max_connections_per_ip = 1;
  start(o);
  LineClient a = connect();
  a.send(R"({"id":1,"method":"mining.ping"})" "\n");
  next(a);
  LineClient b = connect();
  const auto line = b.read_line();
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("503"), std::string::npos);
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout_seconds = 0.3;
  start(o);
  LineClient c = connect();
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(5)));
}

TEST_F(ServerTest, AbusiveMinerIsDisconnectedAndBackedOff) {
  ServerOptions o;
  o.ban_seconds = 60;
  start(o);
  LineClient c = connect();
  const Login l = login(c);
  std::string burst;
  for (uint32_t i = 0; i < 25; ++i) burst += share(l, i, std::to_string(i), true);
  c.send(burst);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(server->banned_ips(), 1u);
  const auto stats = server->stats().snapshot(std::chrono::system_clock::now());
  EXPECT_EQ(stats.abuse_disconnects, 1u);
  EXPECT_EQ(stats.bans, 1u);
  LineClient again = connect();
  EXPECT_TRUE(again.closed_by_peer());
}

TEST_F(ServerTest, BroadcastReachesEverySession) {
  start();
  std::vector<LineClient> miners;
  std::vector<Login> logins;
  for (int i = 0; i < 40; ++i) {
    miners.push_back(connect());
    logins.push_back(login(miners.back()));
  }
  const auto job = host.add_job(true);
  server->broadcast(job);
  for (size_t i = 0; i < miners.size(); ++i) {
    read_until_notify(miners[i], logins[i]);
    EXPECT_EQ(logins[i].job.job_id, job->id);
  }
}

TEST_F(ServerTest, ShowMessageAndGracefulStopWithReconnect) {
  ServerOptions o;
  o.reconnect_host = "pool.example";
  o.reconnect_port = 3334;
  start(o);
  LineClient c = connect();
  login(c);
  server->show_message("maintenance at 12:00");
  auto m = next(c);
  EXPECT_STREQ(m["method"].GetString(), "client.show_message");
  const auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  auto r = next(c);
  EXPECT_STREQ(r["method"].GetString(), "client.reconnect");
  EXPECT_STREQ(r["params"][0].GetString(), "pool.example");
  EXPECT_EQ(r["params"][1].GetInt(), 3334);
  EXPECT_TRUE(c.closed_by_peer());
  server.reset();
}

TEST_F(ServerTest, VersionMaskAndExtranonceChangesReachMiners) {
  start();
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.configure","params":[["version-rolling","subscribe-extranonce"],{"version-rolling.mask":"ffffffff"}]})" "\n");
  next(c);
  Login l = login(c);
  server->set_version_mask(0x0000e000);
  auto m = next(c);
  EXPECT_STREQ(m["method"].GetString(), "mining.set_version_mask");
  EXPECT_STREQ(m["params"][0].GetString(), "0000e000");
  server->rotate_extranonces();
  m = next(c);
  EXPECT_STREQ(m["method"].GetString(), "mining.set_extranonce");
  EXPECT_NE(bitcoin::from_hex(m["params"][0].GetString()), l.extranonce1);
  l.extranonce1 = bitcoin::from_hex(m["params"][0].GetString());
  read_until_notify(c, l);
  c.send(share(l, 1));
  EXPECT_TRUE(next(c)["result"].GetBool());  // shares on the new extranonce are accepted
}

TEST_F(ServerTest, ListensOnIpv6) {
  ServerOptions o;
  o.host = "::";
  try {
    start(o);
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << "SKIP: no IPv6 on this machine: " << e.what();
  }
  LineClient v6("::1", server->port());
  v6.send(R"({"id":1,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(v6)["id"].GetInt(), 1);
  LineClient v4("127.0.0.1", server->port());  // dual-stack
  v4.send(R"({"id":2,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(v4)["id"].GetInt(), 2);
}

}  // namespace
}  // namespace pool::stratum
