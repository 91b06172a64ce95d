#pragma once
// One miner connection's Stratum v1 state machine: subscribe, authorize, configure (BIP310
// version rolling, minimum difficulty), difficulty, share checks with the conventional reject
// codes, and abuse counting. No sockets: lines in, lines out.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "stratum/protocol.h"
#include "stratum/session_host.h"
#include "stratum/vardiff.h"

namespace pool::stratum {

struct SessionConfig {
  size_t extranonce2_size = 8;
  VarDiffOptions vardiff;
  uint32_t version_mask = 0x1fffe000;  // what the pool allows miners to roll (BIP310)
  int max_invalid_messages = 10;       // unparseable lines before the connection is closed
  int abuse_min_shares = 20;           // judge the invalid-share ratio after this many shares
  double abuse_max_invalid_ratio = 0.9;
  double keepalive_seconds = 60;       // re-send work when a miner got none for this long
  double difficulty_grace_seconds = 10;  // shares at the previous difficulty still count
  std::string server_name = "bitcoin-mining-pool";
  double get_transactions_per_minute = 2;  // mining.get_transactions token bucket: refill rate
  double get_transactions_burst = 2;       // and capacity
  bool solo = false;  // each job pays one authorized address of the connection (one job per address)
  size_t max_workers_per_connection = 32;  // distinct usernames one connection may authorize
  size_t max_user_agent_bytes = 128;       // the stored user agent is cut to this
};

/// A line to send: `line`, then `shared` when set. When `share` is set the line is the reply to that share and must be written
/// only after the share is durably recorded. `shared` lets one notify serve every session.
struct Outgoing {
  std::string line;
  std::shared_ptr<const std::string> shared;
  std::optional<AcceptedShare> share;
};

struct Worker {
  std::string name;  // "address.worker" as sent (checked by parse_username: valid UTF-8, bounded)
  std::string address;
  bitcoin::Bytes payout_script;
};

/// Owns one connection's protocol state.
class Session {
 public:
  Session(SessionHost& host, const SessionConfig& config, std::string remote);

  /// Handles one line (without '\n'). Appends what to send. Returns false when the connection
  /// must close (see close_reason(); should_ban() says whether to back off the IP).
  bool handle_line(std::string_view line, std::vector<Outgoing>& out);
  /// A new job for everyone: `notify` is the shared mining.notify line.
  void on_new_job(const mining::JobPtr& job, const std::shared_ptr<const std::string>& notify, std::vector<Outgoing>& out);
  /// Periodic work: vardiff for quiet miners, keep-alive re-send of work.
  void on_tick(std::vector<Outgoing>& out);
  /// The pool narrows or widens what may be rolled: sends mining.set_version_mask (the pool's new
  /// mask intersected with what the miner asked for) to a miner that negotiated version rolling.
  void change_version_mask(uint32_t pool_mask, std::vector<Outgoing>& out);
  /// A configuration reload changed the pool's difficulty bounds or vardiff target: applies them,
  /// moving this miner's difficulty into the new bounds (mining.set_difficulty and work) if needed.
  void change_vardiff(const VarDiffOptions& options, std::vector<Outgoing>& out);
  /// Gives a miner that subscribed to extranonce changes a new extranonce1 (mining.set_extranonce)
  /// followed by clean work. Returns false (nothing sent) for miners that did not subscribe.
  bool change_extranonce(std::vector<Outgoing>& out);
  /// The connection is closing: gives every authorized worker name back to the host's
  /// per-address count (SessionHost::release_worker). Idempotent; the session authorizes nothing
  /// afterwards.
  void release_workers();

  bool subscribed() const { return subscribed_; }
  bool authorized() const { return !workers_.empty(); }
  const std::unordered_map<std::string, Worker>& workers() const { return workers_; }
  double difficulty() const { return vardiff_.difficulty(); }
  const std::string& extranonce1_hex() const { return extranonce1_hex_; }
  const std::string& close_reason() const { return close_reason_; }
  bool should_ban() const { return ban_; }
  /// As the miner sent it, cut to max_user_agent_bytes; pass through util::printable to log it.
  const std::string& user_agent() const { return user_agent_; }
  uint64_t accepted() const { return accepted_; }
  int invalid_messages() const { return invalid_messages_; }
  uint64_t rejected() const { return rejected_; }
  uint32_t version_mask() const { return version_mask_; }

 private:
  void subscribe(const Message& m, std::vector<Outgoing>& out);
  void authorize(const Message& m, std::vector<Outgoing>& out);
  void refuse_authorize(const Message& m, std::string_view username, const std::string& why,
                        std::vector<Outgoing>& out);
  void set_user_agent(std::string_view agent);
  void submit(const Message& m, std::vector<Outgoing>& out);
  void configure(const Message& m, std::vector<Outgoing>& out);
  void suggest_difficulty(const Message& m, std::vector<Outgoing>& out);
  void get_transactions(const Message& m, std::vector<Outgoing>& out);
  void reject(const Message& m, const std::string& worker, int code, const std::string& reason, bool counts_as_abuse,
              std::vector<Outgoing>& out);
  void apply_difficulty(std::optional<double> changed, std::vector<Outgoing>& out);
  void send_work(const mining::JobPtr& job, bool clean, std::vector<Outgoing>& out,
                 const std::shared_ptr<const std::string>& notify = nullptr);
  double required_difficulty(const std::string& job_id, double* previous) const;
  /// SOLO: remembers a newly authorized worker's address; true when no earlier worker had it.
  bool add_payee(const Worker& worker);
  /// The job as this miner sees it for payee `payee` (its personal SOLO job), or the shared one.
  mining::JobPtr own_job(const mining::JobPtr& base, size_t payee);
  mining::JobPtr find_job(const std::string& id);
  /// The ids of the last jobs sent to this miner (hashed), to tell a stale share from a bogus one.
  void remember_sent(const std::string& job_id);
  bool was_sent(const std::string& job_id) const;
  /// SOLO: the address a personal job pays, or nullptr for an unknown id.
  const std::string* job_payee(const std::string& id) const;

  SessionHost& host_;
  SessionConfig config_;
  std::string extranonce1_hex_;
  bitcoin::Bytes extranonce1_;
  std::string remote_;
  bool subscribed_ = false;
  bool extranonce_subscribed_ = false;
  std::string user_agent_;
  std::unordered_map<std::string, Worker> workers_;
  VarDiff vardiff_;
  double previous_difficulty_ = 0;
  double difficulty_changed_at_ = -1e18;
  bool difficulty_sent_ = false;
  std::unordered_map<std::string, double> job_difficulty_;  // difficulty each job was last sent at
  // SOLO: one payee per distinct authorized address, in the order first authorized, and the
  // personal jobs built for them (job id = base id ‖ extranonce1 ‖ payee index, so it is
  // distinct per address). A job's coinbase pays exactly one payee; only that payee's workers
  // may submit on it, so the credited worker and the paid address never disagree.
  struct Payee {
    std::string address;
    bitcoin::Bytes payout_script;
  };
  struct PersonalJob {
    mining::JobPtr job;
    std::string base_id;
    size_t payee = 0;
  };
  std::vector<Payee> payees_;
  std::unordered_map<std::string, PersonalJob> personal_jobs_;
  bitcoin::Uint256 tip_;
  uint32_t version_mask_ = 0;  // negotiated; 0 until mining.configure
  uint32_t miner_mask_ = 0;    // what the miner asked to roll
  double last_work_sent_ = 0;
  int invalid_messages_ = 0;
  uint64_t accepted_ = 0, rejected_ = 0, abusive_rejects_ = 0;
  std::string close_reason_;
  bool ban_ = false;
  bool workers_released_ = false;
  std::array<uint64_t, 16> sent_job_ids_{};  // a ring; 0 = empty (stored hashes have bit 0 set)
  uint32_t next_sent_ = 0;
  double tx_tokens_ = -1;  // mining.get_transactions bucket; < 0 until the first request
  double tx_refilled_at_ = 0;
};

}  // namespace pool::stratum
