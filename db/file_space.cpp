#include "db/file_space.hpp"

#include <algorithm>
#include <chrono>
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

}  // namespace

void use_incremental_vacuum(SQLite::Database& sql, const std::filesystem::path& file, std::int64_t max_bytes) {
  // Read first: setting it writes the file's header, which would wait for another
  // connection's write (passgated's, when a tool opens the database while it runs).
  if (pragma(sql, "auto_vacuum") == kIncremental) return;
  // Takes effect at once on a file with no table yet (a new one), at the next VACUUM otherwise.
  sql.exec("PRAGMA auto_vacuum = INCREMENTAL");
  const FilePages before = read_pages(sql);
  if (before.incremental) return;
  const std::int64_t data_bytes = (before.pages - before.free_pages) * before.page_size;
  if (data_bytes > max_bytes) {
    spdlog::warn("event=database_vacuum_deferred path={} data_bytes={} file_bytes={} detail={}",
                 log_value(file.string()), data_bytes, before.bytes(),
                 log_value("the database was made before incremental auto-vacuum and is too large to switch at "
                           "start (at most " + std::to_string(max_bytes) +
                           " bytes of data): it stops growing but does not shrink; it is switched at a later start "
                           "once retention has made it small enough, or by hand (docs/operations.md)"));
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  try {
    sql.exec("VACUUM");
  } catch (const SQLite::Exception& e) {
    const Error error = counted_failure(sqlite_error("switch to incremental auto-vacuum", e.getErrorCode(), e.what()));
    spdlog::error("event=database_vacuum_failed path={} code={} detail={}", log_value(file.string()), error.code,
                  log_value(error.message + "; the database stays as it was and the next start tries again"));
    return;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
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
