#include "api/job_json.h"

#include <chrono>
#include <stdexcept>

#include "mining/coinbase_description.h"
#include "util/json.h"
#include "util/text.h"

namespace pool::api {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) throw std::invalid_argument("a cut percent escape in the query");
      const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi < 0 || lo < 0) throw std::invalid_argument("a malformed percent escape in the query");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string optional_string(const std::optional<std::string>& s) { return s ? util::quote(*s) : "null"; }

}  // namespace

std::optional<std::string> query_value(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string job_json(const mining::Job& job, bitcoin::Network network, const std::string& payout_scheme,
                     const std::optional<std::string>& personalized_for) {
  const bool solo = payout_scheme == "solo";
  const mining::CoinbaseDescription cb = mining::describe_coinbase(mining::job_coinbase(job), network, solo);
  std::string outputs;
  std::optional<std::string> root;
  for (const auto& o : cb.outputs) {
    outputs += outputs.empty() ? "{" : ",{";
    outputs += "\"index\":" + std::to_string(o.index) + ",\"role\":\"" + o.role + "\",\"value_sats\":" +
               std::to_string(o.value) + ",\"address\":" + optional_string(o.address) + ",\"script_hex\":\"" +
               bitcoin::to_hex(o.script_pubkey) + "\"";
    if (o.window_root) {
      outputs += ",\"root\":\"" + o.window_root->internal_hex() + "\"";
      if (!root) root = o.window_root->internal_hex();
    }
    outputs += "}";
  }
  // The tag is the operator's, cut to fit the scriptSig, possibly inside a UTF-8 sequence.
  const std::string tag = util::valid_utf8(cb.tag) ? cb.tag : util::printable(cb.tag, 200);
  const node::BlockTemplate& t = *job.block_template;
  const int64_t created_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(job.created_wall.time_since_epoch()).count();
  return "{\"job_id\":" + util::quote(job.id) + ",\"height\":" + std::to_string(job.height) +
         ",\"previous_block_hash\":\"" + job.prev_hash.hex() + "\",\"payout_scheme\":" + util::quote(payout_scheme) +
         ",\"personalized_for\":" + optional_string(personalized_for) + ",\"coinbase_value_sats\":" +
         std::to_string(job.coinbase_value) + ",\"outputs\":[" + outputs + "],\"window_commitment_root\":" +
         optional_string(root) + ",\"coinbase_tag\":" + util::quote(tag) + ",\"coinbase_tag_hex\":\"" +
         bitcoin::to_hex(bitcoin::Bytes(cb.tag.begin(), cb.tag.end())) + "\",\"transaction_count\":" +
         std::to_string(t.transactions.size()) + ",\"total_fees_sats\":" + std::to_string(t.total_fees()) +
         ",\"merkle_branch_length\":" + std::to_string(job.merkle_branch().size()) + ",\"version\":\"" +
         job.version_hex + "\",\"bits\":\"" + job.bits_hex + "\",\"ntime\":" + std::to_string(job.ntime) +
         ",\"clean_jobs\":" + (job.clean_jobs ? "true" : "false") + ",\"created_ms\":" + std::to_string(created_ms) +
         ",\"coinb1\":\"" + job.coinb1_hex + "\",\"coinb2\":\"" + job.coinb2_hex + "\",\"extranonce1_size\":" +
         std::to_string(job.extranonce1_size) + ",\"extranonce2_size\":" + std::to_string(job.extranonce2_size) + "}";
}

}  // namespace pool::api
