// The operators' audit log (table audit_log): who did what to which payment operation or
// quarantined cart, written in the same transaction as the change itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "db/database.hpp"

namespace passgate::db {

// Who an operator action is recorded for in audit_log: the operator name the client
// claims (actor) and, when it came over the control socket, the connection's real uid and
// gid (SO_PEERCRED: peer_uid, peer_gid), which the client cannot choose. A name alone
// leaves them NULL.
struct AuditActor {
  AuditActor(std::string claimed_name, std::optional<std::int64_t> peer_uid = std::nullopt,  // NOLINT: a name converts
             std::optional<std::int64_t> peer_gid = std::nullopt)
      : name(std::move(claimed_name)), uid(peer_uid), gid(peer_gid) {}
  AuditActor(const char* claimed_name) : AuditActor(std::string(claimed_name)) {}  // NOLINT: a name converts
  std::string name;
  std::optional<std::int64_t> uid;
  std::optional<std::int64_t> gid;
};

// An audit_log row for an operator's action (op_id 0: it concerns no payment operation, e.g.
// a quarantined cart, named in `detail`). Within the caller's open transaction; throws
// SQLite::Exception, so call it only inside guarded().
void audit(Database& db, std::int64_t now_ms, const AuditActor& actor, std::string_view action, std::int64_t op_id,
           const std::string& detail);

}  // namespace passgate::db
