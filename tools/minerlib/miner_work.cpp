#include "tools/minerlib/miner_work.h"

#include <stdexcept>

#include "bitcoin/sha256.h"

namespace pool::minerlib {

namespace {
std::string str(const rapidjson::Value& params, unsigned i, const char* name) {
  if (!params.IsArray() || params.Size() <= i || !params[i].IsString()) {
    throw std::invalid_argument(std::string("mining.notify: missing ") + name);
  }
  return params[i].GetString();
}
}  // namespace

MinerJob parse_notify(const rapidjson::Value& p) {
  MinerJob job;
  job.job_id = str(p, 0, "job id");
  const bitcoin::Bytes prev = bitcoin::from_hex(str(p, 1, "prevhash"));
  if (prev.size() != 32) throw std::invalid_argument("mining.notify: prevhash is not 32 bytes");
  job.prevhash.resize(32);
  for (size_t w = 0; w < 8; ++w) {
    for (size_t b = 0; b < 4; ++b) job.prevhash[w * 4 + b] = prev[w * 4 + 3 - b];
  }
  job.coinb1 = bitcoin::from_hex(str(p, 2, "coinb1"));
  job.coinb2 = bitcoin::from_hex(str(p, 3, "coinb2"));
  if (p.Size() <= 4 || !p[4].IsArray()) throw std::invalid_argument("mining.notify: missing merkle branches");
  for (const auto& b : p[4].GetArray()) job.branches.push_back(bitcoin::from_hex(b.GetString()));
  job.version = bitcoin::parse_hex_u32(str(p, 5, "version"));
  job.nbits = bitcoin::parse_hex_u32(str(p, 6, "nbits"));
  job.ntime = bitcoin::parse_hex_u32(str(p, 7, "ntime"));
  job.clean = p.Size() > 8 && p[8].IsBool() && p[8].GetBool();
  return job;
}

std::array<uint8_t, 80> build_header(const MinerJob& job, const bitcoin::Bytes& extranonce1,
                                     const bitcoin::Bytes& extranonce2, uint32_t ntime, uint32_t nonce, uint32_t version) {
  bitcoin::Bytes coinbase = job.coinb1;
  coinbase.insert(coinbase.end(), extranonce1.begin(), extranonce1.end());
  coinbase.insert(coinbase.end(), extranonce2.begin(), extranonce2.end());
  coinbase.insert(coinbase.end(), job.coinb2.begin(), job.coinb2.end());
  uint8_t root[64];
  bitcoin::sha256d(coinbase, root);
  for (const auto& branch : job.branches) {
    std::copy(branch.begin(), branch.end(), root + 32);
    bitcoin::sha256d(std::span<const uint8_t>(root, 64), root);
  }
  std::array<uint8_t, 80> header{};
  bitcoin::write_le32(header.data(), version);
  std::copy(job.prevhash.begin(), job.prevhash.end(), header.begin() + 4);
  std::copy(root, root + 32, header.begin() + 36);
  bitcoin::write_le32(header.data() + 68, ntime);
  bitcoin::write_le32(header.data() + 72, job.nbits);
  bitcoin::write_le32(header.data() + 76, nonce);
  return header;
}

std::optional<uint32_t> scan_nonces(const std::array<uint8_t, 80>& header, const bitcoin::Target& target,
                                    uint32_t start, uint32_t count, uint64_t* hashes_done) {
  bitcoin::Sha256 midstate;
  midstate.update(std::span<const uint8_t>(header.data(), 64));
  uint8_t tail[16];
  std::copy(header.begin() + 64, header.end(), tail);
  uint8_t first[32];
  bitcoin::Uint256 hash;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t nonce = start + i;
    bitcoin::write_le32(tail + 12, nonce);
    bitcoin::Sha256 h = midstate;
    h.update(tail).finish(first);
    bitcoin::sha256(first, hash.data());
    if (bitcoin::hash_meets_target(hash, target)) {
      if (hashes_done) *hashes_done += i + 1;
      return nonce;
    }
  }
  if (hashes_done) *hashes_done += count;
  return std::nullopt;
}

std::string submit_line(const std::string& id_json, const std::string& worker, const MinerJob& job,
                        const bitcoin::Bytes& extranonce2, uint32_t ntime, uint32_t nonce, uint32_t version_bits) {
  std::string line = "{\"id\":" + id_json + ",\"method\":\"mining.submit\",\"params\":[\"" + worker + "\",\"" +
                     job.job_id + "\",\"" + bitcoin::to_hex(extranonce2) + "\",\"" + bitcoin::hex_u32(ntime) +
                     "\",\"" + bitcoin::hex_u32(nonce) + "\"";
  if (version_bits != 0) line += ",\"" + bitcoin::hex_u32(version_bits) + "\"";
  return line + "]}\n";
}

}  // namespace pool::minerlib
