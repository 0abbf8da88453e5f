#include "db/card_blocklist.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>
#include <nlohmann/json.hpp>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// The entries in force among the hashes bound as ?1 (a JSON array: one cached statement).
constexpr const char* kInForce =
    "SELECT fingerprint_hash, reason, session_id, since_ms, lifted_at_ms FROM card_blocklist"
    " WHERE fingerprint_hash IN (SELECT value FROM json_each(?1)) AND lifted_at_ms = 0 ORDER BY since_ms LIMIT 1";

}  // namespace

Result<bool> CardBlocklist::add(const std::string& fingerprint_hash, const std::string& reason,
                                const std::string& session_id, std::int64_t now_ms) {
  if (fingerprint_hash.empty() || reason.empty() || session_id.empty()) {
    return make_error("bad_entry", "cannot list a card for session " + session_id +
                                       ": its fingerprint hash, the reason and the session id must all be given");
  }
  return guarded("list the card of session " + session_id,
                 [&]() -> Result<bool> { return insert(db_, fingerprint_hash, reason, session_id, now_ms); });
}

bool CardBlocklist::insert(Database& db, const std::string& fingerprint_hash, const std::string& reason,
                           const std::string& session_id, std::int64_t now_ms) {
  auto insert = db.statement(
      "INSERT INTO card_blocklist (fingerprint_hash, reason, session_id, since_ms) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT (fingerprint_hash) DO UPDATE SET reason = excluded.reason, session_id = excluded.session_id,"
      " since_ms = excluded.since_ms, lifted_at_ms = 0 WHERE lifted_at_ms > 0");
  SQLite::bind(*insert, fingerprint_hash, reason, session_id, now_ms);
  return insert->exec() > 0;
}

Result<std::optional<BlockedCard>> CardBlocklist::find(const std::vector<std::string>& fingerprint_hashes) {
  return guarded("look up a card on the blocklist", [&]() -> Result<std::optional<BlockedCard>> {
    auto query = db_.statement(kInForce);
    query->bind(1, nlohmann::json(fingerprint_hashes).dump());
    if (!query->executeStep()) return std::optional<BlockedCard>();
    return std::optional<BlockedCard>(BlockedCard{
        .fingerprint_hash = query->getColumn(0).getString(),
        .reason = query->getColumn(1).getString(),
        .session_id = query->getColumn(2).getString(),
        .since_ms = query->getColumn(3).getInt64(),
        .lifted_at_ms = query->getColumn(4).getInt64(),
    });
  });
}

Status CardBlocklist::lift(const std::string& session_id, std::int64_t now_ms) {
  return guarded("lift the blocklist entry of session " + session_id, [&]() -> Status {
    auto update = db_.statement(
        "UPDATE card_blocklist SET lifted_at_ms = MAX(?2, 1) WHERE session_id = ?1 AND lifted_at_ms = 0");
    SQLite::bind(*update, session_id, now_ms);
    if (update->exec() > 0) return {};
    return make_error("wrong_state", "cannot lift the blocklist entry of session " + session_id +
                                         ": no entry in force names it");
  });
}

bool CardBlocklist::listed(Database& db, const std::vector<std::string>& fingerprint_hashes) {
  auto query = db.statement(kInForce);
  query->bind(1, nlohmann::json(fingerprint_hashes).dump());
  return query->executeStep();
}

}  // namespace passgate::db
