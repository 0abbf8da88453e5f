// An operator's cancel of a session nobody entered on (`passgatectl sessions cancel ID
// --reason TEXT`, carried out by passgated: passgated/control_session_cancel.hpp): for a
// session the gate could not cancel itself (its unused grant's cancel was refused by the
// database and then lost: event=denial_record_lost, or a crash). In ONE transaction it checks
// that the session is open (open or open_offline), that no passage was recorded on it
// (sessions.passages) and that its cart is not final (not ended: no cart, quarantined cart or
// settlement), then cancels it as the lane's cancel of an unused grant does
// (SessionStore::cancel_within: the cancel queued for the tracking engine, an entry hold never
// sent finished unsent) and writes the audit row (action "session_cancel", its subject the
// cancel queued, the reason and the session in its detail). Refusals, nothing written:
//   bad_reason  the reason is blank
//   not_found   no such session
//   wrong_state not open (still opening, denied, cancelled) or refused by the tracking engine
//   entered     a passage was recorded on it: somebody did enter
//   passages_unknown  its passages were not counted (admitted before passgated counted them,
//               migration 19) and the operator did not say the log was checked (passages_checked)
//   cart_final  its cart is final (or quarantined, or it is settled)
// or a database error. Single-threaded: the caller's database handle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "db/audit_log.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"

namespace passgate::db {

struct SessionCancel {
  std::string session_id;
  std::string reason;  // for the audit log
  // The operator checked the log for passages on it (passgatectl --passages-checked): needed
  // when the gate did not count them; recorded in the audit row.
  bool passages_checked = false;
  AuditActor actor;
  OutboxMessage cancel;  // the tracking engine's cancel of the session
  std::int64_t now_ms = 0;
};

// The session as it was before the cancel.
struct CancelledSession {
  SessionState state = SessionState::open;
  int lane = 0;
  int group_size = 1;
  std::int64_t created_at_ms = 0;
  // Passages recorded on it: 0, or empty when not counted (admitted before passgated counted
  // them: migration 19), so only the log can tell.
  std::optional<int> passages;
  bool hold_requested = false;  // an entry hold was queued, or a card tap placed one
};

[[nodiscard]] Result<CancelledSession> cancel_unused_session(Database& db, const SessionCancel& c);

}  // namespace passgate::db
