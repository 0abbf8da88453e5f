// recover_interrupted_sessions: at start-up, sessions left `opening` by a crash are closed.
// Such a session was begun (its one synced commit) but its admission was never recorded, and
// an admission is recorded before its lane is told (controller/admission/service.hpp), so
// nobody was admitted on it by the gate: the engine gets its open request (queued when it
// began) and then a cancel, through the outbox, so both sides end with it cancelled. Its
// token id stays used. A session the database refuses to close is handed to `write_later`
// (AdmissionService::write_later): written again until it is taken, its entry hold not sent
// meanwhile. If they cannot even be listed, the error is returned and passgated does not start
// (systemd starts it again): a session left opening would otherwise have its hold sent with
// nothing to void it. The reasoning for every crash point: docs/durability.md.
#pragma once

#include "common/clock.hpp"
#include "controller/admission/write_later.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

[[nodiscard]] Status recover_interrupted_sessions(db::SessionStore& sessions, Clock& clock,
                                                  const WriteLater& write_later);

}  // namespace passgate::controller
