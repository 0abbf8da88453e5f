#include "db/audit_log.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/statement_cache.hpp"

namespace passgate::db {

void audit(Database& db, std::int64_t now_ms, const AuditActor& actor, std::string_view action,
           const AuditSubject& subject, const std::string& detail) {
  auto insert = db.statement(
      "INSERT INTO audit_log (at_ms, actor, action, op_id, detail, peer_uid, peer_gid, quarantined_cart_id, outbox_id)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  const auto id_of = [&](AuditSubject::Kind kind) {
    return subject.kind == kind ? std::optional<std::int64_t>(subject.id) : std::nullopt;
  };
  SQLite::bind(*insert, now_ms, actor.name, std::string(action), id_of(AuditSubject::Kind::payment_op).value_or(0),
               detail);
  const auto bind_id = [&](int index, const std::optional<std::int64_t>& id) {
    if (id) {
      insert->bind(index, *id);
    } else {
      insert->bind(index);  // NULL: nobody connected; not what the row speaks of
    }
  };
  bind_id(6, actor.uid);
  bind_id(7, actor.gid);
  bind_id(8, id_of(AuditSubject::Kind::quarantined_cart));
  bind_id(9, id_of(AuditSubject::Kind::outbox_message));
  insert->exec();
}

}  // namespace passgate::db
