// StatementCache: the prepared statements of one SQLite connection, each prepared on first
// use and reused after (the SQL text is the key), so hot paths such as SessionStore::begin
// do not re-parse SQL. A CachedStatement lease resets its statement when it goes out of
// scope, so no read stays open between calls. For the stores in db/ only: get() throws
// SQLite::Exception and must run inside guarded() (db/sqlite_error.hpp).
// Single-threaded, like the connection it belongs to. Database owns the connection's cache,
// and get() is defined next to its one caller, Database::statement (db/database.cpp).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace passgate::db {

class CachedStatement {
 public:
  explicit CachedStatement(SQLite::Statement& statement) : statement_(statement) {}
  ~CachedStatement() { statement_.tryReset(); }
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;

  SQLite::Statement* operator->() const { return &statement_; }
  SQLite::Statement& operator*() const { return statement_; }

 private:
  SQLite::Statement& statement_;
};

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& sql) : sql_(sql) {}

  // The statement for `sql`, reset, with the bindings of its previous use cleared.
  [[nodiscard]] CachedStatement get(std::string_view sql);

 private:
  SQLite::Database& sql_;
  std::map<std::string, SQLite::Statement, std::less<>> statements_;
};

}  // namespace passgate::db
