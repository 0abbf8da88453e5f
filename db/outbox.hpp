// Outbox: messages for the tracking engine (session opens, passages, cancels), kept durably
// until the engine acknowledges them. A session's open request is queued when the session
// begins (db/session_store.hpp) but held back while the session is `opening`: the admission
// sends it itself then, and what it decides says whether the outbox delivers it. Order is kept where the
// contract needs it: within a session (its open request before its passages and its
// cancel); messages of different sessions do not wait for each other. A message the engine
// keeps refusing becomes a dead letter: it stays, is no longer sent, and holds back only
// its own session's later messages, until an operator sends it again or drops it (each
// audited).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/audit_log.hpp"
#include "db/database.hpp"

namespace SQLite { class Database; }

namespace passgate::db {

struct OutboxMessage {
  std::string kind;        // "session_open", "passage", "cancel"
  std::string target;      // HTTP path, e.g. "/v1/passages"
  std::string body;        // JSON body, sent byte for byte on every attempt
  std::string session_id;  // the session it belongs to; empty: none (a passage of nobody known)
};

struct OutboxItem {
  std::int64_t id = 0;
  OutboxMessage message;
  int attempts = 0;
  int rejections = 0;  // answers outside the contract (not counting an unreachable engine)
  std::int64_t created_at_ms = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::string last_error;
  std::int64_t dead_at_ms = 0;  // 0: not a dead letter
};

struct OutboxSummary {
  std::int64_t waiting = 0;       // messages still to deliver, dead letters not counted
  std::int64_t dead_letters = 0;
  // The oldest message that may be sent (Outbox::sendable): not a dead letter, nor held back
  // by one.
  std::optional<OutboxItem> oldest;
};

class Outbox {
 public:
  explicit Outbox(Database& db) : db_(db) {}

  // Appends a message, due at once; returns its id (ids only grow, never reused).
  [[nodiscard]] Result<std::int64_t> enqueue(const OutboxMessage& m, std::int64_t now_ms);
  // The oldest message that is not a dead letter, if any.
  [[nodiscard]] Result<std::optional<OutboxItem>> front();
  // The messages that may be sent, oldest first, with ids above `after_id`, at most `limit`:
  // each is the oldest message of its session still in the outbox (dead letters included),
  // not a dead letter itself, and not of a session still `opening`. Messages of no session
  // always qualify.
  [[nodiscard]] Result<std::vector<OutboxItem>> sendable(std::int64_t after_id, int limit);
  // The engine acknowledged it. Error "not_found" if no message has this id.
  [[nodiscard]] Status remove(std::int64_t id);
  // An attempt failed; the next one is due at next_attempt_at_ms. `rejected`: the engine
  // answered outside the contract (counts towards rejections). Error "not_found" if no message
  // has this id.
  [[nodiscard]] Status record_failure(std::int64_t id, std::int64_t next_attempt_at_ms, const std::string& error,
                                      bool rejected = false);
  // The engine keeps refusing it: a dead letter from now, with `reason`. Error "not_found".
  [[nodiscard]] Status make_dead_letter(std::int64_t id, std::int64_t now_ms, const std::string& reason);
  // The dead letters, oldest first, at most `limit`.
  [[nodiscard]] Result<std::vector<OutboxItem>> dead_letters(int limit);
  // Operator: a dead letter is sent again, due at once, its rejections counted from 0. Returns
  // it as it was. Errors: "not_found", "wrong_state" (not a dead letter).
  [[nodiscard]] Result<OutboxItem> retry_dead_letter(std::int64_t id, const AuditActor& actor, std::int64_t now_ms);
  // Operator: a dead letter is deleted, never sent; its session's later messages go on.
  // Returns it as it was. Errors: "not_found", "wrong_state", "bad_reason" (empty reason).
  [[nodiscard]] Result<OutboxItem> drop_dead_letter(std::int64_t id, const std::string& reason,
                                                    const AuditActor& actor, std::int64_t now_ms);
  [[nodiscard]] Result<std::int64_t> size();
  [[nodiscard]] Result<OutboxSummary> summary();
  // summary() without `oldest`.
  [[nodiscard]] Result<OutboxSummary> counts();

  // For SessionStore: inserts within the caller's open transaction. Throws SQLite::Exception
  // (it has no Result), so call it only inside guarded() (db/sqlite_error.hpp).
  static void insert(SQLite::Database& sql, const OutboxMessage& m, std::int64_t now_ms);

 private:
  // The dead letter `id` within the caller's transaction, or why an operator cannot act on it.
  [[nodiscard]] Result<OutboxItem> dead_letter_for_operator(std::int64_t id);

  Database& db_;
};

}  // namespace passgate::db
