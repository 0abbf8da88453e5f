// Which payment sealing keys the gate still needs: every sealed payment reference of a
// session not yet settled, app or card (db::SessionStore::sealed_references_in_use: a card
// session's customer, PaymentIntent and saved card; those of a card attempt not final yet,
// whose hold the card-entry runner may still void), is opened with the configured keys. A start or a reload whose keys cannot open one of them is refused, naming
// the key id still in use; passgatectl status shows the key ids in use and for how many
// sessions, so an operator knows when an old key file may go.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/result.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

struct SealingKeyUse {
  std::int64_t sessions = 0;
  bool configured = false;     // a configured key has this id
  std::int64_t damaged = 0;    // references that key does not open (a damaged row), when opened
  std::string first_session;   // one of the sessions, for messages
};

// Key id -> how the sessions not yet settled use it.
using SealingKeysInUse = std::map<std::string, SealingKeyUse>;

// With `open_each`, every reference is opened (at start and reload); without, only its key
// id is looked up (cheap enough for every `passgatectl status`).
[[nodiscard]] Result<SealingKeysInUse> sealing_keys_in_use(db::SessionStore& sessions,
                                                           const crypto::PaymentSealer& sealer, bool open_each);
// Error "seal_key_needed" naming each key id still in use that `sealer` does not have (and
// what to do); the database's error if it cannot be read. A reference its own key does not
// open (a damaged row) is logged, not refused: no key would open it.
[[nodiscard]] Status check_sealing_keys(db::SessionStore& sessions, const crypto::PaymentSealer& sealer);

}  // namespace passgate::controller
