#include "stratum/connection.h"

#include <spdlog/spdlog.h>

#include "bitcoin/hex.h"
#include "util/text.h"

namespace pool::stratum {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

StratumServer::Connection::Connection(StratumServer& server, Worker& worker, asio::io_context& ioc, std::string ip,
                                      SessionHost& host, const ServerOptions& options, ShareSink& shares,
                                      PoolStats& stats)
    : server_(server),
      worker_(worker),
      ioc_(ioc),
      timer_(ioc),
      ip_(std::move(ip)),
      options_(options),
      shares_(shares),
      stats_(stats),
      session_(host, server.session_config(), ip_) {}

StratumServer::Connection::~Connection() {
  if (queued_bytes_ > 0) stats_.output_written(static_cast<int64_t>(queued_bytes_));
}

namespace {
std::chrono::steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}
}  // namespace

void StratumServer::Connection::start() {
  opened_at_ = last_message_at_ = Clock::now();
  arm_timer();
  start_transport();
}

void StratumServer::Connection::transport_ready() {
  transport_ready_ = true;
  flush();  // anything broadcast during the TLS handshake
  if (wants_input()) read();
}

// One timer serves every deadline; activity only moves timestamps, and the timer re-arms itself
// when it fires early (so a busy connection does not re-arm a timer per message).
StratumServer::Connection::Clock::time_point StratumServer::Connection::deadline() const {
  auto at = last_message_at_ + seconds(server_.idle_timeout_seconds());
  if (!(session_.subscribed() && session_.authorized())) at = std::min(at, opened_at_ + seconds(options_.handshake_timeout_seconds));
  if (over_limit_since_) at = std::min(at, *over_limit_since_ + seconds(options_.output_stall_seconds));
  return at;
}

void StratumServer::Connection::arm_timer() {
  timer_.expires_at(deadline());
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->on_timer();
  });
}

void StratumServer::Connection::on_timer() {
  if (closed_) return;
  const auto now = Clock::now();
  if (now >= last_message_at_ + seconds(server_.idle_timeout_seconds())) return close("idle timeout");
  if (!(session_.subscribed() && session_.authorized()) &&
      now >= opened_at_ + seconds(options_.handshake_timeout_seconds)) {
    return close("no mining.subscribe and mining.authorize within " + std::to_string(options_.handshake_timeout_seconds) + " s");
  }
  if (over_limit_since_ && now >= *over_limit_since_ + seconds(options_.output_stall_seconds)) {
    stats_.slow_reader_disconnect();
    return close("not reading replies (" + std::to_string(queued_bytes_) + " bytes unsent)");
  }
  arm_timer();
}

bool StratumServer::Connection::consume(const char* data, size_t size) {
  if (closed_ || closing_) return false;
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
  std::string_view chunk(data, size);
  while (!chunk.empty()) {
    if (queued_bytes_ >= options_.max_queued_bytes) {
      // The peer sends faster than it reads: keep the rest, stop reading until it drains.
      paused_input_.assign(chunk);
      paused_ = true;
      if (!over_limit_since_) {
        over_limit_since_ = Clock::now();
        if (deadline() < timer_.expiry()) arm_timer();
      }
      flush();
      return false;
    }
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
  return wants_input();
}

bool StratumServer::Connection::handle_line(std::string_view line) {
  thread_local std::vector<Outgoing> out;
  out.clear();
  const int invalid_before = session_.invalid_messages();
  const bool keep = session_.handle_line(line, out);
  if (session_.invalid_messages() != invalid_before) {
    stats_.invalid_message();
  } else if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
    last_message_at_ = Clock::now();  // only complete, valid messages count as activity
  }
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
    push(Slot{std::move(o.line), std::move(o.shared), !o.share});
    if (o.share) {
      auto self = shared_from_this();
      Credit credit{o.share->worker, o.share->address, o.share->difficulty, o.share->time};
      shares_.record(*o.share, [self, seq, credit = std::move(credit)](RecordOutcome outcome) {
        if (self->ioc_.get_executor().running_in_this_thread()) {
          self->mark_ready(seq, outcome, credit);
        } else {
          asio::post(self->ioc_, [self, seq, outcome, credit] { self->mark_ready(seq, outcome, credit); });
        }
      });
    }
  }
  out.clear();
}

void StratumServer::Connection::mark_ready(uint64_t seq, RecordOutcome outcome, const Credit& credit) {
  if (outcome == RecordOutcome::kRecorded) {
    stats_.share_accepted(credit.worker, credit.address, credit.difficulty, credit.time);
  } else {
    stats_.share_rejected(credit.worker, outcome == RecordOutcome::kDuplicate ? "duplicate" : "unrecorded");
  }
  if (seq < first_seq_ || seq >= first_seq_ + slots_.size()) return;
  Slot& slot = slots_[seq - first_seq_];
  if (outcome != RecordOutcome::kRecorded) {
    // The slot holds {"id":<id>,"result":true,...}: answer the same id with the error instead.
    const std::string& line = slot.own;
    const size_t end = line.rfind(",\"result\":");
    const std::string id = end != std::string::npos && end > 6 ? line.substr(6, end - 6) : "null";
    slot.own = outcome == RecordOutcome::kDuplicate ? error_line(id, kDuplicate, "Duplicate share")
                                                    : error_line(id, kOther, "share could not be recorded");
  }
  slot.ready = true;
  flush();
}

size_t StratumServer::Connection::charge_of(const Slot& slot) {
  constexpr size_t kSharedBufferCharge = 64;   // the buffer itself is shared; a pointer and bookkeeping
  constexpr size_t kPendingShareCharge = 512;  // the recorder's copy of the share and its callback
  return slot.own.size() + (slot.shared ? kSharedBufferCharge : 0) + (slot.ready ? 0 : kPendingShareCharge);
}

void StratumServer::Connection::push(Slot slot) {
  slot.charged = charge_of(slot);
  const size_t n = slot.charged;
  slots_.push_back(std::move(slot));
  queued_bytes_ += n;
  stats_.output_queued(static_cast<int64_t>(n));
}

void StratumServer::Connection::pop() {
  const size_t n = slots_.front().charged;  // a reply rewritten after queuing keeps its charge
  slots_.pop_front();
  ++first_seq_;
  queued_bytes_ -= n;
  stats_.output_written(static_cast<int64_t>(n));
}

void StratumServer::Connection::flush() {
  if (closed_ || writing_ > 0) return;
  if (!transport_ready_) {
    // Nothing may be written during a TLS handshake; a shutdown then just closes.
    if (closing_) close(session_.close_reason(), session_.should_ban());
    return;
  }
  buffers_.clear();
  size_t slots = 0;
  for (const auto& slot : slots_) {
    if (!slot.ready) break;
    if (!slot.own.empty()) buffers_.push_back(asio::buffer(slot.own));
    if (slot.shared) buffers_.push_back(asio::buffer(*slot.shared));
    ++slots;
  }
  if (slots == 0) {
    if (closing_ && slots_.empty()) close(session_.close_reason(), session_.should_ban());
    return;
  }
  writing_ = slots;
  write();
}

void StratumServer::Connection::on_written(boost::system::error_code ec) {
  for (size_t i = 0; i < writing_ && !slots_.empty(); ++i) pop();
  writing_ = 0;
  buffers_.clear();
  if (ec) return close(ec.message());
  if (paused_ && queued_bytes_ <= options_.max_queued_bytes / 2) {
    // Drained below the low-water mark: handle what was left unread, then read again.
    paused_ = false;
    over_limit_since_.reset();
    const std::string pending = std::move(paused_input_);
    paused_input_.clear();
    paused_input_.shrink_to_fit();
    if (consume(pending.data(), pending.size())) read();
    if (closed_) return;
  }
  flush();
}

bool StratumServer::Connection::room_for(const std::vector<Outgoing>& more) {
  if (more.empty() || queued_bytes_ < options_.max_queued_bytes) return true;
  // Work for a peer that is not reading its replies would only pile up.
  stats_.slow_reader_disconnect();
  close("not reading its work (" + std::to_string(queued_bytes_) + " bytes unsent)");
  return false;
}

void StratumServer::Connection::tick(std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.on_tick(scratch);
  if (!room_for(scratch)) return;
  deliver(scratch);
  flush();
}

void StratumServer::Connection::new_job(const mining::JobPtr& job, const std::shared_ptr<const std::string>& notify,
                                        std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.on_new_job(job, notify, scratch);
  if (!room_for(scratch)) return;
  deliver(scratch);
  flush();
}

void StratumServer::Connection::change_version_mask(uint32_t mask, std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.change_version_mask(mask, scratch);
  if (!room_for(scratch)) return;
  deliver(scratch);
  flush();
}

void StratumServer::Connection::change_vardiff(const VarDiffOptions& options, std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.change_vardiff(options, scratch);
  if (!room_for(scratch)) return;
  deliver(scratch);
  flush();
}

void StratumServer::Connection::leave_prefix(uint8_t prefix, std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  const std::string& en1 = session_.extranonce1_hex();
  if (en1.size() < 2 || bitcoin::from_hex(en1.substr(0, 2))[0] == prefix) return;
  scratch.clear();
  if (session_.change_extranonce(scratch)) {
    if (!room_for(scratch)) return;
    deliver(scratch);
    flush();
    return;
  }
  close("its extranonce1 prefix now belongs to another pool instance");
}

void StratumServer::Connection::change_extranonce(std::vector<Outgoing>& scratch) {
  if (closed_ || closing_) return;
  scratch.clear();
  session_.change_extranonce(scratch);
  if (!room_for(scratch)) return;
  deliver(scratch);
  flush();
}

void StratumServer::Connection::send_shared(const std::shared_ptr<const std::string>& line) {
  if (closed_ || closing_) return;
  if (queued_bytes_ >= options_.max_queued_bytes) {
    stats_.slow_reader_disconnect();
    return close("not reading (" + std::to_string(queued_bytes_) + " bytes unsent)");
  }
  push(Slot{{}, line, true});
  flush();
}

void StratumServer::Connection::shutdown(const std::shared_ptr<const std::string>& reconnect) {
  if (closed_) return;
  if (reconnect) push(Slot{{}, reconnect, true});
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
  timer_.cancel(ignored);
  close_transport();
}

// Plain TCP.

StratumServer::PlainConnection::PlainConnection(StratumServer& server, Worker& worker, asio::io_context& ioc,
                                                tcp::socket socket, std::string ip, SessionHost& host,
                                                const ServerOptions& options, ShareSink& shares, PoolStats& stats)
    : Connection(server, worker, ioc, std::move(ip), host, options, shares, stats), socket_(std::move(socket)) {}

void StratumServer::PlainConnection::start_transport() {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.set_option(tcp::no_delay(true), ignored);
  transport_ready();
}

void StratumServer::PlainConnection::read() {
  // Waiting for readability (instead of reading into a per-connection buffer) keeps an idle
  // connection's memory to the socket and the session.
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec) return close(ec == asio::error::operation_aborted ? "" : ec.message());
    on_readable();
  });
}

void StratumServer::PlainConnection::on_readable() {
  thread_local std::array<char, 64 * 1024> buffer;
  while (!closed_) {
    boost::system::error_code ec;
    const size_t n = socket_.read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block) break;
    if (ec) return close(ec == asio::error::eof ? "" : ec.message());
    if (!consume(buffer.data(), n)) return;
    if (n < buffer.size()) break;
  }
  if (wants_input()) read();
}

void StratumServer::PlainConnection::write() {
  asio::async_write(socket_, buffers_, [self = shared_from_this(), this](boost::system::error_code ec, size_t) {
    on_written(ec);
  });
}

void StratumServer::PlainConnection::close_transport() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace pool::stratum
