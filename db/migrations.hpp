// The database schema as an ordered list of migrations. Migration N (1-based) takes a
// database from schema version N-1 to N; Database::open applies the missing ones, each in
// its own transaction, and records the version in PRAGMA user_version. Applied migrations
// are never edited: a new table or column is a new migration appended to the list.
#pragma once

#include <span>
#include <string_view>

namespace passgate::db {

// Migration scripts in order; element i brings the schema to version i + 1.
[[nodiscard]] std::span<const std::string_view> schema_migrations();

// The newest schema version this build knows (the number of migrations).
[[nodiscard]] int latest_schema_version();

}  // namespace passgate::db
