#include "accounting/window_tree.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>

#include "bitcoin/merkle.h"
#include "bitcoin/serialize.h"
#include "bitcoin/sha256.h"

namespace pool::accounting {

namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

bitcoin::Bytes encode_leaf(const WindowLeaf& leaf) {
  bitcoin::ByteWriter w;
  for (const char c : kLeafTagV1) w.u8(static_cast<uint8_t>(c));
  w.var_bytes(as_bytes(leaf.address));
  w.var_bytes(as_bytes(leaf.worker));
  w.u64le(leaf.first_share_id);
  w.u64le(leaf.last_share_id);
  w.u64le(leaf.share_count);
  w.u64le(static_cast<uint64_t>(leaf.weight));  // low 64 bits first: u128 little-endian
  w.u64le(static_cast<uint64_t>(leaf.weight >> 64));
  return w.take();
}

bitcoin::Uint256 leaf_hash(const WindowLeaf& leaf) { return bitcoin::sha256d(encode_leaf(leaf)); }

bitcoin::Uint256 window_root(const std::vector<WindowLeaf>& leaves) {
  std::vector<bitcoin::Uint256> hashes;
  hashes.reserve(leaves.size());
  for (const auto& l : leaves) hashes.push_back(leaf_hash(l));
  return bitcoin::merkle_root(std::move(hashes));
}

std::string u128_to_decimal(unsigned __int128 v) {
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<unsigned __int128> decimal_to_u128(std::string_view text) {
  if (text.empty() || text.size() > 39 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  const unsigned __int128 max = ~static_cast<unsigned __int128>(0);
  unsigned __int128 v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<unsigned>(c - '0');
    if (v > (max - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

WindowTreeBuilder::WindowTreeBuilder(double max_difficulty) : exponent_(weight_exponent(max_difficulty)) {}

void WindowTreeBuilder::add(const store::WindowShare& share) {
  const unsigned __int128 w = share_weight(share.difficulty, exponent_);
  auto a = by_address_.find(share.address);
  if (a == by_address_.end()) a = by_address_.emplace(std::string(share.address), decltype(a->second){}).first;
  auto l = a->second.find(share.worker);
  if (l == a->second.end()) {
    WindowLeaf leaf;
    leaf.address = std::string(share.address);
    leaf.worker = std::string(share.worker);
    leaf.first_share_id = leaf.last_share_id = static_cast<uint64_t>(share.id);
    l = a->second.emplace(std::string(share.worker), std::move(leaf)).first;
  }
  WindowLeaf& leaf = l->second;
  const auto id = static_cast<uint64_t>(share.id);
  leaf.first_share_id = std::min(leaf.first_share_id, id);
  leaf.last_share_id = std::max(leaf.last_share_id, id);
  ++leaf.share_count;
  leaf.weight += w;
}

std::vector<WindowLeaf> WindowTreeBuilder::leaves() const {
  std::vector<WindowLeaf> out;
  // std::string compares as unsigned bytes (char_traits<char>::compare is memcmp-like), so the
  // nested maps iterate in (address, worker) byte order.
  for (const auto& [address, workers] : by_address_) {
    for (const auto& [worker, leaf] : workers) out.push_back(leaf);
  }
  return out;
}

std::vector<store::WindowLeafRow> leaf_rows(const std::vector<WindowLeaf>& leaves) {
  std::vector<store::WindowLeafRow> rows;
  rows.reserve(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    const auto& l = leaves[i];
    rows.push_back({static_cast<int64_t>(i), l.address, l.worker, static_cast<int64_t>(l.first_share_id),
                    static_cast<int64_t>(l.last_share_id), static_cast<int64_t>(l.share_count),
                    u128_to_decimal(l.weight), leaf_hash(l).internal_hex()});
  }
  return rows;
}

std::optional<WindowLeaf> leaf_from_row(const store::WindowLeafRow& row) {
  const auto weight = decimal_to_u128(row.weight);
  if (!weight || row.first_share_id < 0 || row.last_share_id < 0 || row.shares < 0) return std::nullopt;
  return WindowLeaf{row.address, row.worker, static_cast<uint64_t>(row.first_share_id),
                    static_cast<uint64_t>(row.last_share_id), static_cast<uint64_t>(row.shares), *weight};
}

std::optional<unsigned __int128> total_weight(const std::vector<WindowLeaf>& leaves) {
  unsigned __int128 total = 0;
  for (const auto& l : leaves) {
    if (total + l.weight < total) return std::nullopt;
    total += l.weight;
  }
  return total;
}

Split split_committed(const store::BlockWindow& window, const std::vector<store::WindowLeafRow>& leaves) {
  std::map<std::string, unsigned __int128, std::less<>> weights;
  unsigned __int128 total = 0;
  for (const auto& row : leaves) {
    const auto leaf = leaf_from_row(row);
    if (!leaf) {
      throw std::invalid_argument("block " + window.block_hash + ": window leaf " + std::to_string(row.index) +
                                  " is malformed (weight '" + row.weight + "')");
    }
    if (total + leaf->weight < total) {
      throw std::invalid_argument("block " + window.block_hash + ": window weights overflow 128 bits");
    }
    total += leaf->weight;
    weights[leaf->address] += leaf->weight;
  }
  return split_by_weights(weights, total, window.reward_sats, window.fee_ppm);
}

}  // namespace pool::accounting
