#pragma once
// One miner's connection, whatever carries it: splits lines, feeds them to its Session, and
// writes replies in request order (a share's reply waits until the share is durably recorded).
// It bounds what one peer can cost: unsent output is counted and reading pauses above
// max_queued_bytes (the peer is closed when it stays there), and one timer enforces the
// handshake deadline (TLS, subscribe, authorize), the idle timeout (only complete, valid
// messages count as activity) and that output stall. The transport (plain TCP or TLS) is a
// subclass: PlainConnection waits for readability and reads into a thread-local buffer (no
// per-connection buffer while idle); TlsConnection keeps a small read buffer. Lives on one
// io_context thread.
#include <optional>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <deque>

#include "stratum/server.h"

namespace pool::stratum {

class StratumServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(StratumServer& server, Worker& worker, boost::asio::io_context& ioc, std::string ip,
             SessionHost& host, const ServerOptions& options, ShareSink& shares, PoolStats& stats);
  virtual ~Connection();

  void start();
  void tick(std::vector<Outgoing>& scratch);
  void new_job(const mining::JobPtr& job, const std::shared_ptr<const std::string>& notify, std::vector<Outgoing>& scratch);
  void send_shared(const std::shared_ptr<const std::string>& line);
  void change_version_mask(uint32_t mask, std::vector<Outgoing>& scratch);
  void change_vardiff(const VarDiffOptions& options, std::vector<Outgoing>& scratch);
  void change_extranonce(std::vector<Outgoing>& scratch);
  /// This instance's extranonce1 prefix moved (its lease was taken over): a session on another
  /// prefix gets a new extranonce1 (mining.set_extranonce) or, when it cannot take one, is closed
  /// so the miner reconnects and gets one here.
  void leave_prefix(uint8_t prefix, std::vector<Outgoing>& scratch);
  /// Server shutdown: optionally send client.reconnect, then close once written.
  void shutdown(const std::shared_ptr<const std::string>& reconnect);

 protected:
  using Clock = std::chrono::steady_clock;

  // The transport. start_transport() runs the TLS handshake (if any) and then calls
  // transport_ready(); read() asks for input, handed to consume() (it must not be called
  // again while a read is pending); write() sends buffers_ and calls on_written().
  virtual void start_transport() = 0;
  virtual void read() = 0;
  virtual void write() = 0;
  virtual void close_transport() = 0;

  void transport_ready();
  /// Handles received bytes. Returns false when reading must stop (closed, closing, or paused
  /// because too much output is queued; paused input is kept and handled on resume).
  bool consume(const char* data, size_t size);
  bool wants_input() const { return !closed_ && !closing_ && !paused_; }
  void on_written(boost::system::error_code ec);
  void close(const std::string& why, bool ban = false);

  const std::string& ip() const { return ip_; }
  std::vector<boost::asio::const_buffer> buffers_;
  bool closed_ = false;

 private:
  struct Slot {
    std::string own;                              // written first
    std::shared_ptr<const std::string> shared;    // then this, when set
    bool ready = true;
    size_t charged = 0;  // what it counts toward max_queued_bytes, fixed when it is queued
    size_t size() const { return own.size() + (shared ? shared->size() : 0); }
  };
  /// What a queued slot costs this connection: its own bytes; a shared buffer (a notify or the
  /// job's transaction list, one copy for everyone) a fixed amount; a share waiting for its
  /// commit the recorder's memory for it, so a miner cannot queue shares without limit while
  /// the database is slow.
  static size_t charge_of(const Slot& slot);

  bool handle_line(std::string_view line);
  void deliver(std::vector<Outgoing>& out);
  /// What a share's reply needs to count it once its outcome is known.
  struct Credit {
    std::string worker, address;
    double difficulty = 0;
    std::chrono::system_clock::time_point time;
  };
  void mark_ready(uint64_t seq, RecordOutcome outcome, const Credit& credit);
  void flush();
  void push(Slot slot);
  void pop();
  /// False (and the connection closed) when the peer is not reading and more is coming.
  bool room_for(const std::vector<Outgoing>& more);
  void arm_timer();
  void on_timer();
  Clock::time_point deadline() const;

  StratumServer& server_;
  Worker& worker_;
  boost::asio::io_context& ioc_;
  boost::asio::steady_timer timer_;
  std::string ip_;
  const ServerOptions& options_;
  ShareSink& shares_;
  PoolStats& stats_;
  Session session_;
  std::string partial_;  // an incomplete line between reads (usually empty)
  std::string paused_input_;  // input left unread while paused (usually empty)
  std::deque<Slot> slots_;
  uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  size_t writing_ = 0;      // slots in flight
  size_t queued_bytes_ = 0; // bytes in slots_ (written or not yet)
  Clock::time_point opened_at_;
  Clock::time_point last_message_at_;  // last complete, valid message
  std::optional<Clock::time_point> over_limit_since_;
  bool first_bytes_ = true;
  bool transport_ready_ = false;  // TLS handshake done (at once for plain TCP)
  bool closing_ = false;    // close once everything queued is written
  bool paused_ = false;     // not reading: too much output queued
  bool was_authorized_ = false;
};

/// Plain TCP: waits for readability and reads into a thread-local buffer.
class StratumServer::PlainConnection final : public StratumServer::Connection {
 public:
  PlainConnection(StratumServer& server, Worker& worker, boost::asio::io_context& ioc, boost::asio::ip::tcp::socket socket,
                  std::string ip, SessionHost& host, const ServerOptions& options, ShareSink& shares, PoolStats& stats);

 private:
  void start_transport() override;
  void read() override;
  void write() override;
  void close_transport() override;
  void on_readable();

  boost::asio::ip::tcp::socket socket_;
};

/// TLS (stratum+ssl): the handshake runs under the handshake deadline; reads go through a small
/// buffer of its own.
class StratumServer::TlsConnection final : public StratumServer::Connection {
 public:
  TlsConnection(StratumServer& server, Worker& worker, boost::asio::io_context& ioc, boost::asio::ip::tcp::socket socket,
                std::string ip, SessionHost& host, const ServerOptions& options, ShareSink& shares, PoolStats& stats,
                boost::asio::ssl::context& context);

 private:
  void start_transport() override;
  void read() override;
  void write() override;
  void close_transport() override;

  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  std::array<char, 4096> buffer_;
};

}  // namespace pool::stratum
