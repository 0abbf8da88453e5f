#include "db/file_space.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "db/sqlite_error.hpp"

namespace passgate::db {

namespace {

constexpr int kIncremental = 2;  // PRAGMA auto_vacuum: 0 none, 1 full, 2 incremental

std::int64_t pragma(SQLite::Database& sql, const char* name) {
  return sql.execAndGet(std::string("PRAGMA ") + name).getInt64();
}

FilePages read_pages(SQLite::Database& sql) {
  return FilePages{.page_size = pragma(sql, "page_size"),
                   .pages = pragma(sql, "page_count"),
                   .free_pages = pragma(sql, "freelist_count"),
                   .incremental = pragma(sql, "auto_vacuum") == kIncremental};
}

// The attempt to switch recorded in gate_status (its value), if any.
std::optional<std::string> attempt_recorded(SQLite::Database& sql) {
  SQLite::Statement query(sql, "SELECT value FROM gate_status WHERE name = ?1");
  query.bind(1, kVacuumAttempt);
  if (!query.executeStep()) return std::nullopt;
  return query.getColumn(0).getString();
}

// Autocommit writes: synced commits (synchronous = FULL) of their own.
void record_attempt(SQLite::Database& sql, std::int64_t data_bytes) {
  SQLite::Statement write(sql,
                          "INSERT INTO gate_status (name, value, updated_at_ms) VALUES (?1, ?2, ?3)"
                          " ON CONFLICT (name) DO UPDATE SET value = excluded.value,"
                          " updated_at_ms = excluded.updated_at_ms");
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  write.bind(1, kVacuumAttempt);
  write.bind(2, std::to_string(data_bytes));
  write.bind(3, static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
  write.exec();
}

// Removes the record, if it can (a failure is not the open's: another connection busy, a full
// disk). One left behind after a switch that finished is removed by a later open; one left
// after a VACUUM that failed makes the later opens skip the switch as interrupted, and say so.
void forget_attempt(SQLite::Database& sql) {
  try {
    SQLite::Statement remove(sql, "DELETE FROM gate_status WHERE name = ?1");
    remove.bind(1, kVacuumAttempt);
    remove.exec();
  } catch (const SQLite::Exception&) {
    // Left recorded (above).
  }
}

}  // namespace

void request_incremental_vacuum(SQLite::Database& sql) {
  // Read first: setting it writes the file's header, which would wait for another
  // connection's write (passgated's, when a tool opens the database while it runs).
  if (pragma(sql, "auto_vacuum") == kIncremental) return;
  // Takes effect at once on a file with no table yet (a new one), at the next VACUUM otherwise.
  sql.exec("PRAGMA auto_vacuum = INCREMENTAL");
}

void use_incremental_vacuum(SQLite::Database& sql, const std::filesystem::path& file, std::int64_t max_bytes) {
  request_incremental_vacuum(sql);
  const FilePages before = read_pages(sql);
  const std::optional<std::string> attempt = attempt_recorded(sql);
  if (before.incremental) {
    // Switched: by this start's VACUUM stopped before it removed its record, or by hand.
    if (attempt) forget_attempt(sql);
    return;
  }
  const std::int64_t data_bytes = (before.pages - before.free_pages) * before.page_size;
  if (attempt) {
    spdlog::warn("event=database_vacuum_skipped reason=interrupted path={} data_bytes={} file_bytes={} detail={}",
                 log_value(file.string()), data_bytes, before.bytes(),
                 log_value("a start was stopped during the one-time VACUUM that switches the database to incremental "
                           "auto-vacuum (of " + *attempt + " bytes of data), so it is not tried again by itself: the "
                           "database works without it (it stops growing but does not shrink); run it by hand with "
                           "the service stopped (docs/operations.md)"));
    return;
  }
  if (data_bytes > max_bytes) {
    spdlog::warn("event=database_vacuum_deferred path={} data_bytes={} file_bytes={} detail={}",
                 log_value(file.string()), data_bytes, before.bytes(),
                 log_value("the database was made before incremental auto-vacuum and is too large to switch at "
                           "start (at most " + std::to_string(max_bytes) +
                           " bytes of data): it stops growing but does not shrink; it is switched at a later start "
                           "once retention has made it small enough, or by hand (docs/operations.md)"));
    return;
  }
  const auto failed = [&](const SQLite::Exception& e, const char* what, const char* then) {
    const Error error = counted_failure(sqlite_error(what, e.getErrorCode(), e.what()));
    spdlog::error("event=database_vacuum_failed path={} code={} detail={}", log_value(file.string()), error.code,
                  log_value(error.message + then));
  };
  try {
    record_attempt(sql, data_bytes);  // a synced commit: durable before the VACUUM starts
  } catch (const SQLite::Exception& e) {
    failed(e, "record the switch to incremental auto-vacuum",
           "; nothing was changed and the next start tries again");
    return;
  }
  spdlog::info("event=database_vacuum_started path={} data_bytes={} file_bytes={}", log_value(file.string()),
               data_bytes, before.bytes());
  const auto started = std::chrono::steady_clock::now();
  try {
    sql.exec("VACUUM");
  } catch (const SQLite::Exception& e) {
    failed(e, "switch to incremental auto-vacuum", "; the database stays as it was and the next start tries again");
    forget_attempt(sql);
    return;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  forget_attempt(sql);
  const FilePages after = read_pages(sql);
  spdlog::info("event=database_vacuumed path={} took_ms={} file_bytes_before={} file_bytes={} incremental={}",
               log_value(file.string()), took.count(), before.bytes(), after.bytes(), after.incremental);
}

Result<FilePages> file_pages(Database& db) {
  return guarded("read the database's page counts", [&]() -> Result<FilePages> { return read_pages(db.sql()); });
}

Result<FilePages> reclaim_free_pages(Database& db, std::int64_t max_pages, std::int64_t keep_free) {
  return guarded("hand free database pages back", [&]() -> Result<FilePages> {
    const FilePages now = read_pages(db.sql());
    const std::int64_t pages = std::min(max_pages, now.free_pages - keep_free);
    if (!now.incremental || pages <= 0) return now;
    db.sql().exec("PRAGMA incremental_vacuum(" + std::to_string(pages) + ")");
    return read_pages(db.sql());
  });
}

}  // namespace passgate::db
