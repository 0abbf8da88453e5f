#include "db/sqlite_error.hpp"

#include <sqlite3.h>

#include <atomic>

namespace passgate::db {

namespace {

std::string_view code_for(int result_code) {
  switch (result_code & 0xff) {  // extended codes carry the primary code in the low byte
    case SQLITE_FULL: return "disk_full";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "db_busy";
    default: return "db_error";
  }
}

std::atomic<std::uint64_t> g_disk_full{0};
std::atomic<std::uint64_t> g_db_busy{0};
std::atomic<std::uint64_t> g_db_error{0};

}  // namespace

Error sqlite_error(std::string_view context, int result_code, std::string_view sqlite_message) {
  std::string message(context);
  message += ": ";
  message += sqlite_message;
  return make_error(std::string(code_for(result_code)), std::move(message));
}

bool database_wide(const Error& error) { return error.code == "disk_full" || error.code == "db_busy"; }

FailedOperations failed_operations() {
  return FailedOperations{g_disk_full.load(std::memory_order_relaxed), g_db_busy.load(std::memory_order_relaxed),
                          g_db_error.load(std::memory_order_relaxed)};
}

Error counted_failure(Error error) {
  auto& counter = error.code == "disk_full" ? g_disk_full : error.code == "db_busy" ? g_db_busy : g_db_error;
  counter.fetch_add(1, std::memory_order_relaxed);
  return error;
}

}  // namespace passgate::db
