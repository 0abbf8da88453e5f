#include "db/audit_log.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/statement_cache.hpp"

namespace passgate::db {

void audit(Database& db, std::int64_t now_ms, const AuditActor& actor, std::string_view action, std::int64_t op_id,
           const std::string& detail) {
  auto insert = db.statement(
      "INSERT INTO audit_log (at_ms, actor, action, op_id, detail, peer_uid, peer_gid)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  SQLite::bind(*insert, now_ms, actor.name, std::string(action), op_id, detail);
  const auto bind_id = [&](int index, const std::optional<std::int64_t>& id) {
    if (id) {
      insert->bind(index, *id);
    } else {
      insert->bind(index);  // NULL: nobody connected
    }
  };
  bind_id(6, actor.uid);
  bind_id(7, actor.gid);
  insert->exec();
}

}  // namespace passgate::db
