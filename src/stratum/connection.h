#pragma once
// One miner's TCP connection: reads lines without a per-connection read buffer while idle,
// feeds them to its Session, and writes replies in request order (a share's reply waits until
// the share is durably recorded). Lives on one io_context thread.
#include <optional>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio.hpp>

#include <deque>

#include "stratum/server.h"

namespace pool::stratum {

class StratumServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(StratumServer& server, Worker& worker, boost::asio::io_context& ioc, boost::asio::ip::tcp::socket socket, std::string ip,
             SessionHost& host, const ServerOptions& options, ShareSink& shares, PoolStats& stats);

  void start();
  void tick(std::vector<Outgoing>& scratch);
  void new_job(const mining::JobPtr& job, const std::shared_ptr<const std::string>& notify, std::vector<Outgoing>& scratch);
  void send_shared(const std::shared_ptr<const std::string>& line);
  void change_version_mask(uint32_t mask, std::vector<Outgoing>& scratch);
  void change_extranonce(std::vector<Outgoing>& scratch);
  /// Server shutdown: optionally send client.reconnect, then close once written.
  void shutdown(const std::shared_ptr<const std::string>& reconnect);

 private:
  struct Slot {
    std::string own;
    std::shared_ptr<const std::string> shared;
    bool ready = true;
    const std::string& text() const { return shared ? *shared : own; }
  };

  void wait_readable();
  void on_readable();
  bool process(const char* data, size_t size);
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
  void close(const std::string& why, bool ban = false);
  void arm_idle_timer();

  StratumServer& server_;
  Worker& worker_;
  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer idle_;
  std::string ip_;
  const ServerOptions& options_;
  ShareSink& shares_;
  PoolStats& stats_;
  Session session_;
  std::string partial_;  // an incomplete line between reads (usually empty)
  bool first_bytes_ = true;
  std::deque<Slot> slots_;
  uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  size_t writing_ = 0;      // slots in flight
  std::vector<boost::asio::const_buffer> buffers_;
  bool closing_ = false;    // close once everything queued is written
  bool closed_ = false;
  bool was_authorized_ = false;
};

}  // namespace pool::stratum
