#include "accounting/ledger_audit.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "accounting/payment_follower.h"
#include "accounting/window_tree.h"
#include "bitcoin/transaction.h"

namespace pool::accounting {

namespace {

using bitcoin::kCoinbaseSpendableDepth;

std::string sats(int64_t v) { return std::to_string(v) + " sat"; }

AuditCheck check_blocks(const store::LedgerSnapshot& books) {
  AuditCheck check{"blocks", {}};
  for (const auto& b : books.blocks) {
    const bool should_be_credited = b.status == "confirmed" && b.scheme == "pplns";
    if (b.status == "(no such block)") {
      check.problems.push_back("block " + b.hash + ": " + sats(b.credited_sats) + " credited for a block that is not recorded");
    } else if (should_be_credited && b.credited_sats != b.reward_sats) {
      check.problems.push_back("block " + b.hash + ": credits add up to " + sats(b.credited_sats) + ", its reward is " +
                               sats(b.reward_sats));
    } else if (!should_be_credited && b.credit_rows > 0) {
      check.problems.push_back("block " + b.hash + " (" + b.status + ", " + b.scheme + ") has " +
                               std::to_string(b.credit_rows) + " credits; it must have none");
    }
    if (b.credit_rows != b.credited_accounts) {
      check.problems.push_back("block " + b.hash + ": " + std::to_string(b.credit_rows) + " credit rows for " +
                               std::to_string(b.credited_accounts) + " accounts (credited more than once)");
    }
  }
  return check;
}

/// One committed window against itself (leaf hashes, order, root, total weight) and, once its
/// block is credited, against the credits to the satoshi.
void check_window(const store::BlockWindow& w, const std::vector<store::WindowLeafRow>& rows,
                  const store::BlockLedger* block, const std::map<std::string, int64_t>* credits,
                  std::vector<std::string>& problems) {
  const std::string name = "block " + w.block_hash + ": committed window";
  if (!block) {
    problems.push_back(name + " of a block that is not recorded");
    return;
  }
  if (w.reward_sats != block->reward_sats) {
    problems.push_back(name + " splits " + sats(w.reward_sats) + ", the block's reward is " + sats(block->reward_sats));
  }
  if (static_cast<int64_t>(rows.size()) != w.leaf_count) {
    problems.push_back(name + " has " + std::to_string(rows.size()) + " leaves, " + std::to_string(w.leaf_count) +
                       " recorded");
  }
  std::vector<WindowLeaf> leaves;
  int bad_leaves = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const auto leaf = leaf_from_row(row);
    std::string why;
    if (row.index != static_cast<int64_t>(i)) {
      why = "is at index " + std::to_string(row.index) + ", expected " + std::to_string(i);
    } else if (!leaf) {
      why = "is malformed (weight '" + row.weight + "')";
    } else if (leaf_hash(*leaf).internal_hex() != row.hash) {
      why = "hashes to " + leaf_hash(*leaf).internal_hex() + ", stored " + row.hash;
    } else if (i > 0 && std::tie(rows[i - 1].address, rows[i - 1].worker) >= std::tie(row.address, row.worker)) {
      why = "is out of (address, worker) order";
    }
    if (!why.empty() && ++bad_leaves <= 3) {
      problems.push_back(name + " leaf " + std::to_string(i) + " (" + row.address + ", " + row.worker + ") " + why);
    }
    leaves.push_back(leaf.value_or(WindowLeaf{}));
  }
  if (bad_leaves > 3) problems.push_back(name + ": " + std::to_string(bad_leaves - 3) + " more bad leaves");
  const std::string root = window_root(leaves).internal_hex();
  if (root != w.root) problems.push_back(name + " root is " + w.root + ", its leaves give " + root);
  const auto total = total_weight(leaves);
  if (!total || u128_to_decimal(*total) != w.total_weight) {
    problems.push_back(name + " total weight is " + w.total_weight + ", its leaves add up to " +
                       (total ? u128_to_decimal(*total) : std::string("more than 2^128")));
  }
  if (block->status != "confirmed" || block->scheme != "pplns") return;
  std::map<std::string, int64_t> expected;
  try {
    const Split split = split_committed(w, rows);
    expected = split.credits;
    if (split.pool_sats() != 0) expected[store::kPoolAccount] = split.pool_sats();
  } catch (const std::exception& e) {
    problems.push_back(name + " cannot be split: " + e.what());
    return;
  }
  const std::map<std::string, int64_t> none;
  const auto& credited = credits ? *credits : none;
  for (const auto& [address, v] : expected) {
    const auto c = credited.find(address);
    const int64_t got = c == credited.end() ? 0 : c->second;
    if (got != v) {
      problems.push_back("block " + w.block_hash + ": " + address + " credited " + sats(got) +
                         ", its committed window gives " + sats(v));
    }
  }
  for (const auto& [address, v] : credited) {
    if (!expected.count(address)) {
      problems.push_back("block " + w.block_hash + ": " + address + " credited " + sats(v) +
                         ", not in its committed window");
    }
  }
}

AuditCheck check_windows(const store::LedgerSnapshot& books) {
  AuditCheck check{"windows", {}};
  std::map<std::string, const store::BlockLedger*> blocks;
  for (const auto& b : books.blocks) {
    if (b.status != "(no such block)") blocks[b.hash] = &b;
  }
  const std::vector<store::WindowLeafRow> no_leaves;
  for (const auto& w : books.windows) {
    const auto b = blocks.find(w.block_hash);
    const auto leaves = books.window_leaves.find(w.block_hash);
    const auto credits = books.window_credits.find(w.block_hash);
    check_window(w, leaves == books.window_leaves.end() ? no_leaves : leaves->second,
                 b == blocks.end() ? nullptr : b->second,
                 credits == books.window_credits.end() ? nullptr : &credits->second, check.problems);
  }
  return check;
}

AuditCheck check_balances(const store::LedgerSnapshot& books) {
  AuditCheck check{"balances", {}};
  for (const auto& a : books.accounts) {
    if (a.balance_sats != a.changes_sats) {
      check.problems.push_back("account " + a.address + ": balance " + sats(a.balance_sats) +
                               ", its changes add up to " + sats(a.changes_sats));
    }
  }
  return check;
}

AuditCheck check_payments(const store::LedgerSnapshot& books, const WalletFacts& wallet,
                          const std::string& comment_prefix) {
  AuditCheck check{"payments", {}};
  std::set<std::string> known;
  for (const auto& p : books.payments) {
    known.insert(p.comment);
    const std::string name = "payment " + std::to_string(p.id) + " (" + p.status + ")";
    const auto found = wallet.sends.find(p.comment);
    const size_t in_wallet = found == wallet.sends.end() ? 0 : found->second.size();
    if (in_wallet > 1) {
      check.problems.push_back(name + ": the wallet sent it " + std::to_string(in_wallet) + " times");
      continue;
    }
    if (p.status == "released" && in_wallet == 1) {
      check.problems.push_back(name + ": released (balances given back) but the wallet sent it as " +
                               found->second.begin()->first);
      continue;
    }
    if (p.status == "reversed") {
      // Credited back: right only while its transaction can never pay.
      const auto state = wallet.reversed_sends.find(p.txid);
      if (in_wallet == 1 || state == wallet.reversed_sends.end() || state->second.empty()) {
        check.problems.push_back(name + ": credited back, but its transaction " + p.txid +
                                 " is live in the wallet (it pays the miners too)");
      } else if (state->second.front() == '(') {
        check.problems.push_back(name + ": credited back, but the wallet does not know its transaction " + p.txid);
      }
      continue;
    }
    if (p.status != "sent") continue;
    if (in_wallet == 0) {
      check.problems.push_back(name + ": recorded as sent in " + p.txid + " but the wallet has no send with its comment");
      continue;
    }
    const auto& [txid, outputs] = *found->second.begin();
    const auto bumped = wallet.replaces.find(txid);
    const bool bump_of_recorded = bumped != wallet.replaces.end() && bumped->second == p.txid;
    if (txid != p.txid && !bump_of_recorded) {
      check.problems.push_back(name + ": recorded txid " + p.txid + ", the wallet sent " + txid);
    }
    int64_t recorded = 0, paid = 0;
    for (const auto& [a, v] : p.amounts) recorded += v;
    for (const auto& [a, v] : outputs) paid += v;
    if (!p.fee_sats) {
      // Sent before fees were recorded: the pool's wallet paid the fee, the outputs are the items.
      if (outputs != p.amounts) {
        check.problems.push_back(name + ": " + std::to_string(p.amounts.size()) + " items for " + sats(recorded) +
                                 ", the wallet paid " + std::to_string(outputs.size()) + " outputs for " + sats(paid));
      }
      continue;
    }
    // The fee came out of the outputs: each output is at most its item, and the outputs plus the
    // recorded fee are the items to the satoshi.
    for (const auto& [address, item] : p.amounts) {
      const auto out = outputs.find(address);
      if (out == outputs.end()) {
        check.problems.push_back(name + ": item " + address + " (" + sats(item) + ") has no output in " + txid);
      } else if (out->second > item) {
        check.problems.push_back(name + ": the output to " + address + " paid " + sats(out->second) +
                                 ", more than its item " + sats(item));
      }
    }
    for (const auto& [address, v] : outputs) {
      if (!p.amounts.count(address)) {
        check.problems.push_back(name + ": the wallet paid " + address + " " + sats(v) + ", which no item records");
      }
    }
    // The miners' fee is what the items lost on the way to the outputs. The wallet's fee for the
    // transaction can be more: a fee bump pays its extra from the pool's change (solvency covers it).
    if (recorded - paid != *p.fee_sats) {
      check.problems.push_back(name + ": the items add up to " + sats(recorded) + ", the outputs of " + txid + " to " +
                               sats(paid) + ": " + sats(recorded - paid) + " went to the fee, the recorded fee is " +
                               sats(*p.fee_sats));
    }
  }
  for (const auto& [comment, txs] : wallet.sends) {
    if (!comment_prefix.empty() && comment.rfind(comment_prefix, 0) == 0 && !known.count(comment)) {
      check.problems.push_back("the wallet sent " + txs.begin()->first + " with comment '" + comment +
                               "', which no payment records");
    }
  }
  return check;
}

AuditCheck check_solvency(const store::LedgerSnapshot& books, const WalletFacts& wallet, AuditReport& report) {
  AuditCheck check{"solvency", {}};
  int64_t owed = 0;
  for (const auto& a : books.accounts) owed += a.balance_sats;
  for (const auto& p : books.payments) {
    if (p.status != "pending" || wallet.sends.count(p.comment)) continue;  // a sent one left the wallet already
    for (const auto& [address, v] : p.amounts) owed += v;
  }
  report.obligations_sats = owed;
  // Credited blocks whose coinbase is still immature (fewer than kCoinbaseSpendableDepth
  // confirmations). With the tip unknown, every credited block's reward may still be immature.
  int64_t credited_immature = 0;
  for (const auto& b : books.blocks) {
    if (b.status != "confirmed" || b.scheme != "pplns") continue;
    if (wallet.tip_height < 0 || wallet.tip_height - b.height + 1 < kCoinbaseSpendableDepth) {
      credited_immature += b.reward_sats;
    }
  }
  const int64_t immature = std::min(wallet.balances.immature_sats, credited_immature);
  report.assets_sats = wallet.balances.trusted_sats + wallet.balances.untrusted_pending_sats + immature;
  if (owed > report.assets_sats) {
    check.problems.push_back("the books owe " + sats(owed) + " (balances and unsent payments), the wallet holds " +
                             sats(report.assets_sats) + " (trusted and pending, plus " + sats(immature) +
                             " immature rewards of credited blocks)");
  }
  return check;
}

}  // namespace

bool AuditReport::ok() const {
  if (!complete) return false;
  for (const auto& c : checks) {
    if (!c.ok()) return false;
  }
  return true;
}

std::vector<std::string> AuditReport::lines() const {
  std::vector<std::string> out;
  for (const auto& c : checks) {
    out.push_back(c.name + ": " + (c.ok() ? "ok" : "FAILED (" + std::to_string(c.problems.size()) + ")"));
    for (const auto& p : c.problems) out.push_back("  " + p);
  }
  out.push_back("obligations " + sats(obligations_sats) + ", wallet " + sats(assets_sats));
  out.push_back(ok() ? "ledger audit: the books balance" : "ledger audit: FAILED");
  return out;
}

AuditReport audit_ledger(const store::LedgerSnapshot& books, const std::optional<WalletFacts>& wallet,
                         const std::string& comment_prefix) {
  AuditReport report;
  report.checks.push_back(check_blocks(books));
  report.checks.push_back(check_balances(books));
  report.checks.push_back(check_windows(books));
  if (wallet) {
    report.checks.push_back(check_payments(books, *wallet, comment_prefix));
    report.checks.push_back(check_solvency(books, *wallet, report));
  } else {
    report.complete = false;
    report.checks.push_back({"payments", {"the wallet could not be asked"}});
    report.checks.push_back({"solvency", {"the wallet could not be asked"}});
  }
  return report;
}

WalletFacts read_wallet_facts(node::BitcoinNode& wallet) {
  WalletFacts facts;
  facts.tip_height = wallet.get_block_count();
  facts.balances = wallet.get_balances();
  std::set<std::pair<std::string, int64_t>> seen;  // a page boundary can show an output twice
  for (const auto& o : wallet.list_commented_sends()) {
    if (!seen.insert({o.txid, o.vout}).second) continue;
    facts.sends[o.comment][o.txid][o.address] += o.sats;
    facts.fee_and_confirmations[o.txid] = {o.fee_sats, o.confirmations};
    if (!o.replaces_txid.empty()) facts.replaces[o.txid] = o.replaces_txid;
  }
  return facts;
}

void read_reversed_sends(const store::LedgerSnapshot& books, node::BitcoinNode& wallet, WalletFacts& facts) {
  for (const auto& p : books.payments) {
    if (p.status != "reversed") continue;
    const auto tx = wallet.get_transaction(p.txid);
    facts.reversed_sends[p.txid] = tx ? dead_send_reason(*tx) : "(not in the wallet)";
  }
}

AuditReport run_ledger_audit(store::Store& store, node::BitcoinNode& wallet, const std::string& comment_prefix) {
  const store::LedgerSnapshot books = store.ledger_snapshot();
  std::optional<WalletFacts> facts;
  std::string why;
  try {
    WalletFacts read = read_wallet_facts(wallet);
    read_reversed_sends(books, wallet, read);
    facts = std::move(read);
  } catch (const std::exception& e) {
    why = e.what();
  }
  AuditReport report = audit_ledger(books, facts, comment_prefix);
  if (!facts) {
    for (auto& c : report.checks) {
      for (auto& p : c.problems) p += ": " + why;
    }
  }
  return report;
}

}  // namespace pool::accounting
