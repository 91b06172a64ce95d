#include "stratum/hostile_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bitcoin/serialize.h"
#include "bitcoin/sha256.h"
#include "bitcoin/target.h"
#include "support/eventually.h"
#include "testnode/tx_factory.h"
#include "tools/minerlib/line_client.h"
#include "util/json.h"

extern char** environ;

namespace pool::test::hostile {

namespace {

uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::string unique_stem(const char* what) {
  static std::atomic<int> counter{0};
  return std::string("pool-hostile-") + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

}  // namespace

uint64_t rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// PooldProcess

PooldProcess::PooldProcess(const PoolOptions& options) {
  testnode::TestNodeOptions node_options;
  node_options.bits = 0x1d00ffff;  // shares at difficulty 1e-9 are never blocks
  node_ = std::make_unique<testnode::TestNode>(node_options);
  if (options.mempool_transactions > 0) {
    node_->service().with_chain([&](testnode::Chain& chain, testnode::Wallet&, testnode::TxFactory& factory) {
      for (int i = 0; i < options.mempool_transactions; ++i) {
        auto made = factory.make(nullptr, i % 2 == 0);
        chain.add_to_mempool(std::move(made.tx), made.fee);
      }
    });
  }
  node_->start();
  port_ = free_port();
  const auto dir = std::filesystem::temp_directory_path();
  const std::string stem = unique_stem("poold");
  config_path_ = dir / (stem + ".ini");
  log_path_ = dir / (stem + ".log");
  std::ofstream(config_path_) << "[bitcoin]\nuser = pool\npassword = pool\nport = " << node_->port()
                              << "\n[stratum]\nhost = 127.0.0.1\nport = " << port_
                              << "\ndifficulty = 1e-9\nmin_difficulty = 1e-9\nmax_difficulty = 1e-9"
                              << "\nidle_timeout_seconds = " << options.idle_timeout_seconds
                              << "\nban_seconds = " << options.ban_seconds << "\n[pool]\naddress = " << kAddress << "\njob_refresh_seconds = " << options.job_refresh_seconds
                              << "\n[api]\nport = " << free_port() << "\n[database]\ndb_path = " << options.db_url
                              << "\n[log]\nlevel = info\n";
  std::string path = POOLD_PATH, flag = "--config", cfg = config_path_.string();
  char* argv[] = {path.data(), flag.data(), cfg.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, POOLD_PATH, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = 0;
    return;
  }
  // Listening is the child's only signal that it is ready: connect until it answers (≤ 10 s).
  listening_ = eventually(
      [&] {
        if (!alive()) return true;
        try {
          minerlib::LineClient probe("127.0.0.1", port_);
          return true;
        } catch (const std::runtime_error&) {
          return false;
        }
      },
      10s) &&
      alive();
}

PooldProcess::~PooldProcess() {
  stop(2s);
  std::error_code ignored;
  std::filesystem::remove(config_path_, ignored);
  std::filesystem::remove(log_path_, ignored);
  node_->stop();
}

bool PooldProcess::alive() {
  if (pid_ == 0 || exit_code_) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_code_ = r == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return false;
}

uint64_t PooldProcess::rss_kib() const { return pid_ ? hostile::rss_kib(pid_) : 0; }

size_t PooldProcess::open_fds() const {
  std::error_code ec;
  size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

int PooldProcess::stop(std::chrono::milliseconds limit) {
  if (!alive()) return exit_code_.value_or(-1);
  ::kill(pid_, SIGTERM);
  if (!eventually([&] { return !alive(); }, limit)) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = -1;
  }
  return exit_code_.value_or(-1);
}

std::string PooldProcess::log_tail(size_t bytes) const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  const std::string all = s.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

// ---------------------------------------------------------------------------------------------
// HonestMiner

HonestMiner::HonestMiner(uint16_t port, std::string worker) : worker_(std::move(worker)) {
  thread_ = std::thread([this, port] {
    run(port);
    finished_ = true;
  });
}

HonestMiner::~HonestMiner() { stop(); }

void HonestMiner::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool HonestMiner::wait_accepted(uint64_t n, std::chrono::milliseconds limit) const {
  return eventually([&] { return accepted_ >= n || finished_; }, limit) && accepted_ >= n;
}

std::vector<std::string> HonestMiner::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

void HonestMiner::fail(std::string what) {
  std::lock_guard lock(mutex_);
  if (failures_.size() < 20) failures_.push_back(std::move(what));
}

void HonestMiner::run(uint16_t port) {
  try {
    minerlib::LineClient c("127.0.0.1", port);
    c.send(R"({"id":1,"method":"mining.subscribe","params":["honest-miner"]})" "\n"
           R"({"id":2,"method":"mining.authorize","params":[")" + worker_ + R"(","x"]})" "\n");
    bitcoin::Bytes en1;
    std::optional<minerlib::MinerJob> job;
    auto handle = [&](const std::string& line) {
      auto d = util::parse_json(line);
      if (d.HasMember("method") && d["method"].IsString()) {
        if (std::string(d["method"].GetString()) == "mining.notify") job = minerlib::parse_notify(d["params"]);
        return std::optional<bool>();
      }
      if (d.HasMember("id") && d["id"].IsInt() && d["id"].GetInt() == 1) en1 = bitcoin::from_hex(d["result"][1].GetString());
      if (d.HasMember("id") && d["id"].IsInt() && d["id"].GetInt() >= 1000) {
        return std::optional<bool>(d["result"].IsBool() && d["result"].GetBool());
      }
      return std::optional<bool>();
    };
    const auto handshake_deadline = std::chrono::steady_clock::now() + kAnswerBound;
    while (!job || en1.empty()) {
      if (std::chrono::steady_clock::now() > handshake_deadline) return fail("no work within the answer bound");
      if (auto line = c.read_line(100ms)) handle(*line);
    }
    const auto target = bitcoin::target_from_difficulty(1e-9);
    for (uint32_t i = 0; !stop_ && i < 100000; ++i) {
      bitcoin::Bytes en2(8, 0);
      bitcoin::write_be32(en2.data() + 4, i);
      const auto header = minerlib::build_header(*job, en1, en2, job->ntime, 0, job->version);
      const auto nonce = minerlib::scan_nonces(header, target, 0, 1u << 20);
      if (!nonce) return fail("no nonce found");
      const std::string id = std::to_string(1000 + i);
      const auto sent = std::chrono::steady_clock::now();
      c.send(minerlib::submit_line(id, worker_, *job, en2, job->ntime, *nonce, 0));
      std::optional<bool> answer;
      while (!answer) {
        const auto left = kAnswerBound - (std::chrono::steady_clock::now() - sent);
        if (left <= 0s) return fail("share " + id + " not answered within " + std::to_string(kAnswerBound.count()) + " ms");
        auto line = c.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(left));
        if (line && line->find("\"id\":" + id + ",") != std::string::npos) {
          answer = handle(*line);
          if (!*answer) return fail("share " + id + " refused: " + *line);
        } else if (line) {
          handle(*line);
        }
      }
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent).count();
      if (ms > max_latency_ms_) max_latency_ms_ = ms;
      ++accepted_;
      // A steady rate of about 40 shares a second, not a flood: the honest miner is the probe.
      std::this_thread::sleep_for(25ms);
    }
  } catch (const std::exception& e) {
    fail(std::string("honest miner: ") + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// RawConn

RawConn::RawConn(uint16_t port, const std::string& local_ip) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, local_ip.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

RawConn::~RawConn() {
  if (fd_ >= 0) ::close(fd_);
}

size_t RawConn::send(std::string_view data, std::chrono::milliseconds stall) {
  size_t sent = 0;
  while (fd_ >= 0 && !peer_closed_ && sent < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      peer_closed_ = true;  // EPIPE / ECONNRESET: the server closed us
      break;
    }
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(stall.count())) <= 0) break;  // the server stopped reading
    if (p.revents & (POLLERR | POLLHUP)) {
      peer_closed_ = true;
      break;
    }
  }
  return sent;
}

int RawConn::pump(int timeout_ms) {
  if (fd_ < 0 || peer_closed_) return -1;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return 0;
  char chunk[65536];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    peer_closed_ = true;
    return -1;
  }
  if (n < 0) return 0;
  buffer_.append(chunk, static_cast<size_t>(n));
  if (buffer_.size() > (1u << 20)) buffer_.erase(0, buffer_.size() - (1u << 20));  // bounded
  return 1;
}

std::optional<std::string> RawConn::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      ++lines_seen_;
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    // Always look once, even with no time left.
    const int r = pump(static_cast<int>(std::max<int64_t>(0, left.count())));
    if (r < 0 || (r == 0 && left.count() <= 0)) return std::nullopt;
  }
}

bool RawConn::closed_within(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (read_line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())) &&
         std::chrono::steady_clock::now() < deadline) {
  }
  return peer_closed_;
}

void RawConn::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void RawConn::reset() {
  if (fd_ < 0) return;
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd_);
  fd_ = -1;
}

// ---------------------------------------------------------------------------------------------
// RssMonitor

RssMonitor::RssMonitor(pid_t pid) : pid_(pid) {
  peak_ = rss_kib(pid_);
  thread_ = std::thread([this] {
    while (!stop_) {
      const uint64_t now = rss_kib(pid_);
      if (now > peak_) peak_ = now;
      std::this_thread::sleep_for(5ms);  // sampling period
    }
  });
}

RssMonitor::~RssMonitor() {
  stop_ = true;
  thread_.join();
}

// ---------------------------------------------------------------------------------------------
// Database counts

ShareRows count_share_rows(const std::string& url) {
  const char* sql = "SELECT COUNT(*), COUNT(DISTINCT hash) FROM shares";
  ShareRows out;
  if (url.rfind("sqlite:///", 0) == 0) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(url.substr(10).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + url);
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
      const std::string why = sqlite3_errmsg(db);
      sqlite3_finalize(st);
      sqlite3_close(db);
      throw std::runtime_error("counting shares: " + why);
    }
    out.rows = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
    out.distinct_hashes = static_cast<uint64_t>(sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : nullptr;
  const bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
  if (ok) {
    out.rows = std::stoull(PQgetvalue(r, 0, 0));
    out.distinct_hashes = std::stoull(PQgetvalue(r, 0, 1));
  }
  const std::string why = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
  if (r) PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("counting shares: " + why);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Attacker helpers

MinerIdentity handshake(RawConn& c, const std::string& subscribe_params, const std::string& worker,
                        std::chrono::milliseconds limit) {
  MinerIdentity id;
  c.send(R"({"id":1,"method":"mining.subscribe","params":)" + subscribe_params + "}\n" +
         R"({"id":2,"method":"mining.authorize","params":[")" + worker + R"(","x"]})" "\n");
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool authorize_answered = false, authorized = false;
  while (std::chrono::steady_clock::now() < deadline && !(authorize_answered && (id.job || !authorized))) {
    auto line = c.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!line) break;
    rapidjson::Document d;
    d.Parse(line->c_str());
    if (d.HasParseError() || !d.IsObject()) continue;
    if (d.HasMember("method") && d["method"].IsString()) {
      if (std::string(d["method"].GetString()) == "mining.notify") id.job = minerlib::parse_notify(d["params"]);
      continue;
    }
    if (!d.HasMember("id") || !d["id"].IsInt()) continue;
    id.replies.push_back(*line);
    if (d["id"].GetInt() == 1 && d["result"].IsArray()) id.extranonce1_hex = d["result"][1].GetString();
    if (d["id"].GetInt() == 2) {
      authorize_answered = true;
      authorized = d["result"].IsBool() && d["result"].GetBool();
      id.authorize_reply = *line;
    }
  }
  id.authorized = authorized;
  return id;
}

std::optional<std::string> reply_to(RawConn& c, const std::string& id, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto line = c.read_line(left);
    if (!line) return std::nullopt;
    if (line->rfind("{\"id\":" + id + ",", 0) == 0) return line;
  }
}

int error_code(const std::string& line) {
  rapidjson::Document d;
  d.Parse(line.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("error") || !d["error"].IsArray() || d["error"].Empty() ||
      !d["error"][0].IsInt()) {
    return 0;
  }
  return d["error"][0].GetInt();
}

std::string solved_submit(const std::string& id, const std::string& worker, const minerlib::MinerJob& job,
                          const std::string& extranonce1_hex, uint32_t counter, bool meets) {
  const auto target = bitcoin::target_from_difficulty(1e-9);
  const auto en1 = bitcoin::from_hex(extranonce1_hex);
  bitcoin::Bytes en2(8, 0);
  bitcoin::write_be32(en2.data() + 4, counter);
  auto header = minerlib::build_header(job, en1, en2, job.ntime, 0, job.version);
  for (uint32_t nonce = 0; nonce < 1000000; ++nonce) {
    for (int b = 0; b < 4; ++b) header[76 + b] = static_cast<uint8_t>(nonce >> (8 * b));
    if (bitcoin::hash_meets_target(bitcoin::sha256d(header), target) == meets) {
      return minerlib::submit_line(id, worker, job, en2, job.ntime, nonce, 0);
    }
  }
  throw std::runtime_error("no nonce found");
}

}  // namespace pool::test::hostile
