#include "stratum/session.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "bitcoin/address.h"
#include "mining/share_validator.h"
#include "stratum/worker_name.h"
#include "util/json.h"
#include "util/text.h"

namespace pool::stratum {

namespace {

std::optional<double> number_param(const rapidjson::Value& v) {
  if (v.IsNumber()) return v.GetDouble();
  if (v.IsString()) {
    char* end = nullptr;
    const double d = std::strtod(v.GetString(), &end);
    if (end != v.GetString() && *end == '\0') return d;
  }
  return std::nullopt;
}

}  // namespace

Session::Session(SessionHost& host, const SessionConfig& config, std::string remote)
    : host_(host), config_(config), remote_(std::move(remote)), vardiff_(config.vardiff, host.now()) {}

bool Session::handle_line(std::string_view line, std::vector<Outgoing>& out) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.empty()) return true;
  Message m;
  std::string error;
  if (!parse_message(line, &m, &error)) {
    out.push_back({error_line("null", kOther, error), nullptr, std::nullopt});
    if (++invalid_messages_ > config_.max_invalid_messages) {
      close_reason_ = "too many invalid messages";
      return false;
    }
    return true;
  }
  if (m.is_response) {
    // The miner's answer to our client.get_version.
    if (m.result && m.result->IsString() && user_agent_.empty()) {
      set_user_agent({m.result->GetString(), m.result->GetStringLength()});
    }
    return true;
  }
  const std::string& method = m.method;
  if (method == "mining.submit") {
    submit(m, out);
  } else if (method == "mining.subscribe") {
    subscribe(m, out);
  } else if (method == "mining.authorize") {
    authorize(m, out);
  } else if (method == "mining.configure") {
    configure(m, out);
  } else if (method == "mining.suggest_difficulty") {
    suggest_difficulty(m, out);
  } else if (method == "mining.extranonce.subscribe") {
    extranonce_subscribed_ = true;
    out.push_back({result_line(m.id, "true"), nullptr, std::nullopt});
  } else if (method == "mining.get_transactions") {
    get_transactions(m, out);
  } else if (method == "mining.ping") {
    out.push_back({result_line(m.id, "\"pong\""), nullptr, std::nullopt});
  } else {
    out.push_back({error_line(m.id, kOther, "Unknown method '" + util::printable(method, 64) + "'"), nullptr, std::nullopt});
  }
  return close_reason_.empty();
}

void Session::subscribe(const Message& m, std::vector<Outgoing>& out) {
  std::string requested;
  if (m.params && m.params->IsArray()) {
    const auto& p = m.params->GetArray();
    if (p.Size() >= 1 && p[0].IsString()) set_user_agent({p[0].GetString(), p[0].GetStringLength()});
    if (p.Size() >= 2 && p[1].IsString()) requested = p[1].GetString();
  }
  if (!subscribed_) {
    extranonce1_hex_ = host_.claim_extranonce1(requested);
    extranonce1_ = bitcoin::from_hex(extranonce1_hex_);
    subscribed_ = true;
  }
  const std::string& sid = extranonce1_hex_;
  out.push_back({result_line(m.id, "[[[\"mining.set_difficulty\",\"" + sid + "\"],[\"mining.notify\",\"" + sid +
                                       "\"]],\"" + extranonce1_hex_ + "\"," +
                                       std::to_string(config_.extranonce2_size) + "]"),
                 nullptr, std::nullopt});
  if (authorized()) send_work(host_.current_job(), true, out);
}

void Session::refuse_authorize(const Message& m, std::string_view username, const std::string& why,
                               std::vector<Outgoing>& out) {
  spdlog::debug("stratum: {} refused username '{}': {}", remote_, util::printable(username), util::printable(why, 200));
  out.push_back({"{\"id\":" + m.id + ",\"result\":false,\"error\":[" + std::to_string(kUnauthorized) + "," +
                     util::quote(why) + ",null]}\n",
                 nullptr, std::nullopt});
}

void Session::authorize(const Message& m, std::vector<Outgoing>& out) {
  if (!m.params || !m.params->IsArray() || m.params->Size() < 1 || !(*m.params)[0].IsString()) {
    out.push_back({error_line(m.id, kOther, "mining.authorize needs [username, password]"), nullptr, std::nullopt});
    return;
  }
  if (workers_released_) return refuse_authorize(m, "", "the connection is closing", out);
  const std::string username((*m.params)[0].GetString(), (*m.params)[0].GetStringLength());
  std::string problem;
  const auto name = parse_username(username, &problem);
  if (!name) return refuse_authorize(m, username, problem, out);
  std::string address;  // the canonical spelling: one script is one account (BC1Q… and bc1q… alike)
  Worker worker{username, {}, {}};
  try {
    address = bitcoin::canonical_address(name->address, host_.network());
    worker.payout_script = bitcoin::address_to_script(address, host_.network());
  } catch (const bitcoin::AddressError& e) {
    return refuse_authorize(m, username, "invalid payout address '" + name->address + "': " + e.what() +
                                   " (username must be ADDRESS or ADDRESS.WORKER)",
                            out);
  }
  worker.address = address;
  const bool known = workers_.count(username) > 0;
  if (!known && workers_.size() >= config_.max_workers_per_connection) {
    return refuse_authorize(m, username, "too many workers on one connection (at most " +
                                   std::to_string(config_.max_workers_per_connection) +
                                   "); open another connection",
                            out);
  }
  if (!known && !host_.claim_worker(address, username)) {
    const size_t limit = host_.max_workers_per_address();
    return refuse_authorize(m, username, "too many workers for address " + address +
                                   (limit ? " (at most " + std::to_string(limit) + " distinct worker names)" : "") +
                                   "; reuse worker names or wait until idle ones disconnect",
                            out);
  }
  const bool first = workers_.empty();
  const bool new_payee = add_payee(worker);  // SOLO: a new address gets jobs of its own
  workers_[username] = std::move(worker);
  spdlog::debug("stratum: {} authorized '{}' ({})", remote_, util::printable(username), util::printable(user_agent_));
  out.push_back({result_line(m.id, "true"), nullptr, std::nullopt});
  // A password of the form "d=1024" (or "x,d=1024") asks for a starting difficulty.
  if (m.params->Size() >= 2 && (*m.params)[1].IsString()) {
    if (const auto d = password_difficulty({(*m.params)[1].GetString(), (*m.params)[1].GetStringLength()})) {
      vardiff_.suggest(*d, host_.now());
    }
  }
  if ((first || new_payee) && subscribed_) send_work(host_.current_job(), first, out);
  // Miners that did not say who they are in mining.subscribe are asked (the answer is logged).
  if (first && user_agent_.empty()) {
    out.push_back({server_request_line("client.get_version", "[]", "\"client.get_version\""), nullptr, std::nullopt});
  }
}

void Session::release_workers() {
  if (workers_released_) return;
  workers_released_ = true;
  for (const auto& [name, worker] : workers_) host_.release_worker(worker.address, name);
}

void Session::set_user_agent(std::string_view agent) {
  if (agent.size() > config_.max_user_agent_bytes) agent = agent.substr(0, config_.max_user_agent_bytes);
  user_agent_.assign(agent);
}

void Session::change_vardiff(const VarDiffOptions& options, std::vector<Outgoing>& out) {
  config_.vardiff = options;
  const double before = vardiff_.difficulty();
  if (const auto changed = vardiff_.set_options(options, host_.now())) {
    previous_difficulty_ = before;
    difficulty_changed_at_ = host_.now();
    apply_difficulty(changed, out);
  }
}

void Session::change_version_mask(uint32_t pool_mask, std::vector<Outgoing>& out) {
  config_.version_mask = pool_mask;
  if (miner_mask_ == 0) return;  // never negotiated
  version_mask_ = pool_mask & miner_mask_;
  out.push_back({server_request_line("mining.set_version_mask", "[\"" + bitcoin::hex_u32(version_mask_) + "\"]"),
                 nullptr, std::nullopt});
}

bool Session::change_extranonce(std::vector<Outgoing>& out) {
  if (!extranonce_subscribed_ || !subscribed_) return false;
  const std::string old = extranonce1_hex_;
  extranonce1_hex_ = host_.claim_extranonce1("");
  extranonce1_ = bitcoin::from_hex(extranonce1_hex_);
  host_.release_extranonce1(old);
  out.push_back({server_request_line("mining.set_extranonce", "[\"" + extranonce1_hex_ + "\"," +
                                                                   std::to_string(config_.extranonce2_size) + "]"),
                 nullptr, std::nullopt});
  personal_jobs_.clear();  // SOLO jobs carry the old extranonce1 in their id
  if (authorized()) send_work(host_.current_job(), true, out);
  return true;
}

void Session::configure(const Message& m, std::vector<Outgoing>& out) {
  if (!m.params || !m.params->IsArray() || m.params->Size() < 1 || !(*m.params)[0].IsArray()) {
    out.push_back({error_line(m.id, kOther, "mining.configure needs [[extensions], {parameters}]"), nullptr, std::nullopt});
    return;
  }
  const rapidjson::Value* opts = m.params->Size() >= 2 && (*m.params)[1].IsObject() ? &(*m.params)[1] : nullptr;
  auto opt = [&](const char* name) -> const rapidjson::Value* {
    if (!opts) return nullptr;
    auto it = opts->FindMember(name);
    return it == opts->MemberEnd() ? nullptr : &it->value;
  };
  std::string result = "{";
  for (const auto& ext : (*m.params)[0].GetArray()) {
    if (!ext.IsString()) continue;
    const std::string name = ext.GetString();
    if (result.size() > 1) result += ",";
    if (name == "version-rolling" && config_.version_mask != 0) {
      uint32_t miner_mask = 0xffffffff;
      if (const auto* v = opt("version-rolling.mask"); v && v->IsString() && bitcoin::is_hex(v->GetString()) &&
                                                       v->GetStringLength() <= 8) {
        miner_mask = static_cast<uint32_t>(std::strtoul(v->GetString(), nullptr, 16));
      }
      miner_mask_ = miner_mask;
      version_mask_ = config_.version_mask & miner_mask;
      result += "\"version-rolling\":true,\"version-rolling.mask\":\"" + bitcoin::hex_u32(version_mask_) + "\"";
    } else if (name == "minimum-difficulty") {
      const auto* v = opt("minimum-difficulty.value");
      const auto d = v ? number_param(*v) : std::nullopt;
      if (d) vardiff_.suggest(*d, host_.now());
      result += "\"minimum-difficulty\":" + std::string(d ? "true" : "false");
    } else if (name == "subscribe-extranonce") {
      extranonce_subscribed_ = true;
      result += "\"subscribe-extranonce\":true";
    } else {
      result += util::quote(name) + ":false";
    }
  }
  out.push_back({result_line(m.id, result + "}"), nullptr, std::nullopt});
}

void Session::suggest_difficulty(const Message& m, std::vector<Outgoing>& out) {
  std::optional<double> d;
  if (m.params && m.params->IsArray() && m.params->Size() >= 1) d = number_param((*m.params)[0]);
  if (!d || !(*d > 0) || !std::isfinite(*d)) {
    out.push_back({error_line(m.id, kOther, "mining.suggest_difficulty needs a positive number"), nullptr, std::nullopt});
    return;
  }
  const double before = vardiff_.difficulty();
  const auto changed = vardiff_.suggest(*d, host_.now());
  out.push_back({result_line(m.id, "true"), nullptr, std::nullopt});
  if (changed && difficulty_sent_) {
    previous_difficulty_ = before;
    difficulty_changed_at_ = host_.now();
    apply_difficulty(changed, out);
  }
}

void Session::get_transactions(const Message& m, std::vector<Outgoing>& out) {
  // The answer can be megabytes: only for authorized miners, rate-limited by a token bucket, and
  // encoded once per job (the connection writes the shared encoding, never a copy).
  if (!authorized()) {
    out.push_back({error_line(m.id, kUnauthorized, "Unauthorized worker"), nullptr, std::nullopt});
    return;
  }
  const double now = host_.now();
  const double burst = std::max(1.0, config_.get_transactions_burst);
  if (tx_tokens_ < 0) {
    tx_tokens_ = burst;
  } else {
    tx_tokens_ = std::min(burst, tx_tokens_ + (now - tx_refilled_at_) * config_.get_transactions_per_minute / 60);
  }
  tx_refilled_at_ = now;
  if (tx_tokens_ < 1) {
    out.push_back({error_line(m.id, kOther, "mining.get_transactions rate limit exceeded"), nullptr, std::nullopt});
    if (++invalid_messages_ > config_.max_invalid_messages) close_reason_ = "too many mining.get_transactions";
    return;
  }
  tx_tokens_ -= 1;
  mining::JobPtr job;
  if (m.params && m.params->IsArray() && m.params->Size() >= 1 && (*m.params)[0].IsString()) {
    job = find_job((*m.params)[0].GetString());
  } else {
    job = host_.current_job();
  }
  if (!job) {
    out.push_back({error_line(m.id, kJobNotFound, "Job not found"), nullptr, std::nullopt});
    return;
  }
  auto encoded = job->transactions_encoding->get([&] {
    std::string list = "[";
    for (const auto& tx : job->block_template->transactions) {
      if (list.size() > 1) list += ',';
      list += '"';
      list += bitcoin::to_hex(tx.data);
      list += '"';
    }
    return result_tail(list + "]");
  });
  out.push_back({result_head(m.id), std::move(encoded), std::nullopt});
}

void Session::apply_difficulty(std::optional<double> changed, std::vector<Outgoing>& out) {
  if (!changed || !subscribed_ || !authorized()) return;
  out.push_back({set_difficulty_line(*changed), nullptr, std::nullopt});
  difficulty_sent_ = true;
  // Miners apply a new difficulty to the next job, so send the current work again.
  if (auto job = host_.current_job()) send_work(job, false, out);
}

bool Session::add_payee(const Worker& worker) {
  if (!config_.solo) return false;
  // Keyed by script: two spellings of one address (bech32 upper/lower case) are one payee.
  for (const auto& payee : payees_) {
    if (payee.payout_script == worker.payout_script) return false;
  }
  // Job ids carry the payee index as two hex digits; max_workers_per_connection (32) keeps far below.
  if (payees_.size() >= 256) return false;
  payees_.push_back({worker.address, worker.payout_script});
  return true;
}

mining::JobPtr Session::own_job(const mining::JobPtr& base, size_t payee) {
  if (!config_.solo || payee >= payees_.size()) return base;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string suffix = extranonce1_hex_;
  suffix += kDigits[(payee >> 4) & 0xf];
  suffix += kDigits[payee & 0xf];
  if (auto it = personal_jobs_.find(base->id + suffix); it != personal_jobs_.end()) return it->second.job;
  auto job = host_.personalize(base, payees_[payee].payout_script, suffix);
  personal_jobs_[job->id] = {job, base->id, payee};
  return job;
}

mining::JobPtr Session::find_job(const std::string& id) {
  if (config_.solo) {
    auto it = personal_jobs_.find(id);
    if (it == personal_jobs_.end() || !host_.find_job(it->second.base_id)) return nullptr;  // stale with its base
    return it->second.job;
  }
  return host_.find_job(id);
}

const std::string* Session::job_payee(const std::string& id) const {
  auto it = personal_jobs_.find(id);
  return it == personal_jobs_.end() ? nullptr : &payees_[it->second.payee].address;
}

void Session::remember_sent(const std::string& job_id) {
  sent_job_ids_[next_sent_++ % sent_job_ids_.size()] = std::hash<std::string>{}(job_id) | 1;
}

bool Session::was_sent(const std::string& job_id) const {
  const uint64_t h = std::hash<std::string>{}(job_id) | 1;
  return std::find(sent_job_ids_.begin(), sent_job_ids_.end(), h) != sent_job_ids_.end();
}

void Session::send_work(const mining::JobPtr& base, bool clean, std::vector<Outgoing>& out,
                        const std::shared_ptr<const std::string>& shared_notify) {
  if (!base) return;
  if (!difficulty_sent_) {
    out.push_back({set_difficulty_line(vardiff_.difficulty()), nullptr, std::nullopt});
    difficulty_sent_ = true;
  }
  if (config_.solo && !payees_.empty()) {
    // One job per address on this connection. Only the first notify may say clean_jobs, so the
    // miner keeps all of them; the first-authorized address's job goes last, which is the one a
    // miner that works only on the newest notify mines.
    for (size_t i = payees_.size(); i-- > 0;) {
      const mining::JobPtr job = own_job(base, i);
      job_difficulty_[job->id] = vardiff_.difficulty();
      remember_sent(job->id);
      out.push_back({notify_line(*job, clean && i + 1 == payees_.size()), nullptr, std::nullopt});
    }
  } else {
    job_difficulty_[base->id] = vardiff_.difficulty();
    remember_sent(base->id);
    if (shared_notify && clean == base->clean_jobs) {
      out.push_back({std::string(), shared_notify, std::nullopt});
    } else {
      out.push_back({notify_line(*base, clean), nullptr, std::nullopt});
    }
  }
  last_work_sent_ = host_.now();
}

void Session::on_new_job(const mining::JobPtr& job, const std::shared_ptr<const std::string>& notify,
                         std::vector<Outgoing>& out) {
  if (job->prev_hash != tip_) {
    tip_ = job->prev_hash;
    job_difficulty_.clear();
    personal_jobs_.clear();
  } else {
    std::erase_if(personal_jobs_, [&](const auto& entry) { return !host_.find_job(entry.second.base_id); });
    std::erase_if(job_difficulty_, [&](const auto& entry) { return !find_job(entry.first); });
  }
  if (subscribed_ && authorized()) send_work(job, job->clean_jobs, out, notify);
}

void Session::on_tick(std::vector<Outgoing>& out) {
  const double now = host_.now();
  const double before = vardiff_.difficulty();
  if (const auto changed = vardiff_.on_tick(now)) {
    previous_difficulty_ = before;
    difficulty_changed_at_ = now;
    apply_difficulty(changed, out);
  }
  if (subscribed_ && authorized() && now - last_work_sent_ >= config_.keepalive_seconds) {
    send_work(host_.current_job(), false, out);
  }
}

double Session::required_difficulty(const std::string& job_id, double* previous) const {
  auto it = job_difficulty_.find(job_id);
  const double required = it == job_difficulty_.end() ? vardiff_.difficulty() : it->second;
  *previous = host_.now() - difficulty_changed_at_ <= config_.difficulty_grace_seconds ? previous_difficulty_ : 0;
  return required;
}

void Session::reject(const Message& m, const std::string& worker, int code, const std::string& reason,
                     bool counts_as_abuse, std::vector<Outgoing>& out) {
  ++rejected_;
  if (counts_as_abuse) ++abusive_rejects_;
  host_.share_rejected(worker, code, reason);
  out.push_back({error_line(m.id, code, reason), nullptr, std::nullopt});
  // Only abusive rejects and accepted shares count: free, harmless rejects (stale, another
  // address's job) must not dilute the ratio of an attacker's bogus shares.
  const uint64_t total = accepted_ + abusive_rejects_;
  if (total >= static_cast<uint64_t>(config_.abuse_min_shares) &&
      static_cast<double>(abusive_rejects_) > config_.abuse_max_invalid_ratio * static_cast<double>(total)) {
    close_reason_ = "too many invalid shares (" + std::to_string(abusive_rejects_) + " of " + std::to_string(total) + ")";
    ban_ = true;
  }
}

}  // namespace pool::stratum
