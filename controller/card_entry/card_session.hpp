// The session a card attempt's admission begins (CardAttemptStore::admit): like an app
// session, with shopper "card:<fingerprint hash>" (never the fingerprint), a group of one, the
// token id "card:<session id>" (a card has no entry token; this one is never reused), and its
// open request for the tracking engine built as the app's is (controller/tracking/messages.hpp).
#pragma once

#include <string>

#include "common/clock.hpp"
#include "controller/tracking/messages.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

[[nodiscard]] db::SessionStore::NewSession card_session(const GateIdentity& gate, const std::string& session_id,
                                                        int lane, const std::string& fingerprint_hash, WallTime now);

}  // namespace passgate::controller
