#include "db/migrations.hpp"

#include <array>

namespace passgate::db {

namespace {

// 1: sessions, the used entry-token ids (jti) and the tracking-engine outbox.
constexpr std::string_view kSessionsAndOutbox = R"sql(
CREATE TABLE sessions (
  session_id       TEXT PRIMARY KEY NOT NULL,
  token_id         TEXT NOT NULL,
  token_expires_at INTEGER NOT NULL,
  lane             INTEGER NOT NULL,
  shopper          TEXT NOT NULL,
  group_size       INTEGER NOT NULL CHECK (group_size >= 1),
  admitted_at      TEXT NOT NULL,
  created_at_ms    INTEGER NOT NULL,
  offline          INTEGER NOT NULL CHECK (offline IN (0, 1)),
  state            TEXT NOT NULL
                   CHECK (state IN ('opening', 'open', 'open_offline', 'denied', 'cancelled')),
  denial_reason    TEXT NOT NULL DEFAULT '',
  open_request     TEXT NOT NULL
);
CREATE INDEX sessions_by_state ON sessions (state);
CREATE INDEX sessions_by_created_at ON sessions (created_at_ms);

CREATE TABLE used_tokens (
  token_id   TEXT PRIMARY KEY NOT NULL,
  expires_at INTEGER NOT NULL,
  session_id TEXT NOT NULL REFERENCES sessions (session_id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX used_tokens_by_expiry ON used_tokens (expires_at);

CREATE TABLE outbox (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  kind               TEXT NOT NULL,
  target             TEXT NOT NULL,
  body               TEXT NOT NULL,
  created_at_ms      INTEGER NOT NULL,
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error         TEXT NOT NULL DEFAULT ''
);
)sql";

constexpr std::array<std::string_view, 1> kMigrations = {kSessionsAndOutbox};

}  // namespace

std::span<const std::string_view> schema_migrations() { return kMigrations; }

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

}  // namespace passgate::db
