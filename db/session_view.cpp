#include "db/session_view.hpp"

#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// A session still inside: admitted and not ended (no cart, quarantined cart or settlement),
// found through the partial index that holds only those (migration 10).
constexpr std::string_view kOpenSessions =
    " INDEXED BY sessions_live WHERE s.ended = 0 AND s.state IN ('opening', 'open', 'open_offline')";

SessionState session_state_of(const SQLite::Column& column) {
  const std::string name = column.getString();
  const auto state = session_state_from_string(name);
  if (!state) throw std::runtime_error("a session has the unknown state '" + name + "'");
  return *state;
}

}  // namespace

Result<SessionCounts> count_sessions(Database& db) {
  return guarded("count sessions", [&]() -> Result<SessionCounts> {
    SessionCounts counts;
    for (const auto s : {SessionState::opening, SessionState::open, SessionState::open_offline, SessionState::denied,
                         SessionState::cancelled})
      counts.by_state[s] = 0;
    // Kept by triggers (migration 13): no walk over the sessions kept.
    auto by_state = db.statement("SELECT substr(name, 10), n FROM row_counts WHERE name LIKE 'sessions.%' AND n <> 0");
    while (by_state->executeStep()) {
      const std::int64_t n = by_state->getColumn(1).getInt64();
      counts.by_state[session_state_of(by_state->getColumn(0))] = n;
      counts.total += n;
    }
    auto open = db.statement("SELECT COUNT(*), COALESCE(SUM(s.offline), 0) FROM sessions s" + std::string(kOpenSessions));
    open->executeStep();
    counts.open = open->getColumn(0).getInt64();
    counts.open_offline = open->getColumn(1).getInt64();
    return counts;
  });
}

Result<SessionView> read_session_view(Database& db, bool all, int limit) {
  return guarded("list sessions", [&]() -> Result<SessionView> {
    const std::string where = all ? "" : std::string(kOpenSessions);
    SessionView view;
    auto matching = db.statement("SELECT COUNT(*) FROM sessions s" + where);
    matching->executeStep();
    view.matching = matching->getColumn(0).getInt64();
    auto rows = db.statement("SELECT s.session_id, s.lane, s.state, s.ended, s.group_size, s.offline, s.admitted_at, s.created_at_ms, s.refused_at_ms > 0"
                             " FROM sessions s" + where +
                             " ORDER BY s.created_at_ms DESC, s.rowid DESC LIMIT ?1");
    rows->bind(1, limit > 0 ? std::int64_t{limit} : std::int64_t{-1});
    while (rows->executeStep()) {
      view.rows.push_back(SessionRow{rows->getColumn(0).getString(), rows->getColumn(1).getInt(),
                                     session_state_of(rows->getColumn(2)), rows->getColumn(3).getInt() != 0,
                                     rows->getColumn(4).getInt(), rows->getColumn(5).getInt() != 0,
                                     rows->getColumn(6).getString(), rows->getColumn(7).getInt64(),
                                     rows->getColumn(8).getInt() != 0});
    }
    return view;
  });
}

}  // namespace passgate::db
