#include "db/database.hpp"

#include <cstdlib>
#include <string>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "db/file_space.hpp"
#include "db/migrations.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// SQLite's process-wide settings, made before its first connection (afterwards SQLite refuses
// them and keeps its defaults, which only costs time). No page cache starts with a bulk block:
// by default each one (also the temporary b-tree a statement opens for every `IN (...)` list
// of a partial index's condition: five for each update of a session's state) begins with 20
// pages, about 88 KiB, that glibc hands back to the system when freed, so every admission
// mapped that memory, faulted it in and unmapped it again, twice.
void configure_sqlite_once() {
  [[maybe_unused]] static const int configured = sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
}

// Opens (or creates) the file and sets the connection up. A new file is made owner-only
// before anything is written to it; SQLite gives its -wal and -shm files the same mode.
std::unique_ptr<SQLite::Database> connect(const std::filesystem::path& file) {
  configure_sqlite_once();
  const bool created = !std::filesystem::exists(file);
  auto sql = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                Database::kBusyTimeoutMs);
  if (created) {
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  sql->exec("PRAGMA foreign_keys = ON");
  sql->exec("PRAGMA synchronous = FULL");
  // The page cache is SQLite's largest use of memory: bounded at 1 MiB (negative: KiB), so
  // the daemon's resident memory does not grow with the database. The hot pages (the newest
  // sessions, the queue's indexes) fit; older pages are read from the OS's file cache.
  sql->exec("PRAGMA cache_size = -1024");
  // A checkpoint leaves the WAL file at its largest size so far (the VACUUM below, a long
  // outage's queue drained at once) unless cut back: at most 8 MiB stays after each one.
  sql->exec("PRAGMA journal_size_limit = 8388608");
  // Before the first table of a new file (db/file_space.hpp): freed pages can be handed back.
  // A file made before it is switched once migrated (Database::open).
  request_incremental_vacuum(*sql);
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
  const Status switched = guarded(context + ": switch to incremental auto-vacuum", [&]() -> Status {
    use_incremental_vacuum(**sql, file);
    return {};
  });
  if (!switched) return switched.error();
  return std::unique_ptr<Database>(new Database(std::move(sql).value(), latest));
}

Database::Database(std::unique_ptr<SQLite::Database> db, int schema_version)
    : db_(std::move(db)), statements_(std::make_unique<StatementCache>(*db_)), schema_version_(schema_version) {
  sqlite3_wal_hook(db_->getHandle(), &Database::on_wal_commit, this);
}

namespace {

// SQLite's default: checkpoint once the WAL holds this many pages (sqlite3_wal_autocheckpoint).
constexpr int kAutoCheckpointPages = 1000;

}  // namespace

int Database::on_wal_commit(void* self, sqlite3* sql, const char* schema, int pages) {
  auto& db = *static_cast<Database*>(self);
  ++db.commits_;
  // Called once the commit is in the WAL (synced: after its fsync, which covers every frame
  // before it too). A commit that wrote nothing does not get here.
  db.unsynced_ = db.relaxed_;
  if (pages >= kAutoCheckpointPages) {
    // As SQLite's own auto-checkpoint: passive, and a failure is not the commit's.
    (void)sqlite3_wal_checkpoint_v2(sql, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

namespace {

// Sets the connection's synchronous level. Outside a transaction (RelaxedScope sees to it) it
// touches no file and cannot fail on a connection that is open; if it ever did, going on
// could leave every later commit unsynced
// (or the barrier's commit relaxed), so the process stops and its restart recovers as after a
// crash (the barriers are free meanwhile: the hardware's fail-safe).
void set_synchronous(SQLite::Database& sql, const char* level) {
  const std::string pragma = std::string("PRAGMA synchronous = ") + level;
  if (sqlite3_exec(sql.getHandle(), pragma.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
}

}  // namespace

// The level cannot change inside a transaction (SQLite refuses), so a scope opened inside
// one, or inside another scope, leaves it as it is.
Database::RelaxedScope::RelaxedScope(Database& db) : db_(db) {
  if (db_.relaxed_ || sqlite3_get_autocommit(db_.db_->getHandle()) == 0) return;
  set_synchronous(*db_.db_, "NORMAL");
  db_.relaxed_ = true;
  switched_ = true;
}

Database::RelaxedScope::~RelaxedScope() {
  if (!switched_) return;
  db_.relaxed_ = false;
  set_synchronous(*db_.db_, "FULL");
}

Status Database::sync(std::int64_t now_ms) {
  if (relaxed_) return make_error("wrong_state", "sync the database's relaxed commits: called inside relaxed()");
  if (!unsynced_) return {};
  return guarded("sync the database's relaxed commits to disk", [&]() -> Status {
    auto write = statement(
        "INSERT INTO gate_status (name, value, updated_at_ms) VALUES ('wal_synced_at_ms', ?1, ?2)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms");
    write->bind(1, std::to_string(now_ms));
    write->bind(2, now_ms);
    write->exec();  // autocommit: one synced commit
    return {};
  });
}

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
