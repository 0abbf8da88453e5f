#include "db/session_cancel.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

struct CancelCandidate {
  CancelledSession session;
  bool ended = false;
  bool refused = false;
};

// Session `id` as the cancel's checks need it, within the caller's transaction.
std::optional<CancelCandidate> read_candidate(Database& db, const std::string& id) {
  auto query = db.statement(
      "SELECT state, lane, group_size, created_at_ms, passages, hold_requested, ended, refused_at_ms"
      " FROM sessions WHERE session_id = ?1");
  query->bind(1, id);
  if (!query->executeStep()) return std::nullopt;
  CancelCandidate c;
  const std::string state = query->getColumn(0).getString();
  const auto parsed = session_state_from_string(state);
  if (!parsed) throw std::runtime_error("session " + id + " has unknown state '" + state + "'");
  c.session.state = *parsed;
  c.session.lane = query->getColumn(1).getInt();
  c.session.group_size = query->getColumn(2).getInt();
  c.session.created_at_ms = query->getColumn(3).getInt64();
  const int passages = query->getColumn(4).getInt();
  if (passages >= 0) c.session.passages = passages;
  c.session.hold_requested = query->getColumn(5).getInt() != 0;
  c.ended = query->getColumn(6).getInt() != 0;
  c.refused = query->getColumn(7).getInt64() != 0;
  return c;
}

// Why the session cannot be cancelled by an operator, if it cannot.
Status cancellable(const std::string& id, const CancelCandidate& c, bool passages_checked) {
  const std::string head = "cannot cancel session " + id + ": ";
  switch (c.session.state) {
    case SessionState::open:
    case SessionState::open_offline:
      break;
    case SessionState::opening:
      return make_error("wrong_state", head + "it is opening: its admission is still being decided, or a restart "
                                               "interrupted it and the next start of passgated closes it");
    case SessionState::denied:
    case SessionState::cancelled:
      return make_error("wrong_state", head + "it is already " + std::string(to_string(c.session.state)) +
                                               ": it holds nothing (no anti-passback, no hold left to void)");
  }
  if (!c.session.passages && !passages_checked) {
    return make_error("passages_unknown",
                      head + "it was admitted before this version of passgated counted passages, so the gate cannot "
                             "tell whether somebody entered on it: search the log for event=passage with its session "
                             "id, and if there is none cancel it again with --passages-checked");
  }
  if (c.session.passages.value_or(0) > 0) {
    return make_error("entered", head + std::to_string(*c.session.passages) +
                                     " passage(s) through the lane were recorded on it: somebody entered, and the "
                                     "tracking engine ends it with a cart");
  }
  if (c.ended) {
    return make_error("cart_final", head + "its cart is final (or quarantined, or it is settled): the settlement "
                                           "decides what becomes of its hold");
  }
  if (c.refused) {
    return make_error("wrong_state", head + "the tracking engine refused it: its hold is voided and it is settled "
                                            "without a cart already");
  }
  return {};
}

}  // namespace

Result<CancelledSession> cancel_unused_session(Database& db, const SessionCancel& c) {
  if (std::all_of(c.reason.begin(), c.reason.end(), [](unsigned char ch) { return std::isspace(ch) != 0; })) {
    return make_error("bad_reason", "a cancel needs a reason: --reason TEXT saying how you know nobody entered "
                                    "(e.g. \"denial_record_lost at 14:02, no passage in the log, camera checked\")");
  }
  return guarded("cancel session " + c.session_id + " for an operator", [&]() -> Result<CancelledSession> {
    SQLite::Transaction transaction(db.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    const auto found = read_candidate(db, c.session_id);
    if (!found) {
      return make_error("not_found", "no session " + c.session_id +
                                         " in this gate's database (passgatectl sessions --all lists every one)");
    }
    if (Status allowed = cancellable(c.session_id, *found, c.passages_checked); !allowed) return allowed.error();
    if (Status cancelled = SessionStore::cancel_within(db, c.session_id, c.cancel, c.now_ms); !cancelled) {
      return cancelled.error();
    }
    auto queued = db.statement("SELECT MAX(id) FROM outbox WHERE session_id = ?1 AND kind = 'cancel'");
    queued->bind(1, c.session_id);
    queued->executeStep();
    audit(db, c.now_ms, c.actor, "session_cancel", AuditSubject::outbox_message(queued->getColumn(0).getInt64()),
          "session " + c.session_id + " cancelled, nobody entered" +
              (found->session.passages ? std::string() : " (passages not counted; the operator checked the log)") +
              ": " + c.reason);
    transaction.commit();
    return found->session;
  });
}

}  // namespace passgate::db
