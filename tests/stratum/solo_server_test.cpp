// SOLO over real sockets: a proxy logs in two addresses on one connection, gets a job paying
// each, and a block found on B's job reaches the block handler paying B and credited to B; A's
// share on B's job is refused. The server personalizes jobs itself (StratumServer's host).
#include <gtest/gtest.h>

#include <mutex>

#include "bitcoin/address.h"
#include "bitcoin/transaction.h"
#include "stratum/fake_host.h"
#include "stratum/server.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::stratum {
namespace {

const std::string kAddressA = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
const std::string kAddressB = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";

class Sink : public ShareSink {
 public:
  void record(const AcceptedShare& share, std::function<void(RecordOutcome)> done) override {
    {
      std::lock_guard lock(mutex);
      shares.push_back(share);
    }
    done(RecordOutcome::kRecorded);
  }
  void flush() override {}
  std::mutex mutex;
  std::vector<AcceptedShare> shares;
};

struct FoundBlock {
  mining::JobPtr job;
  mining::Solution solution;
  AcceptedShare share;
};

rapidjson::Document next(minerlib::LineClient& c) {
  const auto line = c.read_line();
  if (!line) throw std::runtime_error("no line from the server");
  return util::parse_json(*line);
}

// Reads until the reply to `id`, collecting mining.notify messages on the way.
rapidjson::Document reply_to(minerlib::LineClient& c, int id, std::vector<minerlib::MinerJob>& notifies) {
  while (true) {
    auto m = next(c);
    if (m.HasMember("method") && std::string(m["method"].GetString()) == "mining.notify") {
      notifies.push_back(minerlib::parse_notify(m["params"]));
    } else if (m.HasMember("id") && m["id"].IsInt() && m["id"].GetInt() == id) {
      return m;
    }
  }
}

// The first output script of the coinbase a notify describes.
bitcoin::Bytes pays(const minerlib::MinerJob& job, const bitcoin::Bytes& extranonce1, size_t extranonce2_size) {
  bitcoin::Bytes coinbase = job.coinb1;
  coinbase.insert(coinbase.end(), extranonce1.begin(), extranonce1.end());
  coinbase.insert(coinbase.end(), extranonce2_size, 0);
  coinbase.insert(coinbase.end(), job.coinb2.begin(), job.coinb2.end());
  return bitcoin::Transaction::from_bytes(coinbase).outputs.at(0).script_pubkey;
}

TEST(SoloServer, TwoAddressesOnOneConnectionArePaidAndCreditedApart) {
  test::FakeHost host(/*hard_network_target=*/false);
  host.add_job();
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.session.solo = true;
  o.session.vardiff.initial = 1e-7;
  Sink sink;
  std::mutex mutex;
  std::vector<FoundBlock> found;
  StratumServer server(o, host.registry, bitcoin::Network::kRegtest, sink,
                       [&](const mining::JobPtr& job, const mining::Solution& s, const AcceptedShare& share) {
                         std::lock_guard lock(mutex);
                         found.push_back({job, s, share});
                       });
  server.start();

  minerlib::LineClient c("127.0.0.1", server.port());
  std::vector<minerlib::MinerJob> notifies;
  c.send(R"({"id":1,"method":"mining.subscribe","params":["proxy/1"]})" "\n");
  auto sub = reply_to(c, 1, notifies);
  const bitcoin::Bytes en1 = bitcoin::from_hex(sub["result"][1].GetString());
  const size_t en2_size = sub["result"][2].GetUint();
  c.send(R"({"id":2,"method":"mining.authorize","params":[")" + kAddressA + R"(.rig1","x"]})" "\n");
  ASSERT_TRUE(reply_to(c, 2, notifies)["result"].GetBool());
  c.send(R"({"id":3,"method":"mining.authorize","params":[")" + kAddressB + R"(.rig2","x"]})" "\n");
  ASSERT_TRUE(reply_to(c, 3, notifies)["result"].GetBool());
  // The work for B follows its authorize reply; a ping's reply comes after it.
  c.send(R"({"id":4,"method":"mining.ping","params":[]})" "\n");
  reply_to(c, 4, notifies);

  std::map<bitcoin::Bytes, minerlib::MinerJob> work;
  for (const auto& n : notifies) work[pays(n, en1, en2_size)] = n;
  const auto script_a = bitcoin::address_to_script(kAddressA, bitcoin::Network::kRegtest);
  const auto script_b = bitcoin::address_to_script(kAddressB, bitcoin::Network::kRegtest);
  ASSERT_EQ(work.size(), 2u);
  ASSERT_TRUE(work.count(script_a) && work.count(script_b));

  const auto network = *bitcoin::target_from_bits(work[script_b].nbits);
  auto solved = [&](const std::string& id, const std::string& worker, const minerlib::MinerJob& job, uint32_t en2v) {
    bitcoin::Bytes en2(en2_size, 0);
    bitcoin::write_be32(en2.data() + en2.size() - 4, en2v);
    const auto header = minerlib::build_header(job, en1, en2, job.ntime, 0, job.version);
    const auto nonce = minerlib::scan_nonces(header, network, 0, 1u << 20);
    EXPECT_TRUE(nonce.has_value());
    return minerlib::submit_line(id, worker, job, en2, job.ntime, nonce.value_or(0), 0);
  };

  // B's block on B's job: paid to B, credited to B.
  c.send(solved("10", kAddressB + ".rig2", work[script_b], 1));
  auto r = reply_to(c, 10, notifies);
  ASSERT_TRUE(r["result"].IsBool() && r["result"].GetBool());
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].share.worker, kAddressB + ".rig2");
    EXPECT_EQ(found[0].share.address, kAddressB);
    const auto block = mining::assemble_block(*found[0].job, found[0].solution);
    EXPECT_EQ(block.transactions[0].outputs[0].script_pubkey, script_b);
  }

  // A's block-level solution on B's job: refused, nothing found or credited.
  c.send(solved("11", kAddressA + ".rig1", work[script_b], 2));
  r = reply_to(c, 11, notifies);
  ASSERT_TRUE(r["error"].IsArray());
  EXPECT_EQ(r["error"][0].GetInt(), kOther);
  EXPECT_NE(std::string(r["error"][1].GetString()).find("pays " + kAddressB), std::string::npos);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(found.size(), 1u);
  }
  std::lock_guard lock(sink.mutex);
  ASSERT_EQ(sink.shares.size(), 1u);
  EXPECT_EQ(sink.shares[0].worker, kAddressB + ".rig2");
  EXPECT_EQ(sink.shares[0].payout_script, script_b);
  server.stop();
}

}  // namespace
}  // namespace pool::stratum
