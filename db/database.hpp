// Database: the gate's one SQLite file. Opens it (creating it, mode 0600, if missing) in WAL
// mode with synchronous=FULL, foreign keys on and a busy timeout so passgatectl can read
// while passgated writes; applies the schema migrations of db/migrations.hpp in order
// (PRAGMA user_version) and refuses a database newer than this build. SQLite errors become
// Error values in one place (db/sqlite_error.hpp).
// Single-threaded: one Database per process, used from the event loop only.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "common/result.hpp"

namespace SQLite { class Database; }

namespace passgate::db {

class CachedStatement;
class StatementCache;

class Database {
 public:
  // How long a write waits for another connection's lock before failing with "db_busy".
  static constexpr int kBusyTimeoutMs = 2000;

  // Errors: "db_error" (cannot create or open the file, not a database, corrupt, failed
  // migration), "disk_full", "db_busy", "schema_too_new" (written by a newer passgated).
  [[nodiscard]] static Result<std::unique_ptr<Database>> open(const std::filesystem::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The raw connection, for the stores in db/ (inside guarded(), db/sqlite_error.hpp).
  [[nodiscard]] SQLite::Database& sql() { return *db_; }
  // The connection's cached prepared statement for `sql`; throws SQLite::Exception, so for
  // the stores in db/ inside guarded() only (see db/statement_cache.hpp).
  [[nodiscard]] CachedStatement statement(std::string_view sql);
  [[nodiscard]] int schema_version() const { return schema_version_; }

 private:
  Database(std::unique_ptr<SQLite::Database> db, int schema_version);
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<StatementCache> statements_;  // declared after db_: finalized before it closes
  int schema_version_;
};

}  // namespace passgate::db
