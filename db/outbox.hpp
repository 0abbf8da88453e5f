// Outbox: messages for the tracking engine (session opens made offline, passages,
// cancels), kept durably and delivered in order, one at a time, with retry. A message
// leaves the outbox only when the engine has acknowledged it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "db/database.hpp"

namespace SQLite { class Database; }

namespace passgate::db {

struct OutboxMessage {
  std::string kind;     // "session_open", "passage", "cancel"
  std::string target;   // HTTP path, e.g. "/v1/passages"
  std::string body;     // JSON body, sent byte for byte on every attempt
};

struct OutboxItem {
  std::int64_t id = 0;
  OutboxMessage message;
  int attempts = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::string last_error;
};

class Outbox {
 public:
  explicit Outbox(Database& db) : db_(db) {}

  // Appends a message, due at once; returns its id (ids only grow, never reused).
  [[nodiscard]] Result<std::int64_t> enqueue(const OutboxMessage& m, std::int64_t now_ms);
  // The oldest message (lowest id), if any.
  [[nodiscard]] Result<std::optional<OutboxItem>> front();
  // The engine acknowledged it. Error "not_found" if no message has this id.
  [[nodiscard]] Status remove(std::int64_t id);
  // An attempt failed; the next one is due at next_attempt_at_ms. Error "not_found" if no
  // message has this id.
  [[nodiscard]] Status record_failure(std::int64_t id, std::int64_t next_attempt_at_ms, const std::string& error);
  [[nodiscard]] Result<std::int64_t> size();

  // For SessionStore: inserts within the caller's open transaction. Throws SQLite::Exception
  // (it has no Result), so call it only inside guarded() (db/sqlite_error.hpp).
  static void insert(SQLite::Database& sql, const OutboxMessage& m, std::int64_t now_ms);

 private:
  Database& db_;
};

}  // namespace passgate::db
