#include "db/outbox.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

constexpr const char* kInsert =
    "INSERT INTO outbox (kind, target, body, created_at_ms, next_attempt_at_ms) VALUES (?1, ?2, ?3, ?4, ?4)";

Status require_message(int changed_rows, std::int64_t id) {
  if (changed_rows > 0) return {};
  return make_error("not_found", "outbox message " + std::to_string(id) + " not found");
}

}  // namespace

void Outbox::insert(SQLite::Database& sql, const OutboxMessage& m, std::int64_t now_ms) {
  SQLite::Statement statement(sql, kInsert);
  statement.bind(1, m.kind);
  statement.bind(2, m.target);
  statement.bind(3, m.body);
  statement.bind(4, now_ms);
  statement.exec();
}

Result<std::int64_t> Outbox::enqueue(const OutboxMessage& m, std::int64_t now_ms) {
  return guarded("enqueue outbox " + m.kind + " message", [&]() -> Result<std::int64_t> {
    insert(db_.sql(), m, now_ms);
    return db_.sql().getLastInsertRowid();
  });
}

Result<std::optional<OutboxItem>> Outbox::front() {
  return guarded("read the oldest outbox message", [&]() -> Result<std::optional<OutboxItem>> {
    auto statement = db_.statement(
        "SELECT id, kind, target, body, attempts, created_at_ms, next_attempt_at_ms, last_error"
        " FROM outbox ORDER BY id LIMIT 1");
    if (!statement->executeStep()) return std::optional<OutboxItem>();
    return std::optional<OutboxItem>(OutboxItem{
        .id = statement->getColumn(0).getInt64(),
        .message = {.kind = statement->getColumn(1).getString(),
                    .target = statement->getColumn(2).getString(),
                    .body = statement->getColumn(3).getString()},
        .attempts = statement->getColumn(4).getInt(),
        .created_at_ms = statement->getColumn(5).getInt64(),
        .next_attempt_at_ms = statement->getColumn(6).getInt64(),
        .last_error = statement->getColumn(7).getString(),
    });
  });
}

Status Outbox::remove(std::int64_t id) {
  return guarded("remove outbox message " + std::to_string(id), [&]() -> Status {
    auto statement = db_.statement("DELETE FROM outbox WHERE id = ?1");
    statement->bind(1, id);
    return require_message(statement->exec(), id);
  });
}

Status Outbox::record_failure(std::int64_t id, std::int64_t next_attempt_at_ms, const std::string& error) {
  return guarded("record a failed delivery of outbox message " + std::to_string(id), [&]() -> Status {
    auto statement = db_.statement(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?2, last_error = ?3 WHERE id = ?1");
    statement->bind(1, id);
    statement->bind(2, next_attempt_at_ms);
    statement->bind(3, error);
    return require_message(statement->exec(), id);
  });
}

Result<std::int64_t> Outbox::size() {
  return guarded("count outbox messages", [&]() -> Result<std::int64_t> {
    auto statement = db_.statement("SELECT COUNT(*) FROM outbox");
    statement->executeStep();
    return statement->getColumn(0).getInt64();
  });
}

}  // namespace passgate::db
