#include "db/outbox.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

constexpr const char* kInsert =
    "INSERT INTO outbox (kind, target, body, session_id, created_at_ms, next_attempt_at_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?5)";

constexpr std::string_view kSelectOutbox =
    "SELECT id, kind, target, body, session_id, attempts, rejections, created_at_ms, next_attempt_at_ms, last_error,"
    " dead_at_ms FROM outbox o ";

OutboxItem outbox_item_of(SQLite::Statement& row) {
  const auto session = row.getColumn(4);
  return OutboxItem{
      .id = row.getColumn(0).getInt64(),
      .message = {.kind = row.getColumn(1).getString(),
                  .target = row.getColumn(2).getString(),
                  .body = row.getColumn(3).getString(),
                  .session_id = session.isNull() ? std::string() : session.getString()},
      .attempts = row.getColumn(5).getInt(),
      .rejections = row.getColumn(6).getInt(),
      .created_at_ms = row.getColumn(7).getInt64(),
      .next_attempt_at_ms = row.getColumn(8).getInt64(),
      .last_error = row.getColumn(9).getString(),
      .dead_at_ms = row.getColumn(10).getInt64(),
  };
}

std::vector<OutboxItem> outbox_items_of(SQLite::Statement& query) {
  std::vector<OutboxItem> found;
  while (query.executeStep()) found.push_back(outbox_item_of(query));
  return found;
}

Status require_message(int changed_rows, std::int64_t id) {
  if (changed_rows > 0) return {};
  return make_error("not_found", "outbox message " + std::to_string(id) + " not found");
}

std::string describe_message(const OutboxItem& item) {
  return "outbox message " + std::to_string(item.id) + " (" + item.message.kind +
         (item.message.session_id.empty() ? std::string() : " of session " + item.message.session_id) + ")";
}

}  // namespace

void Outbox::insert(SQLite::Database& sql, const OutboxMessage& m, std::int64_t now_ms) {
  SQLite::Statement statement(sql, kInsert);
  statement.bind(1, m.kind);
  statement.bind(2, m.target);
  statement.bind(3, m.body);
  if (m.session_id.empty()) {
    statement.bind(4);  // NULL: no session, so no order to keep with other messages
  } else {
    statement.bind(4, m.session_id);
  }
  statement.bind(5, now_ms);
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
    static const std::string sql = std::string(kSelectOutbox).append("WHERE dead_at_ms = 0 ORDER BY id LIMIT 1");
    auto statement = db_.statement(sql);
    if (!statement->executeStep()) return std::optional<OutboxItem>();
    return std::optional<OutboxItem>(outbox_item_of(*statement));
  });
}

Result<std::vector<OutboxItem>> Outbox::sendable(std::int64_t after_id, int limit) {
  return guarded("read the outbox messages to send", [&]() -> Result<std::vector<OutboxItem>> {
    // (A NULL session_id equals nothing, so a message of no session has nothing before it.)
    // The open request of a session still `opening` is the admission's to send (and with it
    // the session's later messages wait).
    static const std::string sql = std::string(kSelectOutbox).append(
        "WHERE o.id > ?1 AND o.dead_at_ms = 0"
        " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.session_id = o.session_id AND p.id < o.id)"
        " AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = o.session_id AND s.state = 'opening')"
        " ORDER BY o.id LIMIT ?2");
    auto statement = db_.statement(sql);
    SQLite::bind(*statement, after_id, limit);
    return outbox_items_of(*statement);
  });
}

Status Outbox::remove(std::int64_t id) {
  return guarded("remove outbox message " + std::to_string(id), [&]() -> Status {
    auto statement = db_.statement("DELETE FROM outbox WHERE id = ?1");
    statement->bind(1, id);
    return require_message(statement->exec(), id);
  });
}

Status Outbox::record_failure(std::int64_t id, std::int64_t next_attempt_at_ms, const std::string& error,
                              bool rejected) {
  return guarded("record a failed delivery of outbox message " + std::to_string(id), [&]() -> Status {
    auto statement = db_.statement(
        "UPDATE outbox SET attempts = attempts + 1, rejections = rejections + ?4, next_attempt_at_ms = ?2,"
        " last_error = ?3 WHERE id = ?1");
    SQLite::bind(*statement, id, next_attempt_at_ms, error, rejected ? 1 : 0);
    return require_message(statement->exec(), id);
  });
}

Status Outbox::make_dead_letter(std::int64_t id, std::int64_t now_ms, const std::string& reason) {
  return guarded("make outbox message " + std::to_string(id) + " a dead letter", [&]() -> Status {
    auto statement = db_.statement(
        "UPDATE outbox SET attempts = attempts + 1, rejections = rejections + 1, dead_at_ms = max(?2, 1),"
        " last_error = ?3 WHERE id = ?1");
    SQLite::bind(*statement, id, now_ms, reason);
    return require_message(statement->exec(), id);
  });
}

Result<std::vector<OutboxItem>> Outbox::dead_letters(int limit) {
  return guarded("read the outbox's dead letters", [&]() -> Result<std::vector<OutboxItem>> {
    static const std::string sql = std::string(kSelectOutbox).append("WHERE dead_at_ms > 0 ORDER BY id LIMIT ?1");
    auto statement = db_.statement(sql);
    statement->bind(1, limit);
    return outbox_items_of(*statement);
  });
}

Result<OutboxItem> Outbox::dead_letter_for_operator(std::int64_t id) {
  static const std::string sql = std::string(kSelectOutbox).append("WHERE id = ?1");
  auto query = db_.statement(sql);
  query->bind(1, id);
  if (!query->executeStep()) {
    return make_error("not_found", "no outbox message " + std::to_string(id) +
                                       " in this gate (delivered already? passgatectl outbox lists the dead letters)");
  }
  OutboxItem item = outbox_item_of(*query);
  if (item.dead_at_ms == 0) {
    return make_error("wrong_state", describe_message(item) + " is not a dead letter: the gate is still sending it");
  }
  return item;
}

Result<OutboxItem> Outbox::retry_dead_letter(std::int64_t id, const AuditActor& actor, std::int64_t now_ms) {
  return guarded("send outbox message " + std::to_string(id) + " again", [&]() -> Result<OutboxItem> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto item = dead_letter_for_operator(id);
    if (!item) return item.error();
    auto update = db_.statement(
        "UPDATE outbox SET dead_at_ms = 0, rejections = 0, next_attempt_at_ms = ?2 WHERE id = ?1 AND dead_at_ms > 0");
    SQLite::bind(*update, id, now_ms);
    if (update->exec() != 1) return make_error("wrong_state", describe_message(*item) + " changed under the operator's action");
    audit(db_, now_ms, actor, "outbox_retry", AuditSubject::outbox_message(id),
          describe_message(*item) + ": sent again (it was rejected " + std::to_string(item->rejections) +
              " times: " + item->last_error + ")");
    transaction.commit();
    return item;
  });
}

Result<OutboxItem> Outbox::drop_dead_letter(std::int64_t id, const std::string& reason, const AuditActor& actor,
                                            std::int64_t now_ms) {
  return guarded("drop outbox message " + std::to_string(id), [&]() -> Result<OutboxItem> {
    if (reason.empty()) {
      return make_error("bad_reason", "say why outbox message " + std::to_string(id) +
                                          " is dropped (--reason): it goes to the audit log");
    }
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto item = dead_letter_for_operator(id);
    if (!item) return item.error();
    auto remove = db_.statement("DELETE FROM outbox WHERE id = ?1 AND dead_at_ms > 0");
    remove->bind(1, id);
    if (remove->exec() != 1) return make_error("wrong_state", describe_message(*item) + " changed under the operator's action");
    audit(db_, now_ms, actor, "outbox_drop", AuditSubject::outbox_message(id),
          describe_message(*item) + " dropped, never delivered (rejected: " + item->last_error + "): " + reason);
    transaction.commit();
    return item;
  });
}

Result<std::int64_t> Outbox::size() {
  auto summary = counts();
  if (!summary) return summary.error();
  return summary->waiting;
}

Result<OutboxSummary> Outbox::counts() {
  return guarded("count outbox messages", [&]() -> Result<OutboxSummary> {
    // Both counts from indexes (outbox_dead_letters is partial), never the rows' bodies.
    auto all = db_.statement("SELECT COUNT(*) FROM outbox");
    all->executeStep();
    auto dead = db_.statement("SELECT COUNT(*) FROM outbox WHERE dead_at_ms > 0");
    dead->executeStep();
    const std::int64_t dead_letters = dead->getColumn(0).getInt64();
    return OutboxSummary{
        .waiting = all->getColumn(0).getInt64() - dead_letters, .dead_letters = dead_letters, .oldest = std::nullopt};
  });
}

Result<OutboxSummary> Outbox::summary() {
  auto summary = counts();
  if (!summary) return summary.error();
  auto oldest = sendable(0, 1);
  if (!oldest) return oldest.error();
  if (!oldest->empty()) summary->oldest = std::move(oldest->front());
  return summary;
}

}  // namespace passgate::db
