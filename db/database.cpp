#include "db/database.hpp"

#include <string>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/file_space.hpp"
#include "db/migrations.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// Opens (or creates) the file and sets the connection up. A new file is made owner-only
// before anything is written to it; SQLite gives its -wal and -shm files the same mode.
std::unique_ptr<SQLite::Database> connect(const std::filesystem::path& file) {
  const bool created = !std::filesystem::exists(file);
  auto sql = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                Database::kBusyTimeoutMs);
  if (created) {
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  sql->exec("PRAGMA foreign_keys = ON");
  sql->exec("PRAGMA synchronous = FULL");
  // The page cache is SQLite's largest use of memory: bounded at 2 MiB (negative: KiB), so
  // the daemon's resident memory does not grow with the database. The hot pages (the newest
  // sessions, the queue's indexes) fit; older pages are read from the OS's file cache.
  sql->exec("PRAGMA cache_size = -2048");
  // A checkpoint leaves the WAL file at its largest size so far (the VACUUM below, a long
  // outage's queue drained at once) unless cut back: at most 8 MiB stays after each one.
  sql->exec("PRAGMA journal_size_limit = 8388608");
  // Before the first table of a new file (db/file_space.hpp): freed pages can be handed back.
  use_incremental_vacuum(*sql, file);
  const std::string mode = sql->execAndGet("PRAGMA journal_mode = WAL").getString();
  if (mode != "wal") throw SQLite::Exception("cannot switch to WAL mode (journal mode stays " + mode + ")");
  return sql;
}

int user_version(SQLite::Database& sql) { return sql.execAndGet("PRAGMA user_version").getInt(); }

// Brings the schema to `version` in one transaction, unless another connection already did.
void apply_migration(SQLite::Database& sql, int version) {
  SQLite::Transaction transaction(sql, SQLite::TransactionBehavior::IMMEDIATE);
  if (user_version(sql) >= version) return;
  sql.exec(std::string(schema_migrations()[static_cast<std::size_t>(version - 1)]));
  sql.exec("PRAGMA user_version = " + std::to_string(version));
  transaction.commit();
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& file) {
  const std::string context = "open database " + file.string();
  auto sql = guarded(context, [&]() -> Result<std::unique_ptr<SQLite::Database>> { return connect(file); });
  if (!sql) return sql.error();

  const auto found = guarded(context, [&]() -> Result<int> { return user_version(**sql); });
  if (!found) return found.error();
  const int latest = latest_schema_version();
  if (*found > latest) {
    return make_error("schema_too_new", context + ": database schema version " + std::to_string(*found) +
                                            " is newer than this passgated supports (" + std::to_string(latest) +
                                            "); downgrade is not supported");
  }
  for (int version = *found + 1; version <= latest; ++version) {
    const Status applied = guarded(context + ": apply schema migration " + std::to_string(version), [&]() -> Status {
      apply_migration(**sql, version);
      return {};
    });
    if (!applied) return applied.error();
  }
  return std::unique_ptr<Database>(new Database(std::move(sql).value(), latest));
}

Database::Database(std::unique_ptr<SQLite::Database> db, int schema_version)
    : db_(std::move(db)), statements_(std::make_unique<StatementCache>(*db_)), schema_version_(schema_version) {}

Database::~Database() = default;

CachedStatement Database::statement(std::string_view sql) { return statements_->get(sql); }

CachedStatement StatementCache::get(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::string text(sql);
    SQLite::Statement prepared(sql_, text);
    it = statements_.emplace(std::move(text), std::move(prepared)).first;
  } else {
    it->second.clearBindings();
  }
  return CachedStatement(it->second);
}

}  // namespace passgate::db
