// SessionView: the shopper sessions an operator looks at (`passgatectl sessions` and the
// counts in `passgatectl status`, answered by passgated over its control socket). A session
// is *open* while the shopper is admitted (opening, open, open_offline) and it has not ended
// (no final cart and no settlement recorded yet). Each row holds what an operator needs and
// nothing else: never the token id, the shopper or a payment reference.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/session_store.hpp"

namespace passgate::db {

struct SessionRow {
  std::string session_id;
  int lane = 0;
  SessionState state = SessionState::opening;
  bool ended = false;  // a final cart or a settlement is recorded
  int group_size = 1;
  bool offline = false;
  std::string admitted_at;  // RFC 3339 ms
  std::int64_t created_at_ms = 0;
  bool refused = false;  // admitted offline, then refused by the tracking engine
};

struct SessionCounts {
  std::int64_t total = 0;
  std::int64_t open = 0;          // admitted and not ended
  std::int64_t open_offline = 0;  // ... of which admitted under the offline policy
  std::map<SessionState, std::int64_t> by_state;  // stored state, every one (0 too)
};

struct SessionView {
  std::vector<SessionRow> rows;  // the newest `limit` that match, newest first
  std::int64_t matching = 0;     // how many match (rows may hold fewer)
};

[[nodiscard]] Result<SessionCounts> count_sessions(Database& db);
// The open sessions, or with `all` every session; `limit` 0: every one that matches.
[[nodiscard]] Result<SessionView> read_session_view(Database& db, bool all, int limit);

}  // namespace passgate::db
