#include "stratum/connection.h"

#include <spdlog/spdlog.h>

#include "util/text.h"

namespace pool::stratum {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

StratumServer::Connection::Connection(StratumServer& server, Worker& worker, asio::io_context& ioc, tcp::socket socket, std::string ip,
                                      SessionHost& host, const ServerOptions& options, ShareSink& shares,
                                      PoolStats& stats)
    : server_(server),
      worker_(worker),
      ioc_(ioc),
      socket_(std::move(socket)),
      idle_(ioc),
      ip_(std::move(ip)),
      options_(options),
      shares_(shares),
      stats_(stats),
      session_(host, options.session, ip_) {}

void StratumServer::Connection::start() {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.set_option(tcp::no_delay(true), ignored);
  arm_idle_timer();
  wait_readable();
}

void StratumServer::Connection::arm_idle_timer() {
  idle_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(options_.idle_timeout_seconds * 1000)));
  idle_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->close("idle timeout");
  });
}

void StratumServer::Connection::wait_readable() {
  // Waiting for readability (instead of reading into a per-connection buffer) keeps an idle
  // connection's memory to the socket and the session.
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return self->close(ec == asio::error::operation_aborted ? "" : ec.message());
    self->on_readable();
  });
}

void StratumServer::Connection::on_readable() {
  thread_local std::array<char, 64 * 1024> buffer;
  while (!closed_) {
    boost::system::error_code ec;
    const size_t n = socket_.read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block) break;
    if (ec) return close(ec == asio::error::eof ? "" : ec.message());
    if (!process(buffer.data(), n)) return;
    if (n < buffer.size()) break;
  }
  if (!closed_ && !closing_) wait_readable();
}

bool StratumServer::Connection::process(const char* data, size_t size) {
  if (first_bytes_) {
    size_t i = 0;
    while (i < size && std::isspace(static_cast<unsigned char>(data[i]))) ++i;
    if (i < size) {
      first_bytes_ = false;
      if (data[i] != '{') {
        close(data[i] == 0x16 ? "TLS handshake on the plain Stratum port" : "not Stratum (binary data)");
        return false;
      }
    }
  }
  arm_idle_timer();
  std::string_view chunk(data, size);
  while (!chunk.empty()) {
    const size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      if (partial_.size() + chunk.size() > options_.max_line_bytes) {
        close("line longer than " + std::to_string(options_.max_line_bytes) + " bytes");
        return false;
      }
      partial_.append(chunk);
      break;
    }
    bool ok;
    if (partial_.empty()) {
      if (nl > options_.max_line_bytes) {
        close("line longer than " + std::to_string(options_.max_line_bytes) + " bytes");
        return false;
      }
      ok = handle_line(chunk.substr(0, nl));
    } else {
      partial_.append(chunk.substr(0, nl));
      if (partial_.size() > options_.max_line_bytes) {
        close("line longer than " + std::to_string(options_.max_line_bytes) + " bytes");
        return false;
      }
      std::string line = std::move(partial_);
      partial_.clear();
      partial_.shrink_to_fit();
      ok = handle_line(line);
    }
    if (!ok) return false;
    chunk.remove_prefix(nl + 1);
  }
  flush();
  return true;
}

bool StratumServer::Connection::handle_line(std::string_view line) {
  thread_local std::vector<Outgoing> out;
  out.clear();
  const int invalid_before = session_.invalid_messages();
  const bool keep = session_.handle_line(line, out);
  if (session_.invalid_messages() != invalid_before) stats_.invalid_message();
  if (!was_authorized_ && session_.authorized()) {
    was_authorized_ = true;
    stats_.worker_authorized();
  }
  deliver(out);
  if (!keep) {
    spdlog::info("stratum: closing {} ({}): {}", ip_, util::printable(session_.user_agent()),
                 util::printable(session_.close_reason()));
    stats_.abuse_disconnect(session_.should_ban());
    closing_ = true;
    flush();
    if (writing_ == 0 && slots_.empty()) close(session_.close_reason(), session_.should_ban());
    return false;
  }
  return true;
}

void StratumServer::Connection::deliver(std::vector<Outgoing>& out) {
  for (auto& o : out) {
    const uint64_t seq = first_seq_ + slots_.size();
    slots_.push_back(Slot{std::move(o.line), std::move(o.shared), true});
    if (o.share) {
      stats_.share_accepted(o.share->worker, o.share->address, o.share->difficulty, o.share->time);
      slots_.back().ready = false;
      auto self = shared_from_this();
      shares_.record(*o.share, [self, seq] {
        if (self->ioc_.get_executor().running_in_this_thread()) {
          self->mark_ready(seq);
        } else {
          asio::post(self->ioc_, [self, seq] { self->mark_ready(seq); });
        }
      });
    }
  }
  out.clear();
}

void StratumServer::Connection::mark_ready(uint64_t seq) {
  if (seq < first_seq_ || seq >= first_seq_ + slots_.size()) return;
  slots_[seq - first_seq_].ready = true;
  flush();
}

void StratumServer::Connection::flush() {
  if (closed_ || writing_ > 0) return;
  buffers_.clear();
  for (const auto& slot : slots_) {
    if (!slot.ready) break;
    buffers_.push_back(asio::buffer(slot.text()));
  }
  if (buffers_.empty()) {
    if (closing_ && slots_.empty()) close(session_.close_reason(), session_.should_ban());
    return;
  }
  writing_ = buffers_.size();
  asio::async_write(socket_, buffers_, [self = shared_from_this()](boost::system::error_code ec, size_t) {
    for (size_t i = 0; i < self->writing_ && !self->slots_.empty(); ++i) {
      self->slots_.pop_front();
      ++self->first_seq_;
    }
    self->writing_ = 0;
    if (ec) return self->close(ec.message());
    self->flush();
  });
}

void StratumServer::Connection::tick(std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.on_tick(scratch);
  deliver(scratch);
  flush();
}

void StratumServer::Connection::new_job(const mining::JobPtr& job, const std::shared_ptr<const std::string>& notify,
                                        std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.on_new_job(job, notify, scratch);
  deliver(scratch);
  flush();
}

void StratumServer::Connection::change_version_mask(uint32_t mask, std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.change_version_mask(mask, scratch);
  deliver(scratch);
  flush();
}

void StratumServer::Connection::change_extranonce(std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.change_extranonce(scratch);
  deliver(scratch);
  flush();
}

void StratumServer::Connection::send_shared(const std::shared_ptr<const std::string>& line) {
  if (closed_ || closing_) return;
  slots_.push_back(Slot{{}, line, true});
  flush();
}

void StratumServer::Connection::shutdown(const std::shared_ptr<const std::string>& reconnect) {
  if (closed_) return;
  if (reconnect) slots_.push_back(Slot{{}, reconnect, true});
  closing_ = true;
  flush();
}

void StratumServer::Connection::close(const std::string& why, bool ban) {
  if (closed_) return;
  closed_ = true;
  if (!why.empty()) spdlog::debug("stratum: connection from {} closed: {}", ip_, util::printable(why));
  session_.release_workers();
  // Bookkeeping (limits, the IP ban) first, so anyone who sees the socket close also sees it.
  // Keep this object alive: closed() drops the server's pointer to it.
  auto self = shared_from_this();
  server_.closed(worker_, this, ip_, session_.extranonce1_hex(), ban, was_authorized_ ? 1 : 0);
  boost::system::error_code ignored;
  idle_.cancel(ignored);
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace pool::stratum
