// The operators' audit log (table audit_log): who did what to which payment operation,
// quarantined cart or outbox message, written in the same transaction as the change itself.
// Each row names what it speaks of (op_id, quarantined_cart_id or outbox_id), so retention
// keeps it as long as that row is kept (db/retention.hpp).
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

// What an operator's action was done to: a payment operation (the row's op_id), a quarantined
// cart (quarantined_cart_id; op_id 0) or a tracking-engine outbox message (outbox_id; op_id 0).
struct AuditSubject {
  enum class Kind { payment_op, quarantined_cart, outbox_message };
  Kind kind = Kind::payment_op;
  std::int64_t id = 0;
  [[nodiscard]] static AuditSubject payment_op(std::int64_t op_id) { return {Kind::payment_op, op_id}; }
  [[nodiscard]] static AuditSubject quarantined_cart(std::int64_t cart_id) { return {Kind::quarantined_cart, cart_id}; }
  [[nodiscard]] static AuditSubject outbox_message(std::int64_t message_id) {
    return {Kind::outbox_message, message_id};
  }
};

// An audit_log row for an operator's action on `subject` (`detail` says it in words too).
// Within the caller's open transaction; throws SQLite::Exception, so call it only inside
// guarded().
void audit(Database& db, std::int64_t now_ms, const AuditActor& actor, std::string_view action,
           const AuditSubject& subject, const std::string& detail);

}  // namespace passgate::db
