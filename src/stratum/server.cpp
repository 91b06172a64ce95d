#include "stratum/server.h"

#include <optional>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <spdlog/spdlog.h>

#include "stratum/connection.h"
#include "mining/job_builder.h"
#include "util/accept_backoff.h"
#include "util/json.h"

namespace pool::stratum {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct StratumServer::Worker {
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections;  // touched only on this thread
  std::unique_ptr<asio::steady_timer> tick;
  std::function<void(boost::system::error_code)> on_tick;
};

/// One listening socket (plain or TLS) with its accept back-off; lives on the acceptor worker.
struct StratumServer::Listener {
  explicit Listener(asio::io_context& ioc, bool tls) : acceptor(ioc), retry(ioc), tls(tls) {}
  tcp::acceptor acceptor;
  asio::steady_timer retry;  // back-off when out of descriptors
  util::AcceptBackoff backoff;
  bool tls;
};

namespace {

/// Calls f on every connection of a worker. Any of them may close while f runs, and closing
/// erases it from the map being walked, so the walk goes over a copy of the list.
template <class Connections, class F>
void for_each_connection(const Connections& connections, F&& f) {
  std::vector<typename Connections::mapped_type> list;
  list.reserve(connections.size());
  for (const auto& entry : connections) list.push_back(entry.second);
  for (const auto& c : list) f(*c);
}

std::string reason_key(int code) {
  switch (code) {
    case kJobNotFound: return "stale";
    case kDuplicate: return "duplicate";
    case kLowDifficulty: return "low-difficulty";
    case kUnauthorized: return "unauthorized";
    case kNotSubscribed: return "not-subscribed";
    default: return "other";
  }
}
}  // namespace

class StratumServer::Host : public SessionHost {
 public:
  explicit Host(StratumServer& server) : server_(server), epoch_(std::chrono::steady_clock::now()) {}
  mining::JobPtr find_job(const std::string& id) override { return server_.jobs_.find(id); }
  mining::JobPtr current_job() override { return server_.jobs_.current(); }
  bitcoin::Network network() const override { return server_.network_; }
  std::string claim_extranonce1(const std::string& requested) override { return server_.claim_extranonce1(requested); }
  void release_extranonce1(const std::string& extranonce1) override { server_.release_extranonce1(extranonce1); }
  mining::JobPtr personalize(const mining::JobPtr& base, const bitcoin::Bytes& payout_script,
                             const std::string& id_suffix) override {
    // Shares the base job's merkle branch, witness commitment, seen-set and transaction list;
    // only the coinbase is rebuilt.
    return std::make_shared<const mining::Job>(
        mining::personalize_job(*base, payout_script, server_.options_.coinbase, base->id + id_suffix));
  }
  void submit_block(const mining::JobPtr& job, const mining::Solution& solution, const AcceptedShare& share) override {
    server_.stats_.block_found();
    if (server_.on_block_) server_.on_block_(job, solution, share);
  }
  void share_rejected(const std::string& worker, int code, const std::string&) override {
    server_.stats_.share_rejected(worker, reason_key(code));
  }
  bool claim_worker(const std::string& address, const std::string& name) override {
    return server_.worker_names_.claim(address, name);
  }
  void release_worker(const std::string& address, const std::string& name) override {
    server_.worker_names_.release(address, name);
  }
  size_t max_workers_per_address() const override { return server_.worker_names_.max_per_address(); }
  double now() override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_).count();
  }
  uint32_t unix_time() override {
    return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }

 private:
  StratumServer& server_;
  std::chrono::steady_clock::time_point epoch_;
};

StratumServer::StratumServer(ServerOptions options, mining::JobRegistry& jobs, bitcoin::Network network,
                             ShareSink& shares, BlockFoundHandler on_block)
    : options_(std::move(options)),
      jobs_(jobs),
      network_(network),
      shares_(shares),
      on_block_(std::move(on_block)),
      stats_(options_.stats),
      worker_names_(options_.max_workers_per_address),
      host_(std::make_unique<Host>(*this)) {
  idle_timeout_seconds_ = options_.idle_timeout_seconds;
  next_extranonce_ = static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

StratumServer::~StratumServer() { stop(); }

void StratumServer::set_extranonce_prefix(std::optional<uint8_t> prefix) {
  std::optional<uint8_t> before;
  {
    std::lock_guard lock(mutex_);
    before = extranonce_prefix_;
    extranonce_prefix_ = prefix;
  }
  if (!before || !prefix || *before == *prefix) return;
  // The old prefix now belongs to another instance: no session here may keep using it.
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker, p = *prefix] {
      std::vector<Outgoing> out;
      for_each_connection(worker->connections, [&](Connection& c) { c.leave_prefix(p, out); });
    });
  }
}

std::optional<uint8_t> StratumServer::extranonce_prefix() const {
  std::lock_guard lock(mutex_);
  return extranonce_prefix_;
}

std::string StratumServer::claim_extranonce1(const std::string& requested) {
  std::lock_guard lock(mutex_);
  // A resumed session gets its extranonce1 back only when it is free and inside this instance's
  // prefix: another instance on the same database owns every other prefix.
  if (requested.size() == 8 && bitcoin::is_hex(requested)) {
    std::string lower = requested;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool ours = !extranonce_prefix_ || bitcoin::parse_hex_u32(lower) >> 24 == *extranonce_prefix_;
    if (ours && extranonces_in_use_.insert(lower).second) return lower;
  }
  while (true) {
    uint32_t value = next_extranonce_++;
    if (extranonce_prefix_) value = static_cast<uint32_t>(*extranonce_prefix_) << 24 | (value & 0xffffff);
    const std::string candidate = bitcoin::hex_u32(value);
    if (extranonces_in_use_.insert(candidate).second) return candidate;
  }
}

void StratumServer::release_extranonce1(const std::string& extranonce1) {
  std::lock_guard lock(mutex_);
  extranonces_in_use_.erase(extranonce1);
}

bool StratumServer::is_banned(const std::string& ip) {
  auto it = banned_.find(ip);
  if (it == banned_.end()) return false;
  if (std::chrono::steady_clock::now() < it->second) return true;
  banned_.erase(it);
  return false;
}

void StratumServer::add_ban(const std::string& ip) {
  // Called with mutex_ held. The list is bounded: expired bans go first, then the oldest.
  const auto now = std::chrono::steady_clock::now();
  if (banned_.size() >= options_.max_banned_ips && !banned_.count(ip)) {
    std::erase_if(banned_, [&](const auto& entry) { return entry.second <= now; });
  }
  while (!banned_.empty() && banned_.size() >= std::max<size_t>(1, options_.max_banned_ips) && !banned_.count(ip)) {
    auto oldest = banned_.begin();
    for (auto it = banned_.begin(); it != banned_.end(); ++it) {
      if (it->second < oldest->second) oldest = it;
    }
    banned_.erase(oldest);
  }
  banned_[ip] = now + std::chrono::milliseconds(static_cast<int64_t>(options_.ban_seconds * 1000));
}

size_t StratumServer::banned_ips() const {
  std::lock_guard lock(mutex_);
  return banned_.size();
}

void StratumServer::listen(Listener& listener, uint16_t port, const char* what) {
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(options_.host), port);
    auto& acceptor = listener.acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    if (endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(false));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("cannot listen for ") + what + " on " + options_.host + ":" + std::to_string(port) +
                             ": " + e.code().message());
  }
}

void StratumServer::start() {
  acceptor_worker_ = std::make_unique<Worker>();
  for (int i = 0; i < std::max(1, options_.threads); ++i) workers_.push_back(std::make_unique<Worker>());
  listeners_.push_back(std::make_unique<Listener>(acceptor_worker_->ioc, false));
  listen(*listeners_.back(), options_.port, "Stratum");
  bound_port_ = listeners_.back()->acceptor.local_endpoint().port();
  if (options_.tls_port) {
    tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    try {
      tls_context_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                asio::ssl::context::no_tlsv1_1);
      tls_context_->use_certificate_chain_file(options_.tls_cert_file);
      tls_context_->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot load the TLS certificate " + options_.tls_cert_file + " / key " +
                               options_.tls_key_file + ": " + e.code().message());
    }
    listeners_.push_back(std::make_unique<Listener>(acceptor_worker_->ioc, true));
    listen(*listeners_.back(), *options_.tls_port, "Stratum over TLS");
    tls_bound_port_ = listeners_.back()->acceptor.local_endpoint().port();
  }
  auto run = [](Worker& w) {
    w.guard.emplace(w.ioc.get_executor());
    w.thread = std::thread([&w] { w.ioc.run(); });
  };
  for (auto& w : workers_) {
    w->tick = std::make_unique<asio::steady_timer>(w->ioc);
    Worker* worker = w.get();
    // The worker owns its tick handler; each expiry re-arms the timer with it.
    worker->on_tick = [this, worker](boost::system::error_code ec) {
      if (ec || stopping_) return;
      std::vector<Outgoing> out;
      for_each_connection(worker->connections, [&](Connection& c) { c.tick(out); });
      worker->tick->expires_after(std::chrono::seconds(1));
      worker->tick->async_wait(worker->on_tick);
    };
    worker->tick->expires_after(std::chrono::seconds(1));
    worker->tick->async_wait(worker->on_tick);
    run(*w);
  }
  for (auto& l : listeners_) accept(*l);
  run(*acceptor_worker_);
}

void StratumServer::accept(Listener& listener) {
  Worker& target = *workers_[next_worker_++ % workers_.size()];
  listener.acceptor.async_accept(target.ioc, [this, &target, &listener](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    auto& backoff = listener.backoff;
    if (ec) {
      stats_.accept_error();
      bool starts = false;
      const auto wait = backoff.failed(ec.value(), &starts);
      if (starts) spdlog::warn("stratum: cannot accept connections ({}); retrying with back-off", ec.message());
      if (wait.count() > 0) {
        listener.retry.expires_after(wait);
        listener.retry.async_wait([this, &listener](boost::system::error_code e) {
          if (!e && !stopping_) accept(listener);
        });
        return;
      }
    } else if (backoff.succeeded()) {
      spdlog::info("stratum: accepting connections again");
    }
    if (!ec) {
      boost::system::error_code ignored;
      const auto remote = socket.remote_endpoint(ignored);
      std::string ip = remote.address().to_string();
      if (remote.address().is_v6() && remote.address().to_v6().is_v4_mapped()) {
        ip = remote.address().to_v6().to_v4().to_string();
      }
      std::string refusal;
      {
        std::lock_guard lock(mutex_);
        if (is_banned(ip)) {
          refusal = "banned";
        } else if (total_connections_ >= options_.max_connections) {
          refusal = R"({"id":null,"error":[503,"Too many connections",null]})";
        } else if (options_.max_connections_per_ip > 0 && per_ip_[ip] >= options_.max_connections_per_ip) {
          refusal = R"({"id":null,"error":[503,"Too many connections from your address",null]})";
        } else {
          ++total_connections_;
          ++per_ip_[ip];
        }
      }
      if (!refusal.empty()) {
        if (refusal != "banned") asio::write(socket, asio::buffer(refusal + "\n"), ignored);
        socket.close(ignored);
      } else {
        stats_.connection_opened();
        asio::post(target.ioc, [this, &target, s = std::move(socket), ip, tls = listener.tls]() mutable {
          std::shared_ptr<Connection> c;
          if (tls) {
            c = std::make_shared<TlsConnection>(*this, target, target.ioc, std::move(s), ip, *host_, options_, shares_,
                                                stats_, *tls_context_);
          } else {
            c = std::make_shared<PlainConnection>(*this, target, target.ioc, std::move(s), ip, *host_, options_, shares_,
                                                  stats_);
          }
          target.connections.emplace(c.get(), c);
          c->start();
        });
      }
    }
    accept(listener);
  });
}

void StratumServer::closed(Worker& worker, Connection* connection, const std::string& ip, const std::string& extranonce1,
                           bool ban, size_t workers) {
  stats_.connection_closed();
  if (workers > 0) stats_.worker_gone();
  std::lock_guard lock(mutex_);
  --total_connections_;
  if (auto it = per_ip_.find(ip); it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  if (!extranonce1.empty()) extranonces_in_use_.erase(extranonce1);
  if (ban && options_.ban_seconds > 0) {
    add_ban(ip);
    spdlog::warn("stratum: backing off {} for {:.0f} s after mostly invalid shares", ip, options_.ban_seconds);
  }
  // Called on the connection's own thread, which owns its worker's map.
  worker.connections.erase(connection);
}

void StratumServer::broadcast(const mining::JobPtr& job) {
  const auto notify = std::make_shared<const std::string>(notify_line(*job, job->clean_jobs));
  // Each worker thread hands the one shared message to its own sessions; the last to finish
  // records how long the whole fan-out took (writes issued to every socket).
  struct FanOut {
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::atomic<size_t> remaining;
    std::atomic<size_t> sessions{0};
  };
  auto fan = std::make_shared<FanOut>();
  fan->remaining = workers_.size();
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [this, worker, job, notify, fan] {
      std::vector<Outgoing> out;
      for_each_connection(worker->connections, [&](Connection& c) { c.new_job(job, notify, out); });
      fan->sessions += worker->connections.size();
      if (--fan->remaining == 0) {
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - fan->started).count();
        last_broadcast_ms_ = ms;
        if (job->clean_jobs) spdlog::info("stratum: job {} sent to {} sessions in {:.2f} ms", job->id, fan->sessions.load(), ms);
      }
    });
  }
}

void StratumServer::show_message(const std::string& text) {
  const auto line = std::make_shared<const std::string>(server_request_line("client.show_message", "[" + util::quote(text) + "]"));
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker, line] {
      for_each_connection(worker->connections, [&](Connection& c) { c.send_shared(line); });
    });
  }
}

SessionConfig StratumServer::session_config() const {
  std::lock_guard lock(mutex_);
  return options_.session;
}

void StratumServer::apply(const LiveSettings& settings) {
  {
    std::lock_guard lock(mutex_);  // the acceptor and closed() read these under it
    options_.max_connections = settings.max_connections;
    options_.max_connections_per_ip = settings.max_connections_per_ip;
    options_.ban_seconds = settings.ban_seconds;
    options_.session.vardiff = settings.vardiff;
  }
  idle_timeout_seconds_ = settings.idle_timeout_seconds;
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker, vardiff = settings.vardiff] {
      std::vector<Outgoing> out;
      for_each_connection(worker->connections, [&](Connection& c) { c.change_vardiff(vardiff, out); });
    });
  }
}

void StratumServer::set_version_mask(uint32_t mask) {
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker, mask] {
      std::vector<Outgoing> out;
      for_each_connection(worker->connections, [&](Connection& c) { c.change_version_mask(mask, out); });
    });
  }
}

void StratumServer::rotate_extranonces() {
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker] {
      std::vector<Outgoing> out;
      for_each_connection(worker->connections, [&](Connection& c) { c.change_extranonce(out); });
    });
  }
}

void StratumServer::stop() {
  if (stopping_.exchange(true) || workers_.empty()) return;
  asio::post(acceptor_worker_->ioc, [this] {
    boost::system::error_code ignored;
    for (auto& l : listeners_) {
      l->acceptor.close(ignored);
      l->retry.cancel(ignored);
    }
  });
  std::shared_ptr<const std::string> reconnect;
  if (!options_.reconnect_host.empty()) {
    reconnect = std::make_shared<const std::string>(server_request_line(
        "client.reconnect", "[" + util::quote(options_.reconnect_host) + "," +
                                std::to_string(options_.reconnect_port ? options_.reconnect_port : bound_port_.load()) +
                                ",0]"));
  }
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker, reconnect] {
      for_each_connection(worker->connections, [&](Connection& c) { c.shutdown(reconnect); });
    });
  }
  // Give queued replies and reconnect messages a moment to leave, bounded well under 5 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex_);
      if (total_connections_ == 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  shares_.flush();
  for (auto& w : workers_) {
    w->guard.reset();
    w->ioc.stop();
  }
  acceptor_worker_->guard.reset();
  acceptor_worker_->ioc.stop();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  if (acceptor_worker_->thread.joinable()) acceptor_worker_->thread.join();
  for (auto& w : workers_) w->connections.clear();
  listeners_.clear();
}

}  // namespace pool::stratum
