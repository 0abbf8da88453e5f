// For the retention tests: ShopRecords makes sessions and everything that hangs off them
// (outbox messages, payment operations, carts, settlements, quarantined carts, audit rows)
// through the real stores of db/, each row stamped at the time given, and reads back what
// a session still has (SessionRows), so a test can say which sessions a sweep must keep
// whole and which it must delete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/cart_quarantine.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/retention.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"

namespace passgate::db::test {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kDayMs = 24 * 60 * kMinuteMs;

// Every row of one session, as the stores read them (plus its outbox messages and used token
// id, by SQL): equal before and after a sweep when the sweep kept it whole.
struct SessionRows {
  std::optional<SessionRecord> session;
  bool token_used = false;
  std::vector<std::int64_t> outbox_ids;
  std::vector<PaymentOpRecord> ops;
  std::optional<FinalCart> cart;
  std::int64_t cart_received_at_ms = 0;
  std::optional<SettlementRecord> settlement;
  std::vector<QuarantineRecord> quarantined;
  [[nodiscard]] std::string describe() const;
  bool operator==(const SessionRows& other) const { return describe() == other.describe(); }
};

enum class OpEnd { pending, in_flight, succeeded, declined, dead, unverified };

class ShopRecords {
 public:
  explicit ShopRecords(Database& db);

  // A session admitted at `at_ms` (opening, its token id used, its token ending 2 minutes
  // later unless `token_ends_s` says when); returns its id.
  std::string admit(std::int64_t at_ms, std::optional<std::int64_t> token_ends_s = std::nullopt);
  void open(const std::string& id);
  // Admitted offline: its open request waits in the outbox.
  void open_offline(const std::string& id, std::int64_t at_ms);
  void deny(const std::string& id, const std::string& reason, bool release_token, std::int64_t at_ms);
  // open -> cancelled, with the cancel message in the outbox.
  void cancel(const std::string& id, std::int64_t at_ms);
  // The tracking engine acknowledged every message of the session.
  void deliver(const std::string& id);
  // The session's oldest outbox message became a dead letter.
  void dead_letter(const std::string& id, std::int64_t at_ms);
  // The tracking engine refused the offline admission (its open request, delivered).
  void refuse(const std::string& id, std::int64_t at_ms);
  // Forgets the used token ids whose retention ended by `at_ms` (the used-token purge).
  void purge_tokens(std::int64_t at_ms);

  // An operation queued at `at_ms` and taken to `end` then; returns its id.
  std::int64_t op(const std::string& id, const std::string& kind, std::int64_t amount, std::int64_t at_ms, OpEnd end,
                  bool alert = true, const std::string& intent = "");
  void finish(std::int64_t op_id, OpEnd end, std::int64_t at_ms, const std::string& intent = "");
  void write_off(std::int64_t op_id, std::int64_t at_ms);
  void cart(const std::string& id, std::int64_t total, std::int64_t at_ms);
  // A cart quarantined over the limit (`id` empty: one naming no session); returns its id.
  std::int64_t quarantine(const std::string& id, std::int64_t at_ms);
  void write_off_cart(std::int64_t quarantine_id, std::int64_t at_ms);
  // The settlement `plan` with `ops` (kinds, each for `amount`, chained), planned at `at_ms`;
  // each operation is taken to `end` then. Returns the operations' ids.
  std::vector<std::int64_t> settle(const std::string& id, const std::string& plan, const std::vector<std::string>& ops,
                                   std::int64_t amount, std::int64_t at_ms, OpEnd end);
  // A "charge+void" plan's follow-up, queued at `at_ms` and taken to `end`.
  std::int64_t follow_up(const std::string& id, std::int64_t charge_id, std::int64_t at_ms, OpEnd end);

  // Admitted at `at_ms`, cart of 1234 an hour later, charged (no hold) and succeeded then; the
  // token id forgotten.
  std::string settled_session(std::int64_t at_ms);

  [[nodiscard]] SessionRows rows(const std::string& id);
  [[nodiscard]] std::int64_t count(const std::string& table);

  Database& db;
  SessionStore sessions;
  Outbox outbox;
  PaymentQueue queue;
  SettlementStore settlements;
  CartQuarantine quarantined;

 private:
  int next_ = 0;
};

// Runs delete_sessions from the oldest session to the end, `limit` at a time, then the
// resolved carts, the audit log and the card records; the rows deleted.
DeletedRows sweep_all(Database& db, const RetentionCutoffs& cut, int limit = Retention::kSessionsPerBatch);

}  // namespace passgate::db::test
