// Database: the gate's one SQLite file. Opens it in WAL mode with synchronous=FULL,
// applies schema migrations in order (PRAGMA user_version), and converts SQLite errors
// into Error values (code "db_error", or "disk_full" for SQLITE_FULL) in one place.
// Single-threaded: one Database per process, used from the event loop only.
#pragma once

#include <filesystem>
#include <memory>

#include "common/result.hpp"

namespace SQLite { class Database; }

namespace passgate::db {

class Database {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Database>> open(const std::filesystem::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  [[nodiscard]] SQLite::Database& sql() { return *db_; }
  [[nodiscard]] int schema_version() const;

 private:
  explicit Database(std::unique_ptr<SQLite::Database> db);
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace passgate::db
