// recover_interrupted_sessions: at start-up, sessions left "opening" by a crash (committed,
// engine's answer never processed, so nobody was admitted on them) are closed: the engine
// gets the same open request and then a cancel, through the outbox, so both sides agree.
#pragma once

#include "common/clock.hpp"
#include "db/session_store.hpp"

namespace passgate::daemon {

void recover_interrupted_sessions(db::SessionStore& sessions, Clock& clock);

}  // namespace passgate::daemon
