#include "testnode/chain.h"

#include <algorithm>
#include <chrono>

#include "bitcoin/merkle.h"
#include "bitcoin/script.h"
#include "bitcoin/target.h"
#include "testnode/block_validation.h"

namespace pool::testnode {

using bitcoin::Bytes;
using bitcoin::Uint256;

namespace {
std::string key(const Uint256& h) { return h.internal_hex(); }
constexpr int64_t kHalvingInterval = 150;  // regtest
constexpr size_t kTemplateWeightLimit = kMaxBlockWeight - 4000;  // room for the coinbase
}  // namespace

bitcoin::Block regtest_genesis_block() {
  bitcoin::Transaction coinbase;
  coinbase.version = 1;
  bitcoin::TxIn in;
  in.script_sig = bitcoin::from_hex(
      "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365"
      "636f6e64206261696c6f757420666f722062616e6b73");
  coinbase.inputs.push_back(in);
  coinbase.outputs.push_back(bitcoin::TxOut{
      5000000000, bitcoin::from_hex("4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4"
                                    "f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac")});
  bitcoin::Block block;
  block.header.version = 1;
  block.header.time = 1296688602;
  block.header.bits = 0x207fffff;
  block.header.nonce = 2;
  block.transactions.push_back(coinbase);
  block.header.merkle_root = bitcoin::block_merkle_root(block);
  return block;
}

Chain::Chain(uint32_t bits, Clock clock) : bits_(bits), clock_(std::move(clock)) {
  bitcoin::Block genesis = regtest_genesis_block();
  if (bits != 0x207fffff) genesis.header.bits = bits;
  const Uint256 hash = genesis.header.hash();
  blocks_[key(hash)] = StoredBlock{genesis, hash, 0, 0, false};
  active_.push_back(hash);
}

uint32_t Chain::now() const {
  if (clock_) return clock_();
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

int64_t Chain::subsidy(int64_t height) {
  const int64_t halvings = height / kHalvingInterval;
  return halvings >= 64 ? 0 : (5000000000LL >> halvings);
}

std::optional<Uint256> Chain::hash_at(int64_t h) const {
  if (h < 0 || h > height()) return std::nullopt;
  return active_[static_cast<size_t>(h)];
}

const StoredBlock* Chain::find(const Uint256& hash) const {
  auto it = blocks_.find(key(hash));
  return it == blocks_.end() ? nullptr : &it->second;
}

int64_t Chain::confirmations(const Uint256& hash) const {
  const StoredBlock* b = find(hash);
  if (!b || b->height > height() || active_[static_cast<size_t>(b->height)] != hash) return -1;
  return height() - b->height + 1;
}

uint32_t Chain::median_time_past_of(const Uint256& hash) const {
  std::vector<uint32_t> times;
  const StoredBlock* b = find(hash);
  while (b && times.size() < 11) {
    times.push_back(b->block.header.time);
    b = b->height == 0 ? nullptr : find(b->block.header.prev_hash);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

uint32_t Chain::median_time_past() const { return median_time_past_of(tip_hash()); }

void Chain::add_to_mempool(bitcoin::Transaction tx, int64_t fee) {
  const Uint256 txid = tx.txid();
  known_fees_[key(txid)] = fee;
  mempool_.push_back(MempoolEntry{std::move(tx), txid, fee});
}

bool Chain::in_mempool(const Uint256& txid) const {
  return std::any_of(mempool_.begin(), mempool_.end(), [&](const MempoolEntry& e) { return e.txid == txid; });
}

bool Chain::remove_from_mempool(const Uint256& txid) {
  return std::erase_if(mempool_, [&](const MempoolEntry& e) { return e.txid == txid; }) > 0;
}

std::optional<int64_t> Chain::known_fee(const Uint256& txid) const {
  auto it = known_fees_.find(key(txid));
  if (it == known_fees_.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> Chain::tx_height(const Uint256& txid) const {
  for (int64_t h = height(); h >= 1; --h) {
    const StoredBlock* b = find(active_[static_cast<size_t>(h)]);
    for (size_t i = 1; i < b->block.transactions.size(); ++i) {
      if (b->block.transactions[i].txid() == txid) return h;
    }
  }
  return std::nullopt;
}

std::vector<const MempoolEntry*> Chain::template_transactions() const {
  std::vector<const MempoolEntry*> out;
  size_t weight = 0;
  for (const auto& e : mempool_) {
    const size_t w = e.tx.weight();
    if (weight + w > kTemplateWeightLimit) break;  // later entries may depend on this one
    weight += w;
    out.push_back(&e);
  }
  return out;
}

std::string Chain::check_contextual(const bitcoin::Block& block, const StoredBlock& prev) const {
  const int64_t height = prev.height + 1;
  if (block.header.bits != bits_) return "bad-diffbits";
  const uint32_t mtp = median_time_past_of(prev.hash);
  if (block.header.time <= mtp) return "time-too-old";
  if (block.header.time > now() + 2 * 60 * 60) return "time-too-new";
  if (block.header.version < 4) return "bad-version";
  for (const auto& tx : block.transactions) {
    if (!is_final_tx(tx, height, mtp)) return "bad-txns-nonfinal";
  }
  const Bytes expect = bitcoin::bip34_height_script(height);
  const Bytes& sig = block.transactions[0].inputs[0].script_sig;
  if (sig.size() < expect.size() || !std::equal(expect.begin(), expect.end(), sig.begin())) return "bad-cb-height";
  if (const std::string w = check_witness_commitment(block); !w.empty()) return w;
  if (block.weight() > kMaxBlockWeight) return "bad-blk-weight";
  return "";
}

std::string Chain::check_connect(const bitcoin::Block& block, int64_t height, int64_t* fees) const {
  int64_t total_fees = 0;
  for (size_t i = 1; i < block.transactions.size(); ++i) {
    const auto fee = known_fee(block.transactions[i].txid());
    if (!fee) return "bad-txns-inputs-missingorspent";
    total_fees += *fee;
  }
  if (block.transactions[0].total_output_value() > subsidy(height) + total_fees) return "bad-cb-amount";
  if (fees) *fees = total_fees;
  return "";
}

std::string Chain::check_block(const bitcoin::Block& block) const {
  if (const std::string r = check_block_context_free(block); !r.empty()) return r;
  const StoredBlock* prev = find(block.header.prev_hash);
  if (!prev) return "prev-blk-not-found";
  if (prev->invalid) return "bad-prevblk";
  if (const std::string r = check_contextual(block, *prev); !r.empty()) return r;
  return check_connect(block, prev->height + 1, nullptr);
}

std::optional<std::string> Chain::submit(const bitcoin::Block& block) {
  const Uint256 hash = block.header.hash();
  if (const StoredBlock* known = find(hash)) return known->invalid ? "duplicate-invalid" : "duplicate";
  if (const std::string reason = check_block(block); !reason.empty()) return reason;
  const StoredBlock* prev = find(block.header.prev_hash);
  StoredBlock stored{block, hash, prev->height + 1, 0, false};
  check_connect(block, stored.height, &stored.fees);
  const bool extends_tip = block.header.prev_hash == tip_hash();
  const bool more_work = stored.height > height();
  blocks_[key(hash)] = std::move(stored);
  if (extends_tip) {
    connect(hash);
    return std::nullopt;
  }
  if (more_work) {
    activate_branch(hash);
    return std::nullopt;
  }
  return std::string("inconclusive");
}

void Chain::connect(const Uint256& hash) {
  const StoredBlock& b = blocks_.at(key(hash));
  active_.push_back(hash);
  std::vector<std::string> included;
  for (size_t i = 1; i < b.block.transactions.size(); ++i) included.push_back(key(b.block.transactions[i].txid()));
  std::erase_if(mempool_, [&](const MempoolEntry& e) {
    return std::find(included.begin(), included.end(), key(e.txid)) != included.end();
  });
  if (tip_callback_) tip_callback_(hash);
}

void Chain::activate_branch(const Uint256& new_tip) {
  // Walk back from the new tip to the fork point, then disconnect and reconnect.
  std::vector<Uint256> branch;
  const StoredBlock* b = find(new_tip);
  while (b->height > height() || active_[static_cast<size_t>(b->height)] != b->hash) {
    branch.push_back(b->hash);
    b = find(b->block.header.prev_hash);
  }
  disconnect_above(b->height);
  const auto saved = tip_callback_;
  tip_callback_ = nullptr;  // report only the final tip
  for (auto it = branch.rbegin(); it != branch.rend(); ++it) connect(*it);
  tip_callback_ = saved;
  if (tip_callback_) tip_callback_(tip_hash());
}

void Chain::disconnect_above(int64_t new_height) {
  // Transactions of disconnected blocks go back to the front of the mempool in block order, so
  // parents still precede children.
  std::vector<MempoolEntry> returned;
  const int64_t old_height = height();
  for (int64_t h = new_height + 1; h <= old_height; ++h) {
    const StoredBlock& gone = blocks_.at(key(active_[static_cast<size_t>(h)]));
    for (size_t i = 1; i < gone.block.transactions.size(); ++i) {
      const auto& tx = gone.block.transactions[i];
      returned.push_back(MempoolEntry{tx, tx.txid(), known_fee(tx.txid()).value_or(0)});
    }
  }
  active_.resize(static_cast<size_t>(new_height + 1));
  mempool_.insert(mempool_.begin(), returned.begin(), returned.end());
}

bitcoin::Block Chain::make_block(const Bytes& script, bool include_mempool) {
  const int64_t h = height() + 1;
  bitcoin::Block block;
  block.header.version = 0x20000000;
  block.header.prev_hash = tip_hash();
  block.header.time = std::max(median_time_past() + 1, now());
  block.header.bits = bits_;
  bitcoin::Transaction coinbase;
  bitcoin::TxIn in;
  in.script_sig = bitcoin::bip34_height_script(h);
  in.script_sig.push_back(bitcoin::OP_0);
  bitcoin::script_push_int(in.script_sig, static_cast<int64_t>(++blocks_made_));  // unique after reorgs
  in.witness = {Bytes(32, 0)};
  coinbase.inputs.push_back(in);
  int64_t fees = 0;
  std::vector<Uint256> wtxids;
  const auto txs = include_mempool ? template_transactions() : std::vector<const MempoolEntry*>{};
  for (const auto* e : txs) {
    fees += e->fee;
    wtxids.push_back(e->tx.wtxid());
  }
  coinbase.outputs.push_back(bitcoin::TxOut{subsidy(h) + fees, script});
  coinbase.outputs.push_back(bitcoin::TxOut{0, bitcoin::witness_commitment_script(bitcoin::witness_merkle_root(wtxids))});
  block.transactions.push_back(coinbase);
  for (const auto* e : txs) block.transactions.push_back(e->tx);
  block.header.merkle_root = bitcoin::block_merkle_root(block);
  const auto target = *bitcoin::target_from_bits(bits_);
  while (!bitcoin::hash_meets_target(block.header.hash(), target)) ++block.header.nonce;
  return block;
}

std::vector<Uint256> Chain::generate(int n, const Bytes& script, bool include_mempool) {
  std::vector<Uint256> hashes;
  for (int i = 0; i < n; ++i) {
    const bitcoin::Block block = make_block(script, include_mempool);
    const auto result = submit(block);
    if (result) throw std::runtime_error("test node produced an invalid block: " + *result);
    hashes.push_back(block.header.hash());
  }
  return hashes;
}

bool Chain::invalidate(const Uint256& hash) {
  auto it = blocks_.find(key(hash));
  if (it == blocks_.end() || it->second.height == 0) return false;
  it->second.invalid = true;
  if (confirmations(hash) < 0) return true;
  for (int64_t h = it->second.height; h <= height(); ++h) blocks_.at(key(active_[static_cast<size_t>(h)])).invalid = true;
  disconnect_above(it->second.height - 1);
  if (!activate_best_valid() && tip_callback_) tip_callback_(tip_hash());
  return true;
}

bool Chain::descends_from(const StoredBlock& b, const StoredBlock& ancestor) const {
  const StoredBlock* at = &b;
  while (at && at->height > ancestor.height) at = find(at->block.header.prev_hash);
  return at && at->hash == ancestor.hash;
}

bool Chain::valid_branch(const StoredBlock& b) const {
  for (const StoredBlock* at = &b; at; at = at->height == 0 ? nullptr : find(at->block.header.prev_hash)) {
    if (at->invalid) return false;
  }
  return true;
}

bool Chain::reconsider(const Uint256& hash) {
  auto it = blocks_.find(key(hash));
  if (it == blocks_.end()) return false;
  const StoredBlock target = it->second;
  for (auto& [k, b] : blocks_) {
    if (descends_from(b, target) || descends_from(target, b)) b.invalid = false;
  }
  activate_best_valid();
  return true;
}

bool Chain::activate_best_valid() {
  // Most work wins; on equal work the active tip stays (it was there first).
  const StoredBlock* best = nullptr;
  for (const auto& [k, b] : blocks_) {
    if (b.height > height() && (!best || b.height > best->height) && valid_branch(b)) best = &b;
  }
  if (!best) return false;
  activate_branch(best->hash);
  return true;
}

}  // namespace pool::testnode
