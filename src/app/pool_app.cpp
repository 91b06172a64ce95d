#include "app/pool_app.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "accounting/accounting_service.h"
#include "accounting/block_ledger.h"
#include "api/api_service.h"
#include "accounting/share_recorder.h"
#include "bitcoin/address.h"
#include "mining/block_pipeline.h"
#include "mining/job_manager.h"
#include "node/tip_watcher.h"
#include "store/extranonce_lease.h"
#include "stratum/server.h"

namespace pool::app {

node::RpcOptions rpc_options_for(const BitcoinConfig& bitcoin) {
  node::RpcOptions rpc;
  rpc.host = bitcoin.host;
  rpc.port = bitcoin.port;
  rpc.user = bitcoin.user;
  rpc.password = bitcoin.password;
  rpc.cookie_file = bitcoin.cookie_file;
  return rpc;
}

std::string payout_comment_prefix(store::Store& store) {
  auto id = store.setting("pool_id");
  if (!id) throw std::runtime_error("the database has no pool_id yet (start poold once to create it)");
  return "bitcoin-mining-pool payout " + *id + "-";
}

size_t resident_memory_bytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  in >> pages_total >> pages_resident;
  return pages_resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

namespace {

std::string random_id() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

/// Where found blocks wait for the database: [database] spill_dir, else the SQLite file's folder,
/// else (PostgreSQL) the working directory. The name carries the SQLite file's name or, with
/// PostgreSQL (several poold may share a folder), the Stratum port, so two pools never share one.
std::filesystem::path spill_path_for(const DatabaseConfig& database, uint16_t stratum_port) {
  std::filesystem::path dir = database.spill_dir;
  std::string key = std::to_string(stratum_port);
  if (database.db_path.rfind("sqlite:///", 0) == 0) {
    const std::filesystem::path file = database.db_path.substr(10);
    if (dir.empty()) dir = file.parent_path();
    key = file.filename().string();
  }
  if (dir.empty()) dir = ".";
  return dir / ("found-blocks-" + key + ".spill");
}

}  // namespace

struct PoolApp::Parts {
  // One connection per room, so no call waits behind another's mutex: `rpc` for templates and
  // start-up, `watcher_rpc` for tip polling, `block_rpc` for submitblock and nothing else,
  // `wallet_rpc` for accounting (maturity, listtransactions paging, sendmany).
  std::unique_ptr<node::RpcClient> rpc, watcher_rpc, block_rpc, wallet_rpc;
  std::unique_ptr<node::BitcoinNode> node, watcher_node, block_node, wallet_node;
  std::atomic<uint64_t> payout_duplicate_sends{0};
  std::atomic<uint64_t> payout_refused{0};
  std::atomic<int64_t> payouts_in_trouble{0};
  bitcoin::Network network = bitcoin::Network::kMain;
  std::string payout_address;
  bitcoin::Bytes payout_script;
  mining::JobRegistry registry;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<accounting::BlockLedger> ledger;
  std::unique_ptr<accounting::PipelineRecorder> block_recorder;
  std::unique_ptr<accounting::ShareRecorder> shares;
  std::unique_ptr<accounting::AccountingService> accounting;
  std::unique_ptr<stratum::StratumServer> server;
  std::unique_ptr<store::ExtranonceLease> lease;  // this instance's extranonce1 prefix
  std::unique_ptr<mining::BlockPipeline> blocks;
  std::unique_ptr<mining::JobManager> jobs;
  std::unique_ptr<node::TipWatcher> watcher;
  std::unique_ptr<api::ApiService> api;
  std::unique_ptr<net::HttpServer> http;
  uint64_t last_accepted = 0;
  std::chrono::steady_clock::time_point last_monitor = std::chrono::steady_clock::now();
};

PoolApp::PoolApp(Config config) : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

PoolApp::~PoolApp() { stop(); }

bool PoolApp::start(const std::atomic<bool>& stop) {
  Parts& p = *parts_;
  const node::RpcOptions rpc = rpc_options_for(config_.bitcoin);
  p.rpc = std::make_unique<node::RpcClient>(rpc);
  p.watcher_rpc = std::make_unique<node::RpcClient>(rpc);
  p.block_rpc = std::make_unique<node::RpcClient>(rpc);
  p.node = std::make_unique<node::BitcoinNode>(*p.rpc, config_.bitcoin.wallet);
  p.watcher_node = std::make_unique<node::BitcoinNode>(*p.watcher_rpc, config_.bitcoin.wallet);
  p.block_node = std::make_unique<node::BitcoinNode>(*p.block_rpc, config_.bitcoin.wallet);
  p.wallet_rpc = std::make_unique<node::RpcClient>(rpc);
  p.wallet_node = std::make_unique<node::BitcoinNode>(*p.wallet_rpc, config_.bitcoin.wallet);

  // Wait for the node: a pool without a node has nothing to offer miners.
  node::ChainInfo chain;
  auto backoff = std::chrono::milliseconds(500);
  std::string last_error;
  while (true) {
    if (stop) return false;
    try {
      chain = p.node->get_blockchain_info();
      break;
    } catch (const std::exception& e) {
      if (e.what() != last_error) spdlog::warn("node: {} (retrying until it answers)", e.what());
      last_error = e.what();
      for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop; waited += std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
    }
  }
  if (!chain.network) throw std::runtime_error("node reports an unknown chain '" + chain.chain + "'");
  p.network = *chain.network;
  spdlog::info("node: {} at height {}{}", chain.chain, chain.blocks,
               chain.initial_block_download ? " (still in initial block download: work starts when it is done)" : "");
  // Share difficulty defaults depend on the node's network: a floor of 1 (signet 0.001) keeps
  // shares from costing nothing anywhere but regtest. A configured value below it stops here.
  const EffectiveDifficulty difficulty = effective_difficulty(config_, p.network);
  spdlog::info("stratum: share difficulty starts at {:g} (vardiff between {:g} and {:g})", difficulty.start,
               difficulty.minimum, difficulty.maximum);

  if (config_.pool.address.empty()) {
    p.payout_address = p.wallet_rpc->call("getnewaddress", "[\"pool\"]",
                                   config_.bitcoin.wallet.empty() ? "/" : "/wallet/" + config_.bitcoin.wallet)
                           .GetString();
    spdlog::info("pool: [pool] address is not set; block rewards go to the wallet's new address {}", p.payout_address);
  } else {
    p.payout_address = config_.pool.address;
  }
  try {
    p.payout_script = bitcoin::address_to_script(p.payout_address, p.network);
  } catch (const bitcoin::AddressError& e) {
    throw ConfigError(config_.path + ": [pool] address = '" + p.payout_address + "' cannot be paid on " +
                      std::string(bitcoin::network_name(p.network)) + ": " + e.what());
  }

  p.store = store::open_store(config_.database.db_path);
  p.store->claim_exclusive_use();
  spdlog::info("database: {} ({})", p.store->backend(), store::redact_url(config_.database.db_path));
  if (!p.store->setting("pool_id")) p.store->set_setting("pool_id", random_id());

  // Found blocks not settled by an earlier run (the spill file, the database) go to the node
  // again before any new work; the ledger then stores them, for as long as that takes.
  p.ledger = std::make_unique<accounting::BlockLedger>(
      *p.store, accounting::LedgerOptions{spill_path_for(config_.database, config_.stratum.port), std::chrono::milliseconds(200),
                                          std::chrono::milliseconds(30000)});
  try {
    const int answered = accounting::resubmit_unsettled_blocks(p.ledger.get(), *p.store, *p.block_node);
    if (answered > 0) spdlog::info("blocks: {} found block(s) from an earlier run submitted again", answered);
  } catch (const std::exception& e) {
    spdlog::error("blocks: could not submit found blocks again yet ({}); maturity checks retry", e.what());
  }
  p.ledger->start();
  p.shares = std::make_unique<accounting::ShareRecorder>(*p.store);

  accounting::AccountingOptions ao;
  ao.maturity.scheme = config_.pool.payout_scheme;
  ao.maturity.fee_percentage = config_.pool.fee_percentage;
  ao.maturity.pplns_window = config_.pool.pplns_window;
  ao.retention.pplns_window = config_.pool.pplns_window;
  ao.retention.retention_days = config_.pool.share_retention_days;
  ao.retention.unstored_blocks = [&p] { return p.ledger->waiting(); };
  ao.payouts.min_payout_sats = config_.pool.min_payout_sats;
  ao.payouts.max_outputs = config_.pool.payout_max_outputs;
  ao.payouts.refused = &p.payout_refused;
  ao.payouts.network = p.network;
  ao.payouts.comment_prefix = payout_comment_prefix(*p.store);
  ao.payouts.duplicate_sends = &p.payout_duplicate_sends;
  // A payout the wallet has not seen is given back only after 10 minutes, far past the RPC
  // deadline: a sendmany still queued in the node (or sent by a leader that just lost its lock)
  // must be found by reconciliation, not paid a second time.
  ao.payouts.release_grace = std::chrono::minutes(10);
  ao.payment_interval_hours = config_.pool.payment_interval_hours;
  ao.follow.confirmations = config_.pool.payout_confirmations;
  ao.follow.in_trouble = &p.payouts_in_trouble;
  if (config_.pool.payout_scheme == "pplns") {
    // The window root the leader wants on-chain goes into every job's coinbase from now on. The
    // accounting thread starts after the job manager exists; SOLO has no windows and carries none.
    ao.carry_window_root = [&p](std::optional<bitcoin::Uint256> root) {
      if (p.jobs) p.jobs->set_window_commitment(root);
    };
  }
  p.accounting = std::make_unique<accounting::AccountingService>(*p.store, *p.wallet_node, ao);

  // A found block is written to the spill file (and handed to the ledger for the database) before
  // submitblock, and its answer after; neither waits for the database. A block the node accepted
  // from us is the new tip: refresh work at once rather than waiting for ZMQ or the next poll, so
  // miners stop working on the old height.
  p.block_recorder = std::make_unique<accounting::PipelineRecorder>(*p.ledger, config_.pool.payout_scheme);
  p.blocks = std::make_unique<mining::BlockPipeline>(
      *p.block_node,
      [&p](const mining::FoundBlock& found, const bitcoin::Block& block) { p.block_recorder->before_submit(found, block); },
      [&p](const mining::FoundBlock&, const mining::SubmitResult& result) {
        p.block_recorder->after_submit(result);
        if (result.status == mining::SubmitStatus::kAccepted && p.jobs) {
          p.jobs->notify_new_tip(node::TipEvent{result.hash, node::TipSource::kOwnBlock, std::chrono::steady_clock::now()});
        }
      });

  stratum::ServerOptions so;
  so.host = config_.stratum.host;
  so.port = config_.stratum.port;
  so.threads = config_.stratum.threads ? static_cast<int>(config_.stratum.threads)
                                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  so.max_connections = config_.stratum.max_connections;
  so.max_connections_per_ip = config_.stratum.max_connections_per_ip;
  so.idle_timeout_seconds = config_.stratum.idle_timeout_seconds;
  so.handshake_timeout_seconds = config_.stratum.handshake_timeout_seconds;
  so.max_queued_bytes = config_.stratum.max_unsent_kib * 1024;
  if (config_.stratum.tls_port != 0) {
    so.tls_port = config_.stratum.tls_port;
    so.tls_cert_file = config_.stratum.tls_cert_file;
    so.tls_key_file = config_.stratum.tls_key_file;
  }
  so.ban_seconds = config_.stratum.ban_seconds;
  so.reconnect_host = config_.stratum.reconnect_host;
  so.session.extranonce2_size = config_.stratum.extranonce2_size;
  so.session.vardiff.initial = difficulty.start;
  so.session.vardiff.minimum = difficulty.minimum;
  so.session.vardiff.maximum = difficulty.maximum;
  so.session.vardiff.target_seconds = config_.stratum.vardiff_target_seconds;
  so.session.solo = config_.pool.payout_scheme == "solo";
  so.coinbase.tag = config_.pool.coinbase_tag;
  so.coinbase.extranonce1_size = 4;
  so.coinbase.extranonce2_size = config_.stratum.extranonce2_size;
  p.server = std::make_unique<stratum::StratumServer>(
      so, p.registry, p.network, *p.shares,
      [&p](const mining::JobPtr& job, const mining::Solution& solution, const stratum::AcceptedShare& share) {
        p.blocks->submit(mining::FoundBlock{job, solution, share});
      });

  // Instances sharing the database never hand out the same extranonce1: each leases its own
  // first byte before it serves anyone.
  p.lease = std::make_unique<store::ExtranonceLease>(*p.store, random_id(), store::ExtranonceLeaseOptions{},
                                                     [&p](uint8_t prefix) { p.server->set_extranonce_prefix(prefix); });
  p.server->set_extranonce_prefix(p.lease->prefix());
  spdlog::info("stratum: extranonce1 prefix {:02x} leased for this instance", p.lease->prefix());

  mining::JobManager::Options jo;
  jo.refresh_interval = std::chrono::milliseconds(static_cast<int64_t>(config_.pool.job_refresh_seconds * 1000));
  jo.coinbase.tag = config_.pool.coinbase_tag;
  jo.coinbase.extranonce1_size = 4;
  jo.coinbase.extranonce2_size = config_.stratum.extranonce2_size;
  jo.payout_script = p.payout_script;
  p.jobs = std::make_unique<mining::JobManager>(*p.node, p.registry, jo, [&p](const mining::JobPtr& job) {
    p.server->broadcast(job);
    if (job->clean_jobs) p.accounting->on_new_tip();  // maturity is checked on every new block
  });
  p.watcher = std::make_unique<node::TipWatcher>(
      *p.watcher_node, node::TipWatcher::Options{config_.bitcoin.zmq_hashblock, std::chrono::milliseconds(1000)},
      [&p](const node::TipEvent& e) { p.jobs->notify_new_tip(e); });

  api::ApiSources sources;
  sources.stats = &p.server->stats();
  sources.store = p.store.get();
  sources.jobs = &p.registry;
  sources.coinbase = so.coinbase;  // what the Stratum server personalizes SOLO jobs with
  sources.network = p.network;
  sources.payout_scheme = config_.pool.payout_scheme;
  sources.fee_percentage = config_.pool.fee_percentage;
  sources.node_rpc_latency_ms = [&p] { return p.rpc->last_latency().count() / 1000.0; };
  sources.accounting_leader = [&p] { return p.accounting->is_leader(); };
  sources.ledger_status = [&p] { return p.accounting->ledger_status(); };
  sources.node_up = [&p] { return p.jobs->health().is_up(); };
  sources.payout_failing = [&p] { return p.accounting->payout_failing(); };
  sources.block_notify_seconds = [&p]() -> std::optional<double> {
    const auto tip_to_job = p.jobs->last_tip_to_job_ms();
    if (!tip_to_job) return std::nullopt;
    return (*tip_to_job + p.server->last_broadcast_ms()) / 1000.0;
  };
  sources.payout_duplicate_sends = &p.payout_duplicate_sends;
  sources.payout_refused = &p.payout_refused;
  sources.payouts_in_trouble = &p.payouts_in_trouble;
  p.api = std::make_unique<api::ApiService>(sources);
  p.http = std::make_unique<net::HttpServer>(config_.api.host, config_.api.port,
                                             [&p](const net::HttpRequest& r) { return p.api->handle(r); });

  p.server->start();
  p.http->start();
  p.watcher->start();
  p.jobs->start();
  p.accounting->start();
  p.api->sample(std::chrono::system_clock::now());
  spdlog::info("api: dashboard and JSON API on http://{}:{}/", config_.api.host, p.http->port());
  spdlog::info("stratum: listening on {}:{} ({} threads); payout scheme {}, rewards to {}", config_.stratum.host,
               p.server->port(), so.threads, config_.pool.payout_scheme, p.payout_address);
  if (p.server->tls_port() != 0) spdlog::info("stratum: TLS (stratum+ssl) on {}:{}", config_.stratum.host, p.server->tls_port());
  return true;
}

void PoolApp::stop() {
  Parts& p = *parts_;
  if (p.http) p.http->stop();
  if (p.api) p.api->stop();
  if (p.server) p.server->stop();  // stop accepting, flush shares, reconnect, close
  if (p.watcher) p.watcher->stop();
  if (p.jobs) p.jobs->stop();
  if (p.blocks) p.blocks->stop();
  if (p.accounting) p.accounting->stop();
  if (p.ledger) p.ledger->stop();  // what is not stored yet stays in the spill file
  if (p.shares) p.shares->flush();
  p.lease.reset();  // give the prefix back so a restart gets it again (and honours session resume)
}

ReloadPlan PoolApp::reload(const Config& loaded) {
  Parts& p = *parts_;
  ReloadPlan plan = plan_reload(config_, loaded);
  if (plan.applied.empty() || !p.server || !p.accounting) return plan;
  const EffectiveDifficulty difficulty = effective_difficulty(loaded, p.network);  // throws before anything changes
  // The running configuration takes the applied keys only; the others wait for a restart.
  Config next = config_;
  next.stratum.difficulty = loaded.stratum.difficulty;
  next.stratum.min_difficulty = loaded.stratum.min_difficulty;
  next.stratum.max_difficulty = loaded.stratum.max_difficulty;
  next.stratum.vardiff_target_seconds = loaded.stratum.vardiff_target_seconds;
  next.stratum.max_connections = loaded.stratum.max_connections;
  next.stratum.max_connections_per_ip = loaded.stratum.max_connections_per_ip;
  next.stratum.idle_timeout_seconds = loaded.stratum.idle_timeout_seconds;
  next.stratum.ban_seconds = loaded.stratum.ban_seconds;
  next.pool.fee_percentage = loaded.pool.fee_percentage;
  next.pool.min_payout_sats = loaded.pool.min_payout_sats;
  next.pool.payout_max_outputs = loaded.pool.payout_max_outputs;
  next.pool.payment_interval_hours = loaded.pool.payment_interval_hours;
  next.log.level = loaded.log.level;
  for (const auto& [key, value] : loaded.values) {
    if (applies_without_restart(key)) next.values[key] = value;
  }
  for (auto it = next.values.begin(); it != next.values.end();) {
    it = applies_without_restart(it->first) && !loaded.values.count(it->first) ? next.values.erase(it) : std::next(it);
  }

  spdlog::set_level(spdlog::level::from_str(next.log.level));
  stratum::VarDiffOptions vardiff;
  vardiff.initial = difficulty.start;
  vardiff.minimum = difficulty.minimum;
  vardiff.maximum = difficulty.maximum;
  vardiff.target_seconds = next.stratum.vardiff_target_seconds;
  p.server->apply({next.stratum.max_connections, next.stratum.max_connections_per_ip, next.stratum.idle_timeout_seconds,
                   next.stratum.ban_seconds, vardiff});
  p.accounting->change_payouts(next.pool.fee_percentage, next.pool.min_payout_sats, next.pool.payment_interval_hours,
                               next.pool.payout_max_outputs);
  config_ = std::move(next);
  return plan;
}

std::string PoolApp::monitor_line() {
  Parts& p = *parts_;
  if (!p.server) return "starting";
  const auto s = p.server->stats().snapshot(std::chrono::system_clock::now());
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::max(1e-3, std::chrono::duration<double>(now - p.last_monitor).count());
  const double rate = static_cast<double>(s.accepted - p.last_accepted) / seconds;
  p.last_accepted = s.accepted;
  p.last_monitor = now;
  std::string rejects;
  for (const auto& [reason, n] : s.rejects_by_reason) rejects += " " + reason + "=" + std::to_string(n);
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "connections=%llu authorized=%llu workers=%zu shares/s=%.1f accepted=%llu rejected=%llu%s%s blocks=%llu "
                "hashrate=%.3g H/s invalid_lines=%llu abuse_closes=%llu bans=%llu rss=%.1f MiB",
                static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.authorized),
                s.workers.size(), rate, static_cast<unsigned long long>(s.accepted),
                static_cast<unsigned long long>(s.rejected), rejects.empty() ? "" : " rejects:", rejects.c_str(),
                static_cast<unsigned long long>(s.blocks), s.hashrate,
                static_cast<unsigned long long>(s.invalid_messages), static_cast<unsigned long long>(s.abuse_disconnects),
                static_cast<unsigned long long>(s.bans), static_cast<double>(resident_memory_bytes()) / (1024.0 * 1024.0));
  return buf;
}

uint16_t PoolApp::stratum_port() const { return parts_->server ? parts_->server->port() : 0; }
uint16_t PoolApp::api_port() const { return parts_->http ? parts_->http->port() : 0; }
void PoolApp::sample_statistics() {
  if (parts_->api) parts_->api->sample(std::chrono::system_clock::now());
}
bitcoin::Network PoolApp::network() const { return parts_->network; }
const std::string& PoolApp::payout_address() const { return parts_->payout_address; }
bool PoolApp::is_accounting_leader() const { return parts_->accounting && parts_->accounting->is_leader(); }

}  // namespace pool::app
