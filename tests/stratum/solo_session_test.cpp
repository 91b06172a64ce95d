// SOLO with several addresses on one connection (a proxy): every job pays exactly one of them,
// a share is checked against the coinbase paying its worker's own address, a block pays the
// worker credited with it, and a share on another address's job is refused. The miner's side is
// minerlib (written from the protocol), so the coinbase is decoded from what was sent.
#include <gtest/gtest.h>

#include "bitcoin/address.h"
#include "bitcoin/transaction.h"
#include "tools/minerlib/miner_work.h"
#include "stratum/fake_host.h"
#include "stratum/session.h"
#include "util/json.h"

namespace pool::stratum {
namespace {

const std::string kAddressA = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";  // P2WPKH
const std::string kAddressB = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";            // P2PKH

bitcoin::Bytes script_of(const std::string& address) {
  return bitcoin::address_to_script(address, bitcoin::Network::kRegtest);
}

struct Notify {
  minerlib::MinerJob job;
  bitcoin::Bytes pays;  // the coinbase's first output script, decoded from coinb1/coinb2
};

class SoloSessionTest : public ::testing::Test {
 protected:
  SoloSessionTest() : host(/*hard_network_target=*/false) {
    config.solo = true;
    config.vardiff.initial = 1e-7;
    config.vardiff.minimum = 1e-9;
    host.add_job();
    session = std::make_unique<Session>(host, config, "127.0.0.1");
  }
  std::vector<std::string> send(const std::string& line) {
    std::vector<Outgoing> out;
    session->handle_line(line, out);
    return collect(out);
  }
  std::vector<std::string> collect(const std::vector<Outgoing>& out) {
    std::vector<std::string> lines;
    for (const auto& o : out) {
      lines.push_back(o.shared ? *o.shared : o.line);
      if (o.share) shares.push_back(*o.share);
    }
    return lines;
  }
  std::vector<Notify> notifies(const std::vector<std::string>& lines) const {
    std::vector<Notify> result;
    for (const auto& line : lines) {
      auto doc = util::parse_json(line);
      if (!doc.HasMember("method") || std::string(doc["method"].GetString()) != "mining.notify") continue;
      Notify n{minerlib::parse_notify(doc["params"]), {}};
      bitcoin::Bytes coinbase = n.job.coinb1;
      const bitcoin::Bytes en1 = bitcoin::from_hex(session->extranonce1_hex());
      coinbase.insert(coinbase.end(), en1.begin(), en1.end());
      coinbase.insert(coinbase.end(), 8, 0);
      coinbase.insert(coinbase.end(), n.job.coinb2.begin(), n.job.coinb2.end());
      const auto tx = bitcoin::Transaction::from_bytes(coinbase);
      n.pays = tx.outputs.at(0).script_pubkey;
      result.push_back(std::move(n));
    }
    return result;
  }
  void login() {
    send(R"({"id":1,"method":"mining.subscribe","params":["proxy/1.0"]})");
    auto a = send(R"({"id":2,"method":"mining.authorize","params":[")" + kAddressA + R"(.rig1","x"]})");
    auto b = send(R"({"id":3,"method":"mining.authorize","params":[")" + kAddressB + R"(.rig2","x"]})");
    for (const auto& n : notifies(a)) work[n.pays] = n.job;
    for (const auto& n : notifies(b)) work[n.pays] = n.job;
  }
  // A submit line for `job` whose hash meets `target` (regtest: block-level targets are easy).
  std::string solved(const std::string& id, const std::string& worker, const minerlib::MinerJob& job,
                     const bitcoin::Target& target, uint32_t en2) {
    bitcoin::Bytes extranonce2(8, 0);
    bitcoin::write_be32(extranonce2.data() + 4, en2);
    const auto header = minerlib::build_header(job, bitcoin::from_hex(session->extranonce1_hex()), extranonce2,
                                               job.ntime, 0, job.version);
    const auto nonce = minerlib::scan_nonces(header, target, 0, 1u << 20);
    EXPECT_TRUE(nonce.has_value());
    return minerlib::submit_line(id, worker, job, extranonce2, job.ntime, nonce.value_or(0), 0);
  }
  static int error_code(const std::string& line) {
    auto doc = util::parse_json(line);
    return doc["error"].IsArray() ? doc["error"][0].GetInt() : 0;
  }
  static std::string error_text(const std::string& line) {
    auto doc = util::parse_json(line);
    return doc["error"].IsArray() ? doc["error"][1].GetString() : "";
  }

  test::FakeHost host;
  SessionConfig config;
  std::unique_ptr<Session> session;
  std::map<bitcoin::Bytes, minerlib::MinerJob> work;  // the latest job sent for each payout script
  std::vector<AcceptedShare> shares;
  const bitcoin::Target network = *bitcoin::target_from_bits(0x207fffff);
};

TEST_F(SoloSessionTest, EachAddressGetsAJobPayingItself) {
  login();
  ASSERT_EQ(work.size(), 2u) << "one job per address on the connection";
  ASSERT_TRUE(work.count(script_of(kAddressA)));
  ASSERT_TRUE(work.count(script_of(kAddressB)));
  EXPECT_NE(work[script_of(kAddressA)].job_id, work[script_of(kAddressB)].job_id);

  // A new block: both addresses get fresh work; only the first notify says clean_jobs, so the
  // miner keeps both, and the first-authorized address's job comes last.
  std::vector<Outgoing> out;
  const auto job = host.add_job(/*new_tip=*/true);
  session->on_new_job(job, nullptr, out);
  const auto sent = notifies(collect(out));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(sent[0].job.clean);
  EXPECT_FALSE(sent[1].job.clean);
  EXPECT_EQ(sent[0].pays, script_of(kAddressB));
  EXPECT_EQ(sent[1].pays, script_of(kAddressA));

  // A worker of an address already present adds no job.
  const auto more = send(R"({"id":4,"method":"mining.authorize","params":[")" + kAddressA + R"(.rig3","x"]})");
  EXPECT_TRUE(notifies(more).empty());
}

TEST_F(SoloSessionTest, SharesAndBlocksAreCreditedToTheAddressTheCoinbasePays) {
  login();
  ASSERT_EQ(work.size(), 2u);
  const auto& job_a = work[script_of(kAddressA)];
  const auto& job_b = work[script_of(kAddressB)];

  // B finds a block on its own job: the block pays B and B is its finder.
  auto reply = send(solved("10", kAddressB + ".rig2", job_b, network, 1));
  ASSERT_EQ(error_code(reply.at(0)), 0) << reply.at(0);
  ASSERT_EQ(host.blocks.size(), 1u);
  EXPECT_EQ(host.blocks[0].worker, kAddressB + ".rig2");
  EXPECT_EQ(host.blocks[0].address, kAddressB);
  const bitcoin::Block block = mining::assemble_block(*host.block_jobs[0], host.block_solutions[0]);
  EXPECT_EQ(block.transactions[0].outputs[0].script_pubkey, script_of(kAddressB));
  EXPECT_EQ(block.transactions[0].outputs[0].value, host.tmpl->coinbase_value);
  EXPECT_EQ(block.transactions[0].outputs[1].script_pubkey, *host.tmpl->default_witness_commitment);
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].worker, kAddressB + ".rig2");
  EXPECT_EQ(shares[0].payout_script, script_of(kAddressB));

  // A's share on A's job is accepted and credited to A.
  reply = send(solved("11", kAddressA + ".rig1", job_a, bitcoin::target_from_difficulty(1e-7), 2));
  ASSERT_EQ(error_code(reply.at(0)), 0) << reply.at(0);
  ASSERT_EQ(shares.size(), 2u);
  EXPECT_EQ(shares[1].worker, kAddressA + ".rig1");
  EXPECT_EQ(shares[1].payout_script, script_of(kAddressA));
  for (size_t i = 0; i < host.blocks.size(); ++i) {  // on regtest A's share may be a block too
    const auto coinbase = mining::assemble_block(*host.block_jobs[i], host.block_solutions[i]).transactions[0];
    EXPECT_EQ(coinbase.outputs[0].script_pubkey, host.blocks[i].payout_script);
  }
  const size_t blocks = host.blocks.size();

  // A submitting a block-level solution on B's job: refused with a reason, nothing credited,
  // no block submitted (it would pay B while naming A).
  reply = send(solved("12", kAddressA + ".rig1", job_b, network, 3));
  EXPECT_EQ(error_code(reply.at(0)), kOther);
  EXPECT_NE(error_text(reply.at(0)).find("pays " + kAddressB), std::string::npos) << reply.at(0);
  EXPECT_EQ(shares.size(), 2u);
  EXPECT_EQ(host.blocks.size(), blocks);
  EXPECT_EQ(session->rejected(), 1u);
}

}  // namespace
}  // namespace pool::stratum
