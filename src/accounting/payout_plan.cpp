#include "accounting/payout_plan.h"

#include "bitcoin/address.h"
#include "bitcoin/dust.h"
#include "store/store.h"

namespace pool::accounting {

PayoutSelection select_payouts(const std::map<std::string, int64_t>& balances,
                               const std::map<std::string, int64_t>& held_back, int64_t min_payout_sats,
                               bitcoin::Network network) {
  PayoutSelection out;
  std::map<bitcoin::Bytes, std::string> payee_of_script;  // one output per script: Core refuses a repeat (-8)
  for (const auto& [address, balance] : balances) {
    const auto held = held_back.find(address);
    const int64_t sats = balance - (held == held_back.end() ? 0 : held->second);
    if (address == store::kPoolAccount || sats <= 0 || sats < min_payout_sats) continue;
    bitcoin::Bytes script;
    try {
      script = bitcoin::address_to_script(address, network);
    } catch (const bitcoin::AddressError& e) {
      out.skipped.push_back({address, sats, e.what(), false});
      continue;
    }
    if (const int64_t limit = bitcoin::dust_limit(script); sats < limit) {
      out.skipped.push_back({address, sats, "below the dust limit of " + std::to_string(limit) + " sat", true});
      continue;
    }
    if (const auto [it, fresh] = payee_of_script.emplace(script, address); !fresh) {
      out.skipped.push_back({address, sats,
                             "pays the same script as " + it->second + " (two spellings of one address); paid in a later run",
                             false});
      continue;
    }
    out.amounts[address] = sats;
  }
  return out;
}

std::vector<PayoutAmounts> split_batches(const PayoutAmounts& amounts, int max_outputs) {
  std::vector<PayoutAmounts> out;
  const size_t per = static_cast<size_t>(std::max(1, max_outputs));
  for (const auto& [address, sats] : amounts) {
    if (out.empty() || out.back().size() >= per) out.emplace_back();
    out.back()[address] = sats;
  }
  return out;
}

std::string PayoutRefusals::circumstances(const PayoutAmounts& batch, int64_t spendable_sats,
                                          const std::string& lock_state) {
  std::string out = lock_state + "|" + std::to_string(spendable_sats);
  for (const auto& [address, sats] : batch) out += "|" + address + "=" + std::to_string(sats);
  return out;
}

}  // namespace pool::accounting
