// CardBlocklist: the store's blocklist of payment cards, each named by its fingerprint's keyed
// hash (crypto/card_fingerprint.hpp), never by the fingerprint. A card goes on it when a card
// session ends with an unpaid remainder (the settlement adds it) and stays until an operator
// lifts the entry (the remainder paid or written off); a lifted entry is kept for the retention
// period (db/retention.hpp), then deleted. A card entering while listed is denied
// shopper_blocked (CardAttemptStore::admit checks it too). Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::db {

struct BlockedCard {
  std::string fingerprint_hash;
  std::string reason;      // e.g. "unpaid_remainder"
  std::string session_id;  // the session that left the unpaid remainder
  std::int64_t since_ms = 0;
  std::int64_t lifted_at_ms = 0;  // 0: in force
};

class CardBlocklist {
 public:
  explicit CardBlocklist(Database& db) : db_(db) {}

  // Lists the card. An entry in force is kept as it is (its first session and time): false.
  // A lifted one is put in force again for this session. "bad_entry" if the hash, the reason
  // or the session id is empty.
  [[nodiscard]] Result<bool> add(const std::string& fingerprint_hash, const std::string& reason,
                                 const std::string& session_id, std::int64_t now_ms);
  // The entry in force for any of the card's hashes (the current key's and the previous keys').
  [[nodiscard]] Result<std::optional<BlockedCard>> find(const std::vector<std::string>& fingerprint_hashes);
  // Lifts the entry in force that session `session_id` left. "wrong_state" if there is none.
  [[nodiscard]] Status lift(const std::string& session_id, std::int64_t now_ms);
  // For the other stores, within their transaction: add() of an entry already checked. Throws
  // SQLite::Exception, so call it only inside guarded().
  static bool insert(Database& db, const std::string& fingerprint_hash, const std::string& reason,
                     const std::string& session_id, std::int64_t now_ms);
  // For the other stores, within their transaction: whether any of the hashes is listed (in
  // force). Throws SQLite::Exception, so call it only inside guarded().
  [[nodiscard]] static bool listed(Database& db, const std::vector<std::string>& fingerprint_hashes);

 private:
  Database& db_;
};

}  // namespace passgate::db
