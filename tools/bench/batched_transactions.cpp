#include "tools/bench/batched_transactions.hpp"

#include <dlfcn.h>
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <cstring>
#include <stdexcept>

namespace {

bool batching = false;
bool rolled_back = false;  // a store call rolled back within the batch: the batch must not commit

using ExecFn = int (*)(sqlite3*, const char*, int (*)(void*, int, char**, char**), void*, char**);

ExecFn real_exec() {
  static const auto real = reinterpret_cast<ExecFn>(dlsym(RTLD_NEXT, "sqlite3_exec"));
  if (real == nullptr) throw std::runtime_error("sqlite3_exec not found in libsqlite3");
  return real;
}

// Whether `sql` is a store's own transaction statement, which does nothing inside a batch
// (a rollback spoils the batch instead).
bool absorbed(const char* sql) {
  if (std::strcmp(sql, "ROLLBACK") == 0) {
    rolled_back = true;
    return true;
  }
  return std::strcmp(sql, "BEGIN IMMEDIATE") == 0 || std::strcmp(sql, "COMMIT") == 0;
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
  if (batching && absorbed(sql)) return SQLITE_OK;
  return real_exec()(db, sql, callback, arg, error);
}

namespace passgate::bench {

BatchedTransactions::BatchedTransactions(db::Database& db) : db_(db) {
  exec_real(db_, "BEGIN IMMEDIATE");
  batching = true;
  rolled_back = false;
}

void BatchedTransactions::commit() {
  batching = false;
  if (rolled_back) throw std::runtime_error("a store call rolled back within the batch; nothing committed");
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
