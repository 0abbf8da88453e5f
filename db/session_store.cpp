#include "db/session_store.hpp"

#include <array>
#include <charconv>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>
#include <nlohmann/json.hpp>

#include "db/payment_queue.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// A state change: `sql` moves the session bound as ?1 to state `to`, only if it is in one of
// the states `from` names; further values bind from ?2.
struct Transition {
  std::string_view to;
  std::string_view from;
  const char* sql;
};

constexpr Transition kToOpen{"open", "opening",
                             "UPDATE sessions SET state = 'open' WHERE session_id = ?1 AND state = 'opening'"};
constexpr Transition kToOpenOffline{
    "open_offline", "opening",
    "UPDATE sessions SET state = 'open_offline', offline = 1 WHERE session_id = ?1 AND state = 'opening'"};
constexpr Transition kToDenied{
    "denied", "opening",
    "UPDATE sessions SET state = 'denied', denial_reason = ?2 WHERE session_id = ?1 AND state = 'opening'"};
constexpr Transition kToCancelled{"cancelled", "open or open_offline",
                                  "UPDATE sessions SET state = 'cancelled'"
                                  " WHERE session_id = ?1 AND state IN ('open', 'open_offline')"};
constexpr Transition kAbandoned{"cancelled", "opening",
                                "UPDATE sessions SET state = 'cancelled' WHERE session_id = ?1 AND state = 'opening'"};

// Not a state change: the session stays open_offline (the shopper is inside), marked refused.
constexpr Transition kRefused{"refused by the tracking engine", "open_offline and not yet refused",
                              "UPDATE sessions SET refused_at_ms = ?2"
                              " WHERE session_id = ?1 AND state = 'open_offline' AND refused_at_ms = 0"};

// The gate_status row that keeps the token purge's high-water mark.
constexpr const char* kPurgeMark = "used_tokens_purged_by_s";

// The purge's high-water mark (within the caller's transaction, if any); 0 before any purge.
// The row's value is written together with updated_at_ms = value * 1000, so a value that is
// not a number (a hand edit, a damaged restore) is read from updated_at_ms instead, never as 0:
// ids may have been forgotten by it. `exact` is false then.
struct PurgeMark {
  std::int64_t by_s = 0;
  bool exact = true;
};

PurgeMark read_purge_mark(Database& db) {
  auto query = db.statement("SELECT value, updated_at_ms FROM gate_status WHERE name = ?1");
  query->bind(1, kPurgeMark);
  if (!query->executeStep()) return {};
  const std::string text = query->getColumn(0).getString();
  std::int64_t mark = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), mark);
  if (error == std::errc{} && end == text.data() + text.size()) return {.by_s = mark};
  return {.by_s = query->getColumn(1).getInt64() / 1000, .exact = false};
}

// The mark, or an error that says what is wrong with it and how to mend it.
std::int64_t require_purge_mark(Database& db) {
  const PurgeMark mark = read_purge_mark(db);
  if (!mark.exact) {
    throw std::runtime_error(std::string("gate_status ") + kPurgeMark +
                             " is not a number: no used token id is forgotten until it is (it was written with "
                             "updated_at_ms = value * 1000: set value to updated_at_ms / 1000)");
  }
  return mark.by_s;
}

// Frees the session's jti again (within the caller's transaction).
void release_token_of(Database& db, const std::string& session_id) {
  auto release = db.statement(
      "DELETE FROM used_tokens WHERE session_id = ?1"
      " AND token_id = (SELECT token_id FROM sessions WHERE session_id = ?1)");
  release->bind(1, session_id);
  release->exec();
}

// Removes the session's open request from the outbox (within the caller's transaction).
void drop_open_request(Database& db, const std::string& session_id) {
  auto drop = db.statement("DELETE FROM outbox WHERE session_id = ?1 AND kind = 'session_open'");
  drop->bind(1, session_id);
  drop->exec();
}

// Queues `open_request` unless its session's open request is in the outbox already (begin
// put it there; a session begun by an older passgated has none), within the caller's
// transaction.
void queue_open_request(Database& db, const OutboxMessage& open_request, std::int64_t now_ms) {
  auto queued = db.statement("SELECT 1 FROM outbox WHERE session_id = ?1 AND kind = 'session_open'");
  queued->bind(1, open_request.session_id);
  if (!queued->executeStep()) Outbox::insert(db.sql(), open_request, now_ms);
}

std::string transition_context(const Transition& t, const std::string& session_id) {
  return "mark session " + session_id + " " + std::string(t.to);
}

// Applies `t` (inside the caller's transaction, if any); "wrong_state" if nothing changed.
template <class... Values>
Status transition(Database& db, const Transition& t, const std::string& session_id, const Values&... values) {
  auto update = db.statement(t.sql);
  SQLite::bind(*update, session_id, values...);
  if (update->exec() > 0) return {};

  auto current = db.statement("SELECT state FROM sessions WHERE session_id = ?1");
  current->bind(1, session_id);
  const std::string why =
      current->executeStep() ? "it is " + current->getColumn(0).getString() + ", not " + std::string(t.from)
                             : "no such session";
  return make_error("wrong_state", "cannot " + transition_context(t, session_id) + ": " + why);
}

std::string select_sessions(std::string_view rest) {
  return "SELECT session_id, token_id, token_expires_at, lane, shopper, group_size, admitted_at, created_at_ms,"
         " offline, state, open_request, denial_reason, pay_key_id, pay_sealed, refused_at_ms FROM sessions " +
         std::string(rest);
}

SessionRecord read_session(const SQLite::Statement& row) {
  SessionRecord s{
      .session_id = row.getColumn(0).getString(),
      .token_id = row.getColumn(1).getString(),
      .token_expires_at = row.getColumn(2).getInt64(),
      .lane = row.getColumn(3).getInt(),
      .shopper = row.getColumn(4).getString(),
      .group_size = row.getColumn(5).getInt(),
      .admitted_at = row.getColumn(6).getString(),
      .created_at_ms = row.getColumn(7).getInt64(),
      .offline = row.getColumn(8).getInt() != 0,
      .state = SessionState::opening,
      .open_request = row.getColumn(10).getString(),
      .denial_reason = row.getColumn(11).getString(),
      .pay_key_id = row.getColumn(12).getString(),
      .pay_sealed = {},
      .refused_at_ms = row.getColumn(14).getInt64(),
  };
  if (const SQLite::Column sealed = row.getColumn(13); !sealed.isNull()) {
    const auto* bytes = static_cast<const std::uint8_t*>(sealed.getBlob());
    s.pay_sealed.assign(bytes, bytes + sealed.getBytes());
  }
  const std::string state = row.getColumn(9).getString();
  const auto parsed = session_state_from_string(state);
  if (!parsed) throw std::runtime_error("session " + s.session_id + " has unknown state '" + state + "'");
  s.state = *parsed;
  return s;
}

std::vector<SessionRecord> read_sessions(SQLite::Statement& query) {
  std::vector<SessionRecord> sessions;
  while (query.executeStep()) sessions.push_back(read_session(query));
  return sessions;
}

}  // namespace

std::string_view to_string(SessionState s) {
  switch (s) {
    case SessionState::opening: return "opening";
    case SessionState::open: return "open";
    case SessionState::open_offline: return "open_offline";
    case SessionState::denied: return "denied";
    case SessionState::cancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<SessionState> session_state_from_string(std::string_view name) {
  constexpr std::array kAll = {SessionState::opening, SessionState::open, SessionState::open_offline,
                               SessionState::denied, SessionState::cancelled};
  for (const SessionState s : kAll) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

Result<bool> SessionStore::token_used(const std::string& token_id) {
  return guarded("look up entry token " + token_id, [&]() -> Result<bool> {
    auto query = db_.statement("SELECT 1 FROM used_tokens WHERE token_id = ?1");
    query->bind(1, token_id);
    return query->executeStep();
  });
}

namespace {

// Begins one session within the caller's transaction: its outcome, nothing written on an error.
Status begin_one(Database& db, std::int64_t purge_mark, const SessionStore::NewSession& n) {
  const SessionRecord& s = n.record;
  // An id purged by the mark had its token end (plus the largest skew) more than the
  // margin before it; this token's end, with any skew now in force, is no later.
  // A mark whose value cannot be read stops every purge, but ids forgotten before still were
  // forgotten by the time its row was written.
  if (s.token_expires_at + kUsedTokenMarginS < purge_mark) {
    return make_error("expired", "entry token " + s.token_id + " ended at " + std::to_string(s.token_expires_at) +
                                     ", more than " + std::to_string(kUsedTokenMarginS) +
                                     " s before the gate purged used token ids (at " + std::to_string(purge_mark) +
                                     "): the wall clock is behind the gate's own records (session " + s.session_id +
                                     " not started)");
  }
  auto used = db.statement("SELECT 1 FROM used_tokens WHERE token_id = ?1");
  used->bind(1, s.token_id);
  if (used->executeStep()) {
    return make_error("replayed",
                      "entry token " + s.token_id + " was already used (session " + s.session_id + " not started)");
  }
  // The session row before its token's: the token row's foreign key then finds its session by
  // its primary key, where inserting the session after the token would make SQLite look for
  // the token rows that name it, through a column with no index (every used id of the day).
  auto insert = db.statement(
      "INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size, admitted_at,"
      " created_at_ms, offline, state, open_request, pay_key_id, pay_sealed)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'opening', ?10, ?11, ?12)");
  SQLite::bind(*insert, s.session_id, s.token_id, s.token_expires_at, s.lane, s.shopper, s.group_size, s.admitted_at,
               s.created_at_ms, s.offline ? 1 : 0, s.open_request, s.pay_key_id);
  if (s.pay_sealed.empty()) {
    insert->bind(12);
  } else {
    insert->bind(12, s.pay_sealed.data(), static_cast<int>(s.pay_sealed.size()));
  }
  insert->exec();
  auto claim = db.statement("INSERT INTO used_tokens (token_id, expires_at, session_id) VALUES (?1, ?2, ?3)");
  SQLite::bind(*claim, s.token_id, s.token_expires_at, s.session_id);
  claim->exec();
  Outbox::insert(db.sql(), n.open_request, s.created_at_ms);
  return {};
}

}  // namespace

Result<std::vector<Status>> SessionStore::begin_all(const std::vector<NewSession>& sessions) {
  const std::string context = sessions.size() == 1 ? "insert session " + sessions.front().record.session_id
                                                   : "insert " + std::to_string(sessions.size()) + " sessions";
  return guarded(context, [&]() -> Result<std::vector<Status>> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    const std::int64_t mark = read_purge_mark(db_).by_s;
    std::vector<Status> outcomes;
    outcomes.reserve(sessions.size());
    for (const NewSession& n : sessions) outcomes.push_back(begin_one(db_, mark, n));
    transaction.commit();
    return outcomes;
  });
}

Status SessionStore::begin_within(Database& db, const NewSession& n) {
  return begin_one(db, read_purge_mark(db).by_s, n);
}

Status SessionStore::begin(const SessionRecord& s, const OutboxMessage& open_request) {
  auto outcomes = begin_all({NewSession{s, open_request}});
  if (!outcomes) return outcomes.error();
  return std::move(outcomes->front());
}

Status SessionStore::mark_open(const std::string& session_id, StoreUnclaimed unclaimed) {
  return guarded(transition_context(kToOpen, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    if (Status moved = transition(db_, kToOpen, session_id); !moved) return moved;
    drop_open_request(db_, session_id);
    StoreClaimsPending::owe_claims_within(db_, session_id, unclaimed);
    transaction.commit();
    return {};
  });
}

Status SessionStore::mark_open_offline(const std::string& session_id, const OutboxMessage& open_request,
                                       std::int64_t now_ms, StoreUnclaimed unclaimed) {
  return guarded(transition_context(kToOpenOffline, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    if (Status moved = transition(db_, kToOpenOffline, session_id); !moved) return moved;
    queue_open_request(db_, open_request, now_ms);
    StoreClaimsPending::owe_claims_within(db_, session_id, unclaimed);
    transaction.commit();
    return {};
  });
}

Status SessionStore::mark_denied(const std::string& session_id, const std::string& reason, bool release_token,
                                 std::int64_t now_ms) {
  return guarded(transition_context(kToDenied, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    if (Status moved = transition(db_, kToDenied, session_id, reason); !moved) return moved;
    if (release_token) release_token_of(db_, session_id);
    drop_open_request(db_, session_id);
    PaymentQueue::finish_unsent_preauth(db_, session_id, std::string(kHoldNotSentDenied), now_ms);
    transaction.commit();
    return {};
  });
}

Status SessionStore::deny_after_open(const std::string& session_id, const std::string& reason, bool release_token,
                                     const OutboxMessage& open_request, const OutboxMessage& cancel,
                                     std::int64_t now_ms) {
  return guarded(transition_context(kToDenied, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    if (Status moved = transition(db_, kToDenied, session_id, reason); !moved) return moved;
    if (release_token) release_token_of(db_, session_id);
    queue_open_request(db_, open_request, now_ms);
    Outbox::insert(db_.sql(), cancel, now_ms);
    PaymentQueue::finish_unsent_preauth(db_, session_id, std::string(kHoldNotSentDenied), now_ms);
    transaction.commit();
    return {};
  });
}

Result<std::vector<SessionStore::SealedReference>> SessionStore::sealed_references_in_use() {
  return guarded("read the sealed payment references in use", [&]() -> Result<std::vector<SealedReference>> {
    // Three look-ups, each through a small index (sessions_unsettled, payment_ops_by_state,
    // quarantined_carts_by_state), instead of one walk over every session ever admitted.
    auto query = db_.statement(
        "SELECT s.session_id, s.pay_key_id, s.pay_sealed FROM sessions s WHERE s.pay_sealed IS NOT NULL AND s.rowid IN ("
        "SELECT u.rowid FROM sessions u INDEXED BY sessions_unsettled WHERE u.settled = 0 AND u.state IN ('opening', 'open', 'open_offline')"
        " AND u.refused_at_ms = 0"
        " UNION SELECT w.rowid FROM payment_ops p CROSS JOIN sessions w ON w.session_id = p.session_id"
        " WHERE p.op IN ('preauth', 'charge') AND (p.state IN ('pending', 'in_flight')"
        " OR (p.state IN ('declined', 'dead') AND p.alert = 1 AND p.replaced_by IS NULL))"
        " UNION SELECT w.rowid FROM quarantined_carts q CROSS JOIN sessions w ON w.session_id = q.session_id"
        " WHERE q.state = 'open' AND q.session_id <> '')"
        " ORDER BY s.created_at_ms, s.rowid");
    std::vector<SealedReference> found;
    const auto read = [&found](SQLite::Statement& rows, bool single) {
      while (rows.executeStep()) {
        const SQLite::Column sealed = rows.getColumn(2);
        const auto* bytes = static_cast<const std::uint8_t*>(sealed.getBlob());
        found.push_back(SealedReference{rows.getColumn(0).getString(), rows.getColumn(1).getString(),
                                        std::vector<std::uint8_t>(bytes, bytes + sealed.getBytes()), single});
      }
    };
    read(*query, false);
    // Card sessions: not settled yet (a card session counts as one with a hold:
    // sessions_holds_unsettled), or with an operation that may still be sent or followed up
    // (the follow-ups open the PaymentIntent, a charge the customer and saved card). And every
    // card attempt not final yet (armed, tapped, held, abandoning): the card-entry runner
    // resumes it after a restart, and opens its customer and PaymentIntent to void its hold.
    auto cards = db_.statement(
        "WITH live (session_id) AS (SELECT h.session_id FROM sessions h INDEXED BY sessions_holds_unsettled"
        " WHERE h.settled = 0 AND h.hold_requested = 1"
        " UNION SELECT p.session_id FROM payment_ops p WHERE p.state IN ('pending', 'in_flight')"
        " OR (p.state IN ('declined', 'dead') AND p.alert = 1 AND p.replaced_by IS NULL))"
        " , needed AS (SELECT * FROM card_attempts WHERE state = 'admitted' AND session_id IN live"
        " UNION ALL SELECT * FROM card_attempts INDEXED BY card_attempts_unfinished_by_lane"
        " WHERE state IN ('armed', 'tapped', 'held', 'abandoning'))"
        " SELECT session_id, customer_key_id, customer_sealed, armed_at_ms, 1 FROM needed"
        " WHERE customer_sealed IS NOT NULL"
        " UNION ALL SELECT session_id, intent_key_id, intent_sealed, armed_at_ms, 2 FROM needed"
        " WHERE intent_sealed IS NOT NULL"
        " UNION ALL SELECT session_id, card_key_id, card_sealed, armed_at_ms, 3 FROM needed WHERE card_sealed IS NOT NULL"
        " ORDER BY 4, 1, 5");
    read(*cards, true);
    return found;
  });
}

Result<bool> SessionStore::close_refused_open(std::int64_t message_id, const std::string& session_id,
                                             const std::string& cancel_target, std::int64_t now_ms) {
  return guarded("record the refusal of session " + session_id, [&]() -> Result<bool> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto drop = db_.statement("DELETE FROM outbox WHERE id = ?1");
    drop->bind(1, message_id);
    drop->exec();
    bool refused = false;
    if (transition(db_, kRefused, session_id, now_ms)) {
      refused = true;
    } else {
      auto cancel = db_.statement(
          "DELETE FROM outbox WHERE kind = 'cancel' AND target = ?1"
          " AND EXISTS (SELECT 1 FROM sessions WHERE session_id = ?2 AND state IN ('denied', 'cancelled'))");
      SQLite::bind(*cancel, cancel_target, session_id);
      cancel->exec();
    }
    transaction.commit();
    return refused;
  });
}

Result<std::int64_t> SessionStore::refused_since(std::int64_t since_ms) {
  return guarded("count sessions refused by the tracking engine", [&]() -> Result<std::int64_t> {
    auto query = db_.statement("SELECT COUNT(*) FROM sessions WHERE refused_at_ms > 0 AND refused_at_ms >= ?1");
    query->bind(1, since_ms);
    query->executeStep();
    return query->getColumn(0).getInt64();
  });
}

Status SessionStore::mark_cancelled(const std::string& session_id, const OutboxMessage& cancel, std::int64_t now_ms) {
  return guarded(transition_context(kToCancelled, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    if (Status moved = cancel_within(db_, session_id, cancel, now_ms); !moved) return moved;
    transaction.commit();
    return {};
  });
}

Status SessionStore::cancel_within(Database& db, const std::string& session_id, const OutboxMessage& cancel,
                                   std::int64_t now_ms) {
  if (Status moved = transition(db, kToCancelled, session_id); !moved) return moved;
  Outbox::insert(db.sql(), cancel, now_ms);
  PaymentQueue::finish_unsent_preauth(db, session_id, std::string(kHoldNotSentCancelled), now_ms);
  return {};
}

Status SessionStore::abandon_opening(const std::string& session_id, const OutboxMessage& open_request,
                                     const OutboxMessage& cancel, std::int64_t now_ms) {
  return guarded(transition_context(kAbandoned, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    if (Status moved = transition(db_, kAbandoned, session_id); !moved) return moved;
    queue_open_request(db_, open_request, now_ms);
    Outbox::insert(db_.sql(), cancel, now_ms);
    PaymentQueue::finish_unsent_preauth(db_, session_id, std::string(kHoldNotSentAbandoned), now_ms);
    transaction.commit();
    return {};
  });
}

Result<std::optional<std::string>> SessionStore::open_session_of(const std::string& shopper,
                                                                 const std::string& except_session,
                                                                 const std::vector<std::string>& denied) {
  return guarded("look up the open sessions of shopper " + shopper, [&]() -> Result<std::optional<std::string>> {
    // `denied` as a JSON array (one cached statement whatever its length; usually empty).
    auto query = db_.statement(
        "SELECT s.session_id FROM sessions s"
        " WHERE s.shopper = ?1 AND s.state IN ('opening', 'open', 'open_offline') AND s.session_id <> ?2"
        " AND s.rowid < COALESCE((SELECT rowid FROM sessions WHERE session_id = ?2), 9223372036854775807)"
        " AND s.ended = 0 AND s.session_id NOT IN (SELECT value FROM json_each(?3))"
        " ORDER BY s.created_at_ms DESC, s.rowid DESC LIMIT 1");
    SQLite::bind(*query, shopper, except_session, nlohmann::json(denied).dump());
    if (!query->executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(query->getColumn(0).getString());
  });
}

Result<int> SessionStore::offline_admissions_since(std::int64_t since_ms, std::int64_t until_ms, int limit) {
  return guarded("count offline admissions", [&]() -> Result<int> {
    auto query = db_.statement(
        "SELECT COUNT(*) FROM (SELECT 1 FROM sessions INDEXED BY sessions_offline_admitted"
        " WHERE (offline = 1 OR unverified = 1) AND state <> 'denied' AND created_at_ms >= ?1 AND created_at_ms <= ?2 LIMIT ?3)");
    query->bind(1, since_ms);
    query->bind(2, until_ms);
    query->bind(3, limit);
    query->executeStep();
    return query->getColumn(0).getInt();
  });
}

Result<std::optional<SessionRecord>> SessionStore::find(const std::string& session_id) {
  return guarded("read session " + session_id, [&]() -> Result<std::optional<SessionRecord>> {
    static const std::string sql = select_sessions("WHERE session_id = ?1");
    auto query = db_.statement(sql);
    query->bind(1, session_id);
    if (!query->executeStep()) return std::optional<SessionRecord>();
    return std::optional<SessionRecord>(read_session(*query));
  });
}

Result<std::vector<SessionRecord>> SessionStore::in_state(SessionState s) {
  return guarded("read " + std::string(to_string(s)) + " sessions", [&]() -> Result<std::vector<SessionRecord>> {
    static const std::string sql = select_sessions("WHERE state = ?1 ORDER BY created_at_ms, rowid");
    auto query = db_.statement(sql);
    query->bind(1, std::string(to_string(s)));
    return read_sessions(*query);
  });
}

Result<std::vector<SessionRecord>> SessionStore::all() {
  return guarded("read all sessions", [&]() -> Result<std::vector<SessionRecord>> {
    static const std::string sql = select_sessions("ORDER BY created_at_ms, rowid");
    auto query = db_.statement(sql);
    return read_sessions(*query);
  });
}

Result<TokenPurgeOutcome> SessionStore::purge_used_tokens(std::int64_t by_s) {
  return guarded("purge used entry tokens", [&]() -> Result<TokenPurgeOutcome> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    const std::int64_t mark = require_purge_mark(db_);
    if (by_s < mark) return TokenPurgeOutcome{.skipped = true, .forgotten = 0, .mark_s = mark};
    auto raise = db_.statement(
        "INSERT INTO gate_status (name, value, updated_at_ms) VALUES (?1, ?2, ?3) ON CONFLICT (name)"
        " DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms");
    SQLite::bind(*raise, kPurgeMark, std::to_string(by_s), by_s * 1000);
    raise->exec();
    auto purge = db_.statement("DELETE FROM used_tokens WHERE expires_at < ?1");
    purge->bind(1, by_s - kUsedTokenRetentionS);
    const int forgotten = purge->exec();
    transaction.commit();
    return TokenPurgeOutcome{.skipped = false, .forgotten = forgotten, .mark_s = by_s};
  });
}

Result<std::int64_t> SessionStore::token_purge_mark() {
  return guarded("read the used token purge mark", [&]() -> Result<std::int64_t> { return require_purge_mark(db_); });
}

Result<std::int64_t> SessionStore::latest_session_ms() {
  return guarded("read the newest session's time", [&]() -> Result<std::int64_t> {
    auto query = db_.statement("SELECT COALESCE(MAX(created_at_ms), 0) FROM sessions");
    query->executeStep();
    return query->getColumn(0).getInt64();
  });
}

}  // namespace passgate::db
