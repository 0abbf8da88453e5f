// Database: the gate's one SQLite file. Opens it (creating it, mode 0600, if missing) in WAL
// mode with synchronous=FULL, foreign keys on and a busy timeout so passgatectl can read
// while passgated writes; applies the schema migrations of db/migrations.hpp in order
// (PRAGMA user_version) and refuses a database newer than this build. SQLite errors become
// Error values in one place (db/sqlite_error.hpp).
// Relaxed commits: a write that need not wait for the disk (the entry path's second commit,
// after the barrier's one synced commit) runs inside relaxed(): its commit skips the fsync
// (PRAGMA synchronous = NORMAL; in WAL mode it is then in the WAL, in the kernel's page
// cache), so it survives a crash of the process at once and a power loss once synced: by the
// next commit made without relaxed() that writes (its fsync covers the whole WAL) or by
// sync(). Commits are told apart by SQLite's WAL hook, which runs after a commit that wrote
// (and, synced, after its fsync); the hook also runs the WAL's auto-checkpoint, so nothing
// may set PRAGMA wal_autocheckpoint (it would replace the hook).
// Single-threaded: one Database per process, used from the event loop only.
#pragma once

#include <filesystem>
#include <memory>
#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace SQLite { class Database; }
struct sqlite3;  // SQLite's connection handle (sqlite3.h), for the WAL hook's signature

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

  // Runs `write` (a store's method, returning a Result or Status) with its commits relaxed.
  // Inside a transaction, or inside another relaxed(), it runs as the surrounding code does.
  template <class Write>
  [[nodiscard]] auto relaxed(Write&& write) {
    const RelaxedScope scope(*this);
    return write();
  }
  // True while a relaxed commit may not be on disk yet (no synced commit that wrote since).
  [[nodiscard]] bool unsynced() const { return unsynced_; }
  // Commits that wrote to the WAL on this connection, synced or relaxed (for tests and
  // benchmarks: one per group commit).
  [[nodiscard]] std::int64_t commits() const { return commits_; }
  // Makes the relaxed commits durable against power loss, unless a synced commit already did:
  // one synced write of gate_status "wal_synced_at_ms" (`now_ms`). Errors as the stores';
  // "wrong_state" inside relaxed().
  [[nodiscard]] Status sync(std::int64_t now_ms);

 private:
  // Switches the connection to synchronous = NORMAL for its lifetime, then back to FULL.
  class RelaxedScope {
   public:
    explicit RelaxedScope(Database& db);
    ~RelaxedScope();
    RelaxedScope(const RelaxedScope&) = delete;
    RelaxedScope& operator=(const RelaxedScope&) = delete;

   private:
    Database& db_;
    bool switched_ = false;  // this scope set NORMAL (not nested, not inside a transaction)
  };
  Database(std::unique_ptr<SQLite::Database> db, int schema_version);
  // SQLite's WAL hook: after a commit that wrote `pages` frames; runs the auto-checkpoint.
  static int on_wal_commit(void* self, ::sqlite3* sql, const char* schema, int pages);
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<StatementCache> statements_;  // declared after db_: finalized before it closes
  int schema_version_;
  bool relaxed_ = false;   // inside relaxed()
  bool unsynced_ = false;  // a relaxed commit was made and no synced one since
  std::int64_t commits_ = 0;
};

}  // namespace passgate::db
