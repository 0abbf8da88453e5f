// SessionStore: shopper sessions and the used entry-token ids (jti), durably.
// A session row and its token id are written in one transaction before the barrier is
// released, so neither a crash nor a restart reopens a replay window. State changes that
// also send a message to the tracking engine write the outbox row in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"

namespace passgate::db {

enum class SessionState {
  opening,      // committed, waiting for the tracking engine
  open,         // confirmed by the tracking engine
  open_offline, // admitted under the offline policy; the open request is in the outbox
  denied,       // the engine refused (shopper_blocked, conflict) or policy denied
  cancelled,    // grant expired or cancelled before anyone passed
};

[[nodiscard]] std::string_view to_string(SessionState s);

struct SessionRecord {
  std::string session_id;
  std::string token_id;            // jti
  std::int64_t token_expires_at = 0;  // Unix s; the jti is kept at least until exp + skew
  int lane = 0;
  std::string shopper;             // sub
  int group_size = 1;
  std::string admitted_at;         // RFC 3339 ms
  std::int64_t created_at_ms = 0;  // Unix ms
  bool offline = false;
  SessionState state = SessionState::opening;
  std::string open_request;        // the exact JSON body of POST /v1/sessions (for retries)
};

class SessionStore {
 public:
  explicit SessionStore(Database& db) : db_(db) {}

  // True if this jti was already accepted (and not released).
  [[nodiscard]] Result<bool> token_used(const std::string& token_id);
  // Inserts the session (state opening) and marks its jti used, in one transaction.
  // Error code "replayed" if the jti is already used.
  [[nodiscard]] Status begin(const SessionRecord& s);
  // opening -> open.
  [[nodiscard]] Status mark_open(const std::string& session_id);
  // opening -> open_offline, and the session's open request into the outbox, atomically.
  [[nodiscard]] Status mark_open_offline(const std::string& session_id, const OutboxMessage& open_request,
                                         std::int64_t now_ms);
  // opening -> denied. With release_token the jti is freed again (nobody was admitted and
  // the shopper may retry the same code, e.g. when the engine was unreachable).
  [[nodiscard]] Status mark_denied(const std::string& session_id, const std::string& reason, bool release_token);
  // open|open_offline -> cancelled, with the cancel message into the outbox, atomically.
  [[nodiscard]] Status mark_cancelled(const std::string& session_id, const OutboxMessage& cancel, std::int64_t now_ms);
  // Sessions admitted offline with created_at_ms >= since_ms.
  [[nodiscard]] Result<int> offline_admissions_since(std::int64_t since_ms);
  [[nodiscard]] Result<std::optional<SessionRecord>> find(const std::string& session_id);
  [[nodiscard]] Result<std::vector<SessionRecord>> in_state(SessionState s);
  [[nodiscard]] Result<std::vector<SessionRecord>> all();
  // Forgets jtis whose token expired before `before_s` (sessions are kept).
  [[nodiscard]] Result<int> purge_used_tokens(std::int64_t before_s);

 private:
  Database& db_;
};

}  // namespace passgate::db
