#include "db/gate_status.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

Status GateStatus::set(const std::string& name, const std::string& value, std::int64_t now_ms) {
  return guarded("publish status " + name, [&]() -> Status {
    auto upsert = db_.statement(
        "INSERT INTO gate_status (name, value, updated_at_ms) VALUES (?1, ?2, ?3) ON CONFLICT (name)"
        " DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms");
    SQLite::bind(*upsert, name, value, now_ms);
    upsert->exec();
    return {};
  });
}

Result<std::optional<GateStatusValue>> GateStatus::get(const std::string& name) {
  return guarded("read status " + name, [&]() -> Result<std::optional<GateStatusValue>> {
    auto query = db_.statement("SELECT value, updated_at_ms FROM gate_status WHERE name = ?1");
    query->bind(1, name);
    if (!query->executeStep()) return std::optional<GateStatusValue>();
    return std::optional<GateStatusValue>(
        GateStatusValue{query->getColumn(0).getString(), query->getColumn(1).getInt64()});
  });
}

}  // namespace passgate::db
