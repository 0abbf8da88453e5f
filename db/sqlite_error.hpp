// The one place SQLite failures become Error values. Every public function of the db/
// stores runs its SQLite work inside guarded(), so no SQLite::Exception (or any other
// exception) escapes to callers. Codes: "disk_full" (SQLITE_FULL), "db_busy"
// (SQLITE_BUSY, SQLITE_LOCKED), "db_error" (everything else); the message is
// "<context>: <SQLite's message>", e.g. "insert session 0d5c…: database or disk is full".
// Every failure guarded() turns into an Error is counted by code, for the whole process
// (failed_operations(), the metric passgate_database_errors_total).
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include <SQLiteCpp/Exception.h>

#include "common/result.hpp"

namespace passgate::db {

// `result_code` may be a primary or an extended SQLite result code.
[[nodiscard]] Error sqlite_error(std::string_view context, int result_code, std::string_view sqlite_message);

// Whether `error` (one of sqlite_error()'s) concerns the whole database rather than the rows
// a write touched: a full disk ("disk_full") or another connection's lock ("db_busy"), which
// every other write meets too. Anything else ("db_error": a constraint or trigger, but also an
// I/O error, which the code does not tell apart) may belong to one row: a caller that then
// writes row by row finds out which.
[[nodiscard]] bool database_wide(const Error& error);

// How many database operations have failed in this process, by Error code.
struct FailedOperations {
  std::uint64_t disk_full = 0;
  std::uint64_t db_busy = 0;
  std::uint64_t db_error = 0;
};
[[nodiscard]] FailedOperations failed_operations();
// Counts `error` (one of sqlite_error()'s codes) as a failed operation and returns it.
[[nodiscard]] Error counted_failure(Error error);

// Runs `work` (returning a Result or Status) and turns any exception it throws into an Error
// with `context`.
template <class Work>
[[nodiscard]] auto guarded(std::string_view context, Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const SQLite::Exception& e) {
    return counted_failure(sqlite_error(context, e.getErrorCode(), e.what()));
  } catch (const std::exception& e) {
    return counted_failure(make_error("db_error", std::string(context) + ": " + e.what()));
  }
}

}  // namespace passgate::db
