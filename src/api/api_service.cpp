#include "api/api_service.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "api/job_json.h"
#include "api/web_assets.h"
#include "api/window_endpoints.h"
#include "bitcoin/address.h"
#include "bitcoin/target.h"
#include "mining/job_builder.h"
#include "util/json.h"
#include "util/text.h"

namespace pool::api {

namespace {

net::HttpResponse json(int status, std::string body) { return {status, "application/json", std::move(body)}; }
net::HttpResponse error(int status, const std::string& message) {
  return json(status, "{\"error\":" + util::quote(message) + "}");
}

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string block_json(const store::BlockRecord& b) {
  return "{\"hash\":\"" + b.hash + "\",\"height\":" + std::to_string(b.height) + ",\"status\":\"" + b.status +
         "\",\"confirmations\":" + std::to_string(b.confirmations) + ",\"reward_sats\":" +
         std::to_string(b.reward_sats) + ",\"finder\":" + util::quote(b.finder) + ",\"found_ms\":" +
         std::to_string(b.found_ms) + ",\"scheme\":\"" + b.scheme + "\"}";
}

std::string payment_json(const store::PaymentRecord& p) {
  std::string amounts;
  int64_t total = 0;
  for (const auto& [address, sats] : p.amounts) {
    amounts += (amounts.empty() ? "" : ",") + util::quote(address) + ":" + std::to_string(sats);
    total += sats;
  }
  return "{\"id\":" + std::to_string(p.id) + ",\"status\":\"" + p.status + "\",\"txid\":\"" + p.txid +
         "\",\"created_ms\":" + std::to_string(p.created_ms) + ",\"total_sats\":" + std::to_string(total) +
         ",\"fee_sats\":" + (p.fee_sats ? std::to_string(*p.fee_sats) : "null") + ",\"amounts\":{" + amounts + "}}";
}

}  // namespace

ApiService::ApiService(ApiSources sources) : sources_(std::move(sources)) {
  snapshot_ = std::make_shared<const StoreSnapshot>();
  refresh();
  refresher_ = std::thread([this] { refresh_loop(); });
}

ApiService::~ApiService() { stop(); }

void ApiService::stop() {
  {
    std::lock_guard lock(refresher_mutex_);
    stopping_ = true;
  }
  refresher_wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

std::shared_ptr<const StoreSnapshot> ApiService::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

StoreSnapshot read_store_snapshot(store::Store& store) {
  StoreSnapshot snap;
  snap.blocks = store.blocks(std::nullopt, 100);
  snap.blocks_by_status = {{"pending", 0}, {"confirmed", 0}, {"orphaned", 0}, {"rejected", 0}};
  for (const auto& b : store.blocks(std::nullopt, 100000)) ++snap.blocks_by_status[b.status];
  snap.payments = store.payments(std::nullopt, 1000);
  for (const auto& p : store.payments(std::string("sent"), 100000)) {
    ++snap.payouts_sent;
    for (const auto& [a, v] : p.amounts) snap.paid_sats += v;
  }
  snap.balances = store.balances();
  snap.taken = std::chrono::steady_clock::now();
  return snap;
}

void ApiService::refresh() {
  std::shared_ptr<const StoreSnapshot> next;
  try {
    next = std::make_shared<const StoreSnapshot>(sources_.read_snapshot ? sources_.read_snapshot()
                                                                        : read_store_snapshot(*sources_.store));
  } catch (const std::exception&) {
    ++refresh_failures_;  // keep serving the last good snapshot; its age shows in /metrics
    return;
  }
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(next);
}

void ApiService::refresh_loop() {
  std::unique_lock lock(refresher_mutex_);
  while (!refresher_wake_.wait_for(lock, sources_.store_refresh, [this] { return stopping_; })) {
    lock.unlock();
    refresh();
    lock.lock();
  }
}

void ApiService::sample(std::chrono::system_clock::time_point now) {
  const auto s = sources_.stats->snapshot(now);
  std::lock_guard lock(mutex_);
  const auto steady = std::chrono::steady_clock::now();
  const double secs = std::max(1e-3, std::chrono::duration<double>(steady - last_sample_).count());
  shares_per_second_ = static_cast<double>(s.accepted - last_accepted_) / secs;
  last_accepted_ = s.accepted;
  last_sample_ = steady;
  history_.emplace_back(unix_ms(now), s.hashrate);
  while (history_.size() > 2880) history_.pop_front();
}

net::HttpResponse ApiService::handle(const net::HttpRequest& request) {
  if (request.method != "GET") return error(405, "only GET is supported");
  std::string path = request.target.substr(0, request.target.find('?'));
  try {
    if (const WebAsset* asset = find_web_asset(path)) {
      return {200, std::string(web_content_type(asset->path)), std::string(asset->body)};
    }
    if (path == "/api/pool") return pool_json();
    if (path == "/api/pool/history") return history_json();
    if (path == "/api/blocks") return blocks_json();
    if (path == "/api/payments") return payments_json();
    if (path == "/api/job") return job_json(request.target);
    if (path == "/metrics") return metrics();
    if (path.rfind("/api/miners/", 0) == 0) return miner_json(path.substr(12));
    if (auto answer = window_endpoint(*sources_.store, sources_.network, request.target)) return *answer;
  } catch (const std::exception& e) {
    return error(503, std::string("temporarily unavailable: ") + e.what());
  }
  return error(404, "no such endpoint: " + path + " (see docs/api.md)");
}

net::HttpResponse ApiService::pool_json() {
  const auto s = sources_.stats->snapshot(std::chrono::system_clock::now());
  std::set<std::string> miners;
  for (const auto& w : s.workers) miners.insert(w.address);
  const auto job = sources_.jobs->current();
  std::string network = "null";
  if (job) {
    network = "{\"height\":" + std::to_string(job->height - 1) + ",\"difficulty\":" +
              num(bitcoin::difficulty_from_bits(job->bits)) + ",\"chain\":\"" +
              std::string(bitcoin::network_name(sources_.network)) + "\"}";
  }
  const auto snap = snapshot();
  const auto& blocks = snap->blocks;
  double rate;
  {
    // Accepted shares per second since the last 30-second sample (live, not only at samples).
    std::lock_guard lock(mutex_);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_sample_).count();
    rate = secs >= 1 ? static_cast<double>(s.accepted - last_accepted_) / secs : shares_per_second_;
  }
  return json(200, "{\"hashrate\":" + num(s.hashrate) + ",\"miners\":" + std::to_string(miners.size()) +
                       ",\"workers\":" + std::to_string(s.workers.size()) + ",\"connections\":" +
                       std::to_string(s.connections) + ",\"shares_per_second\":" + num(rate) +
                       ",\"accepted_shares\":" + std::to_string(s.accepted) + ",\"rejected_shares\":" +
                       std::to_string(s.rejected) + ",\"blocks_found\":" + std::to_string(s.blocks) +
                       ",\"network\":" + network + ",\"last_block\":" +
                       (blocks.empty() ? std::string("null") : block_json(blocks[0])) + ",\"payout_scheme\":\"" +
                       sources_.payout_scheme + "\",\"fee_percentage\":" + num(sources_.fee_percentage) + "}");
}

net::HttpResponse ApiService::history_json() {
  std::lock_guard lock(mutex_);
  std::string out = "[";
  for (const auto& [t, h] : history_) out += (out.size() > 1 ? "," : "") + std::string("[") + std::to_string(t) + "," + num(h) + "]";
  return json(200, out + "]");
}

net::HttpResponse ApiService::miner_json(const std::string& address) {
  try {
    bitcoin::decode_address(address, sources_.network);
  } catch (const bitcoin::AddressError& e) {
    return error(400, "invalid address '" + address + "': " + e.what());
  }
  // Only this address's workers are copied; share handling goes on meanwhile.
  std::string workers;
  double hashrate = 0;
  sources_.stats->visit_workers(std::chrono::system_clock::now(), [&](const stratum::WorkerSnapshot& w) {
    if (w.address != address) return;
    hashrate += w.hashrate;
    workers += (workers.empty() ? "" : ",") + std::string("{\"name\":") + util::quote(w.name) + ",\"hashrate\":" +
               num(w.hashrate) + ",\"accepted\":" + std::to_string(w.accepted) + ",\"rejected\":" +
               std::to_string(w.rejected) + ",\"last_share_ms\":" + std::to_string(unix_ms(w.last_share)) + "}";
  });
  const auto snap = snapshot();
  const int64_t balance = snap->balances.count(address) ? snap->balances.at(address) : 0;
  int64_t pending = 0, paid = 0;
  std::string payments;
  for (const auto& p : snap->payments) {
    auto it = p.amounts.find(address);
    if (it == p.amounts.end()) continue;
    if (p.status == "pending") pending += it->second;
    if (p.status == "sent") {
      paid += it->second;
      payments += (payments.empty() ? "" : ",") + std::string("{\"id\":") + std::to_string(p.id) + ",\"txid\":\"" +
                  p.txid + "\",\"sats\":" + std::to_string(it->second) + ",\"created_ms\":" + std::to_string(p.created_ms) + "}";
    }
  }
  return json(200, "{\"address\":" + util::quote(address) + ",\"hashrate\":" + num(hashrate) + ",\"workers\":[" +
                       workers + "],\"balance_sats\":" + std::to_string(balance) + ",\"pending_sats\":" +
                       std::to_string(pending) + ",\"paid_sats\":" + std::to_string(paid) + ",\"payments\":[" + payments + "]}");
}

net::HttpResponse ApiService::blocks_json() {
  std::string out = "[";
  for (const auto& b : snapshot()->blocks) out += (out.size() > 1 ? "," : "") + block_json(b);
  return json(200, out + "]");
}

net::HttpResponse ApiService::payments_json() {
  std::string out = "[";
  const auto snap = snapshot();
  const size_t n = std::min<size_t>(snap->payments.size(), 100);
  for (size_t i = 0; i < n; ++i) out += (out.size() > 1 ? "," : "") + payment_json(snap->payments[i]);
  return json(200, out + "]");
}

net::HttpResponse ApiService::job_json(const std::string& target) {
  std::optional<std::string> address;
  try {
    address = query_value(target, "address");
  } catch (const std::invalid_argument& e) {
    return error(400, std::string("malformed address parameter: ") + e.what());
  }
  const bool solo = sources_.payout_scheme == "solo";
  if (address && !solo) {
    return error(400, "the address parameter is for SOLO pools; this pool pays PPLNS and every miner works on the same coinbase");
  }
  bitcoin::Bytes payee;
  if (address) {
    try {
      payee = bitcoin::address_to_script(*address, sources_.network);
    } catch (const bitcoin::AddressError& e) {
      return error(400, "invalid address '" + util::printable(*address) + "': " + e.what());
    }
  }
  const mining::JobPtr job = sources_.jobs->current();
  if (!job) return error(503, "no job yet: the pool has no work from the node");
  if (!address) return json(200, api::job_json(*job, sources_.network, sources_.payout_scheme, std::nullopt));
  // The same coinbase the Stratum server builds for a miner of this address (its job id there
  // carries a per-connection suffix).
  const mining::Job personal = mining::personalize_job(*job, payee, sources_.coinbase, job->id);
  return json(200, api::job_json(personal, sources_.network, sources_.payout_scheme, address));
}

net::HttpResponse ApiService::metrics() {
  const auto s = sources_.stats->snapshot(std::chrono::system_clock::now());
  std::string m;
  auto metric = [&](const std::string& name, const std::string& help, const std::string& type) {
    m += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  metric("pool_connections", "Open Stratum connections.", "gauge");
  m += "pool_connections " + std::to_string(s.connections) + "\n";
  metric("pool_workers", "Workers that submitted shares.", "gauge");
  m += "pool_workers " + std::to_string(s.workers.size()) + "\n";
  metric("pool_hashrate", "Estimated pool hashrate in hashes per second (10-minute window).", "gauge");
  m += "pool_hashrate " + num(s.hashrate) + "\n";
  metric("pool_shares_total", "Shares by result.", "counter");
  m += "pool_shares_total{result=\"accepted\"} " + std::to_string(s.accepted) + "\n";
  for (const auto& [reason, n] : s.rejects_by_reason) {
    m += "pool_shares_total{result=\"rejected\",reason=\"" + reason + "\"} " + std::to_string(n) + "\n";
  }
  metric("pool_invalid_lines_total", "Stratum lines that were not JSON-RPC.", "counter");
  m += "pool_invalid_lines_total " + std::to_string(s.invalid_messages) + "\n";
  metric("pool_bans_total", "IP addresses backed off for invalid shares.", "counter");
  m += "pool_bans_total " + std::to_string(s.bans) + "\n";
  metric("pool_stratum_unsent_bytes", "Stratum replies and work queued but not yet written, all connections.", "gauge");
  m += "pool_stratum_unsent_bytes " + std::to_string(s.queued_output_bytes) + "\n";
  metric("pool_stratum_slow_reader_disconnects_total", "Connections closed for not reading what they were sent.", "counter");
  m += "pool_stratum_slow_reader_disconnects_total " + std::to_string(s.slow_reader_disconnects) + "\n";
  metric("pool_stratum_accept_errors_total", "Failed Stratum accepts (e.g. out of file descriptors).", "counter");
  m += "pool_stratum_accept_errors_total " + std::to_string(s.accept_errors) + "\n";
  const auto snap = snapshot();
  metric("pool_blocks", "Blocks found, by status.", "gauge");
  for (const auto& [status, n] : snap->blocks_by_status) {
    m += "pool_blocks{status=\"" + status + "\"} " + std::to_string(n) + "\n";
  }
  metric("pool_payouts_total", "Payout transactions sent.", "counter");
  m += "pool_payouts_total " + std::to_string(snap->payouts_sent) + "\n";
  metric("pool_paid_sats_total", "Satoshis paid to miners.", "counter");
  m += "pool_paid_sats_total " + std::to_string(snap->paid_sats) + "\n";
  if (sources_.payout_duplicate_sends) {
    metric("pool_payout_duplicate_sends_total",
           "Extra wallet sends found for one payout's comment (miners paid more than once; investigate).", "counter");
    m += "pool_payout_duplicate_sends_total " + std::to_string(sources_.payout_duplicate_sends->load()) + "\n";
  }
  if (sources_.payout_refused) {
    metric("pool_payout_refused_total",
           "Payout batches the wallet refused (locked, short of funds, a bad output), once per distinct refusal; "
           "the log says what to do.",
           "counter");
    m += "pool_payout_refused_total " + std::to_string(sources_.payout_refused->load()) + "\n";
  }
  if (sources_.payouts_in_trouble) {
    metric("pool_payouts_in_trouble",
           "Sent payouts whose transaction was evicted from the mempool, abandoned or conflicted (an ALERT was logged).",
           "gauge");
    m += "pool_payouts_in_trouble " + std::to_string(sources_.payouts_in_trouble->load()) + "\n";
  }
  metric("pool_api_snapshot_age_seconds", "Age of the store data the API and these metrics show.", "gauge");
  m += "pool_api_snapshot_age_seconds " +
       num(std::chrono::duration<double>(std::chrono::steady_clock::now() - snap->taken).count()) + "\n";
  metric("pool_api_snapshot_failures_total", "Store reads for the API snapshot that failed.", "counter");
  m += "pool_api_snapshot_failures_total " + std::to_string(refresh_failures_.load()) + "\n";
  if (sources_.node_rpc_latency_ms) {
    metric("pool_node_rpc_latency_ms", "Round trip of the last node RPC call.", "gauge");
    m += "pool_node_rpc_latency_ms " + num(sources_.node_rpc_latency_ms()) + "\n";
  }
  if (const auto job = sources_.jobs->current()) {
    metric("pool_job_age_seconds", "Age of the newest job.", "gauge");
    m += "pool_job_age_seconds " +
         num(std::chrono::duration<double>(std::chrono::steady_clock::now() - job->created_at).count()) + "\n";
    metric("pool_network_height", "Height of the block being mined on.", "gauge");
    m += "pool_network_height " + std::to_string(job->height) + "\n";
  }
  if (sources_.accounting_leader) {
    metric("pool_accounting_leader", "1 when this instance runs maturity and payouts.", "gauge");
    m += std::string("pool_accounting_leader ") + (sources_.accounting_leader() ? "1" : "0") + "\n";
  }
  if (sources_.node_up) {
    metric("pool_node_up", "1 while Bitcoin Core answers RPC, 0 while it is unreachable.", "gauge");
    m += std::string("pool_node_up ") + (sources_.node_up() ? "1" : "0") + "\n";
  }
  if (sources_.payout_failing) {
    metric("pool_payout_failing", "1 from a failed payout run until the next one succeeds.", "gauge");
    m += std::string("pool_payout_failing ") + (sources_.payout_failing() ? "1" : "0") + "\n";
  }
  if (sources_.block_notify_seconds) {
    const auto seconds = sources_.block_notify_seconds();
    metric("pool_block_notify_seconds", "From noticing the last new tip to its clean work sent to every miner (NaN before the first).", "gauge");
    m += "pool_block_notify_seconds " + (seconds ? num(*seconds) : std::string("NaN")) + "\n";
  }
  if (sources_.ledger_status) {
    const accounting::LedgerStatus ledger = sources_.ledger_status();
    metric("pool_ledger_ok", "1 when the last ledger audit balanced (0 before the leader's first audit).", "gauge");
    m += std::string("pool_ledger_ok ") + (ledger.audited && ledger.ok ? "1" : "0") + "\n";
    metric("pool_ledger_check_ok", "Each part of the last ledger audit: 1 when it passed.", "gauge");
    for (const auto& [check, ok] : ledger.checks) {
      m += "pool_ledger_check_ok{check=\"" + check + "\"} " + (ok ? "1" : "0") + "\n";
    }
    metric("pool_ledger_audit_timestamp_seconds", "Unix time of the last completed ledger audit (0: none yet).", "gauge");
    m += "pool_ledger_audit_timestamp_seconds " + std::to_string(ledger.at_ms / 1000) + "\n";
    metric("pool_ledger_obligations_sats", "What the books owe: balances and payments not yet sent.", "gauge");
    m += "pool_ledger_obligations_sats " + std::to_string(ledger.obligations_sats) + "\n";
    metric("pool_ledger_wallet_sats", "What the wallet holds for the books: trusted and pending funds, plus immature rewards of credited blocks.", "gauge");
    m += "pool_ledger_wallet_sats " + std::to_string(ledger.assets_sats) + "\n";
  }
  return {200, "text/plain; version=0.0.4", m};
}

}  // namespace pool::api
