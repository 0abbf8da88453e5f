#include "tools/bench/batched_transactions.hpp"

#include <dlfcn.h>
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <cstring>
#include <stdexcept>

namespace {

bool batching = false;

using ExecFn = int (*)(sqlite3*, const char*, int (*)(void*, int, char**, char**), void*, char**);

ExecFn real_exec() {
  static const auto real = reinterpret_cast<ExecFn>(dlsym(RTLD_NEXT, "sqlite3_exec"));
  if (real == nullptr) throw std::runtime_error("sqlite3_exec not found in libsqlite3");
  return real;
}

// What a store's own transaction statement becomes inside a batch.
const char* in_batch(const char* sql) {
  if (std::strcmp(sql, "BEGIN IMMEDIATE") == 0) return "SAVEPOINT store_call";
  if (std::strcmp(sql, "COMMIT") == 0) return "RELEASE store_call";
  if (std::strcmp(sql, "ROLLBACK") == 0) return "ROLLBACK TO store_call; RELEASE store_call";
  return sql;
}

void exec_real(passgate::db::Database& db, const char* sql) {
  char* error = nullptr;
  if (real_exec()(db.sql().getHandle(), sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string(sql) + ": " + message);
  }
}

}  // namespace

// Interposes libsqlite3's sqlite3_exec for this executable (SQLiteCpp, linked statically,
// calls it for every Transaction); outside a batch it passes everything through.
extern "C" int sqlite3_exec(sqlite3* db, const char* sql, int (*callback)(void*, int, char**, char**), void* arg,
                            char** error) {
  return real_exec()(db, batching ? in_batch(sql) : sql, callback, arg, error);
}

namespace passgate::bench {

BatchedTransactions::BatchedTransactions(db::Database& db) : db_(db) {
  exec_real(db_, "BEGIN IMMEDIATE");
  batching = true;
}

void BatchedTransactions::commit() {
  batching = false;
  open_ = false;
  exec_real(db_, "COMMIT");
}

BatchedTransactions::~BatchedTransactions() {
  batching = false;
  if (open_) {
    char* error = nullptr;
    real_exec()(db_.sql().getHandle(), "ROLLBACK", nullptr, nullptr, &error);
    sqlite3_free(error);
  }
}

}  // namespace passgate::bench
