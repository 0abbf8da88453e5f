// money_by_session (ledger_money.hpp): the ledger's intents, each counted for its session.
#include "tests/settlement_model/ledger_money.hpp"

namespace passgate::model {

std::map<std::string, SessionMoney> money_by_session(const GatewaySide& gateway) {
  using sim::GatewayIntentStatus;
  std::map<std::string, std::string> key_of;  // intent id -> the idempotency key that created it
  for (const auto& [key, ids] : gateway.intents_by_key)
    for (const std::string& id : ids) key_of[id] = key;
  std::map<std::string, SessionMoney> money;
  for (const sim::GatewayIntent& intent : gateway.ledger.intents()) {
    SessionMoney& m = money[intent.session_id];
    const bool hold = intent.op == "preauth" || intent.op == "tpreauth";
    const bool placed = gateway.placed_holds.count(intent.id) > 0;
    if (hold && placed) m.holds.push_back(intent.id);
    if (intent.status == GatewayIntentStatus::succeeded) {
      (hold ? m.captured : m.charged) += intent.amount_received;
      if (!hold) m.charged_by_key[key_of[intent.id]] += intent.amount_received;
    }
    if (hold && intent.status == GatewayIntentStatus::requires_capture) m.open_holds.push_back(intent.id);
    if (hold && intent.status == GatewayIntentStatus::canceled && placed) {
      (gateway.lapsed_holds.count(intent.id) > 0 ? m.lapsed_holds : m.released_holds).push_back(intent.id);
    }
  }
  return money;
}

}  // namespace passgate::model
