#include "controller/settlement/sealing_keys_in_use.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::controller {

Result<SealingKeysInUse> sealing_keys_in_use(db::SessionStore& sessions, const crypto::PaymentSealer& sealer,
                                             bool open_each) {
  auto references = sessions.sealed_references_in_use();
  if (!references) return references.error();
  SealingKeysInUse use;
  std::map<std::string, std::string> last_counted;  // key id -> the session counted last (a card session has three)
  for (const auto& ref : *references) {
    SealingKeyUse& key = use[ref.key_id];
    if (key.sessions == 0) {
      key.first_session = ref.session_id;
      key.configured = sealer.can_open(ref.key_id);
    }
    if (std::string& last = last_counted[ref.key_id]; key.sessions == 0 || last != ref.session_id) {
      ++key.sessions;
      last = ref.session_id;
    }
    if (!open_each || !key.configured) continue;
    const crypto::SealedValue sealed{ref.key_id, ref.sealed};
    const bool opens = ref.single ? sealer.open(sealed, ref.session_id).ok()
                                  : crypto::open_payment_reference(sealer, sealed, ref.session_id).ok();
    if (!opens) ++key.damaged;
  }
  return use;
}

Status check_sealing_keys(db::SessionStore& sessions, const crypto::PaymentSealer& sealer) {
  auto use = sealing_keys_in_use(sessions, sealer, true);
  if (!use) return use.error();
  std::string problems;
  for (const auto& [key_id, key] : *use) {
    if (key.damaged > 0) {
      spdlog::error("event=payment_reference_damaged key_id={} sessions={} detail=\"{} sealed payment reference(s) "
                    "do not open with their own key: those sessions cannot be charged by the gate\"",
                    log_value(key_id), key.damaged, key.damaged);
    }
    if (key.configured) continue;
    problems += (problems.empty() ? "" : "; ") + std::to_string(key.sessions) + " session(s) not settled yet (e.g. " +
                key.first_session + ") hold payment references sealed with key " + key_id +
                ", which no configured key has";
  }
  if (problems.empty()) return {};
  return make_error("seal_key_needed",
                    "payments: " + problems +
                        ". Keep that key's file in payments.previous_seal_key_files until passgatectl status no "
                        "longer lists its id");
}

}  // namespace passgate::controller
