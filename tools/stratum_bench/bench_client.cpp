#include "tools/stratum_bench/bench_client.h"

#include <optional>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <deque>
#include <thread>

#include "bitcoin/target.h"

namespace pool::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Worker {
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  std::vector<uint32_t> latencies_us;
};

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(Worker& worker, const BenchOptions& o, BenchCounters& c, std::string local_ip)
      : worker_(worker), o_(o), c_(c), socket_(worker.ioc), local_ip_(std::move(local_ip)) {}

  void start() {
    boost::system::error_code ec;
    const tcp::endpoint remote(asio::ip::make_address(o_.host), o_.port);
    socket_.open(remote.protocol(), ec);
    if (!local_ip_.empty()) socket_.bind(tcp::endpoint(asio::ip::make_address(local_ip_), 0), ec);
    if (ec) return fail();
    socket_.async_connect(remote, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->fail();
      ++self->c_.connected;
      boost::system::error_code ignored;
      self->socket_.set_option(tcp::no_delay(true), ignored);
      self->socket_.non_blocking(true, ignored);
      self->send("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"stratum-bench/1.0\"]}\n"
                 "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"" + self->o_.user + "\",\"x\"]}\n");
      self->wait_readable();
    });
  }

  void set_submitting(bool on) {
    submitting_ = on;
    if (on) top_up();
  }
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void fail() {
    ++c_.failed;
    close();
  }

  void wait_readable() {
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      self->on_readable();
    });
  }

  void on_readable() {
    thread_local std::array<char, 65536> buf;
    while (true) {
      boost::system::error_code ec;
      const size_t n = socket_.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block) break;
      if (ec) {
        ++c_.closed;
        return close();
      }
      std::string_view data(buf.data(), n);
      while (!data.empty()) {
        const size_t nl = data.find('\n');
        if (nl == std::string_view::npos) {
          partial_.append(data);
          break;
        }
        if (partial_.empty()) {
          handle(data.substr(0, nl));
        } else {
          partial_.append(data.substr(0, nl));
          handle(partial_);
          partial_.clear();
        }
        data.remove_prefix(nl + 1);
      }
      if (n < buf.size()) break;
    }
    top_up();
    wait_readable();
  }

  void handle(std::string_view line) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject()) return;
    auto method = d.FindMember("method");
    if (method != d.MemberEnd() && method->value.IsString()) {
      const std::string_view m(method->value.GetString(), method->value.GetStringLength());
      if (m == "mining.set_difficulty" && d["params"].IsArray() && d["params"].Size() > 0) {
        target_ = bitcoin::target_from_difficulty(d["params"][0].GetDouble());
      } else if (m == "mining.notify") {
        try {
          job_ = std::make_shared<minerlib::MinerJob>(minerlib::parse_notify(d["params"]));
        } catch (const std::exception&) {
          return;
        }
        ++c_.notifies;
        if (job_->clean) {
          ++c_.clean_notifies;
          const int64_t t = now_ns();
          c_.last_clean_notify_ns = std::max(c_.last_clean_notify_ns.load(), t);
          int64_t zero = 0;
          c_.first_clean_notify_ns.compare_exchange_strong(zero, t);
        }
        if (!ready_ && authorized_) mark_ready();
      }
      return;
    }
    auto id = d.FindMember("id");
    if (id == d.MemberEnd() || !id->value.IsUint64()) return;
    const uint64_t n = id->value.GetUint64();
    const bool ok = d.HasMember("result") && d["result"].IsBool() && d["result"].GetBool();
    if (n == 1 && d["result"].IsArray()) {
      extranonce1_ = bitcoin::from_hex(d["result"][1].GetString());
      extranonce2_size_ = d["result"][2].GetUint();
    } else if (n == 2) {
      authorized_ = ok;
      if (!ok) return fail();
      if (job_ && !ready_) mark_ready();
    } else if (n >= 100) {
      for (auto it = inflight_.begin(); it != inflight_.end(); ++it) {
        if (it->first == n) {
          worker_.latencies_us.push_back(static_cast<uint32_t>((now_ns() - it->second) / 1000));
          inflight_.erase(it);
          break;
        }
      }
      if (ok) {
        ++c_.accepted;
      } else {
        ++c_.rejected;
        int code = 27;
        if (d.HasMember("error") && d["error"].IsArray() && d["error"].Size() > 0 && d["error"][0].IsInt()) {
          code = d["error"][0].GetInt();
        }
        ++c_.rejects_by_code[static_cast<size_t>(std::clamp(code, 20, 27) - 20)];
      }
    }
  }

  void mark_ready() {
    ready_ = true;
    ++c_.ready;
    // Spread connections over the pacing period so the offered load is smooth, not bursts.
    tokens_ = static_cast<double>(std::hash<const void*>{}(this) % 1000) / 1000.0;
  }

  /// Open-loop pacing: the worker's timer hands out share tokens.
 public:
  void add_tokens(double tokens) {
    if (submitting_ && ready_) tokens_ = std::min(tokens_ + tokens, 64.0);
    top_up();
  }

 private:
  void top_up() {
    if (!submitting_ || !ready_ || o_.window <= 0) return;
    std::string batch;
    while (static_cast<int>(inflight_.size()) < o_.window) {
      if (o_.rate > 0) {
        if (tokens_ < 1) break;
        tokens_ -= 1;
      }
      batch += make_share();
    }
    if (!batch.empty()) send(batch);
  }

  std::string make_share() {
    bitcoin::Bytes en2(extranonce2_size_, 0);
    for (int tries = 0;; ++tries) {
      const uint64_t counter = ++extranonce2_counter_;
      for (size_t i = 0; i < std::min<size_t>(8, en2.size()); ++i) {
        en2[en2.size() - 1 - i] = static_cast<uint8_t>(counter >> (8 * i));
      }
      const auto header = minerlib::build_header(*job_, extranonce1_, en2, job_->ntime, 0, job_->version);
      if (const auto nonce = minerlib::scan_nonces(header, target_, 0, 1u << 20)) {
        const uint64_t id = next_id_++;
        inflight_.emplace_back(id, now_ns());
        ++c_.submitted;
        return minerlib::submit_line(std::to_string(id), o_.user, *job_, en2, job_->ntime, *nonce, 0);
      }
    }
  }

  void send(std::string data) {
    pending_ += data;
    if (writing_) return;
    writing_ = true;
    out_ = std::move(pending_);
    pending_.clear();
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) return self->close();
      if (!self->pending_.empty()) self->send({});
    });
  }

  Worker& worker_;
  const BenchOptions& o_;
  BenchCounters& c_;
  tcp::socket socket_;
  std::string local_ip_;
  std::string partial_, pending_, out_;
  bool writing_ = false, authorized_ = false, ready_ = false, submitting_ = false;
  double tokens_ = 0;
  bitcoin::Bytes extranonce1_;
  size_t extranonce2_size_ = 8;
  uint64_t extranonce2_counter_ = 0, next_id_ = 100;
  bitcoin::Target target_ = bitcoin::difficulty_one_target();
  std::shared_ptr<minerlib::MinerJob> job_;
  std::deque<std::pair<uint64_t, int64_t>> inflight_;
};

}  // namespace

struct BenchRun::Impl {
  BenchOptions options;
  BenchCounters& counters;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::vector<std::shared_ptr<Conn>>> conns;  // per worker
  std::atomic<bool> stop_pacing{false};
  explicit Impl(BenchOptions o, BenchCounters& c) : options(std::move(o)), counters(c) {}
};

BenchRun::BenchRun(BenchOptions options, BenchCounters& counters)
    : impl_(std::make_unique<Impl>(std::move(options), counters)) {
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    auto w = std::make_unique<Worker>();
    w->guard.emplace(w->ioc.get_executor());
    Worker* raw = w.get();
    w->thread = std::thread([raw] { raw->ioc.run(); });
    impl_->workers.push_back(std::move(w));
  }
  impl_->conns.resize(impl_->workers.size());
}

BenchRun::~BenchRun() { finish(); }

uint64_t BenchRun::connect_all(std::chrono::seconds timeout) {
  auto& o = impl_->options;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.connections; ++i) {
    const size_t w = static_cast<size_t>(i) % impl_->workers.size();
    const std::string ip = o.local_ips > 1 ? "127.0.0." + std::to_string(1 + i % o.local_ips) : "";
    // Pace the opening so the listen backlog is not overrun.
    const auto due = start + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / o.connect_rate));
    std::this_thread::sleep_until(due);
    asio::post(impl_->workers[w]->ioc, [this, w, ip] {
      auto c = std::make_shared<Conn>(*impl_->workers[w], impl_->options, impl_->counters, ip);
      impl_->conns[w].push_back(c);
      c->start();
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->counters.ready + impl_->counters.failed < static_cast<uint64_t>(o.connections) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return impl_->counters.ready;
}

void BenchRun::start_submitting() {
  for (size_t w = 0; w < impl_->workers.size(); ++w) {
    asio::post(impl_->workers[w]->ioc, [this, w] {
      for (auto& c : impl_->conns[w]) c->set_submitting(true);
    });
  }
  if (impl_->options.rate <= 0) return;
  // One pacing timer per worker, every millisecond.
  const double per_conn_per_ms = impl_->options.rate / std::max(1, impl_->options.connections) / 1000.0;
  for (size_t w = 0; w < impl_->workers.size(); ++w) {
    auto timer = std::make_shared<asio::steady_timer>(impl_->workers[w]->ioc);
    auto tick = std::make_shared<std::function<void(boost::system::error_code)>>();
    *tick = [this, w, timer, tick, per_conn_per_ms](boost::system::error_code ec) {
      if (ec || impl_->stop_pacing) return;
      for (auto& c : impl_->conns[w]) c->add_tokens(per_conn_per_ms);
      timer->expires_at(timer->expiry() + std::chrono::milliseconds(1));
      timer->async_wait([tick](boost::system::error_code e) { (*tick)(e); });
    };
    timer->expires_after(std::chrono::milliseconds(1));
    timer->async_wait([tick](boost::system::error_code e) { (*tick)(e); });
  }
}

void BenchRun::stop_submitting() {
  impl_->stop_pacing = true;
  for (size_t w = 0; w < impl_->workers.size(); ++w) {
    asio::post(impl_->workers[w]->ioc, [this, w] {
      for (auto& c : impl_->conns[w]) c->set_submitting(false);
    });
  }
}

std::vector<uint32_t> BenchRun::finish() {
  std::vector<uint32_t> all;
  if (impl_->workers.empty()) return all;
  for (size_t w = 0; w < impl_->workers.size(); ++w) {
    asio::post(impl_->workers[w]->ioc, [this, w] {
      for (auto& c : impl_->conns[w]) c->close();
      impl_->conns[w].clear();
    });
  }
  for (auto& w : impl_->workers) {
    w->guard.reset();
    if (w->thread.joinable()) w->thread.join();
    all.insert(all.end(), w->latencies_us.begin(), w->latencies_us.end());
  }
  impl_->workers.clear();
  return all;
}

}  // namespace pool::bench
