// Retention: deletes the gate's final records once they are older than their retention, in
// small batches (each one transaction), and never a row that money or safety still needs.
// controller/storage/retention_sweeper.hpp decides when and by which cutoffs.
//
// What is final, and deleted:
// - A session, together with its payment operations, cart, settlement and a quarantined
//   cart an operator resolved, when all of this holds:
//   * age: it was admitted before the records cutoff, and every row of it was stamped before
//     that cutoff too (its cart received; its settlement planned; each operation created,
//     first sent and finished); a resolved quarantined cart of it was received and settled
//     before the audit cutoff;
//   * money: it has a settlement, every one of its operations is succeeded or written off, or
//     declined or dead with neither its alert (a dead letter) nor unverified set (a list of
//     what is final, never of what is not: a state added later keeps its session until it
//     is listed here), a "charge+void" plan has its follow-up (the void, or the capture
//     from the hold), and no hold placed at the gateway is left neither captured nor voided;
//     or it ended without money: denied or cancelled, with no operation and no cart;
//   * nothing else needs it: no message of it in the tracking-engine outbox (waiting, or a
//     dead letter), no used token id (the used-token purge owns those, db/session_store.hpp),
//     no quarantined cart that is not resolved (charged or written off), no operation of
//     another session waiting on one of its own;
//   * it is not `opening` (its admission undecided) and the tracking engine did not refuse
//     it: refused sessions are kept, passgate_sessions_refused_by_tracking counts them ever.
// - A card session's attempt (db/card_attempt_store.hpp) goes with its session, which is
//   kept while the hold its attempt placed has no capture or void that succeeded (or an
//   operator wrote off).
// - A card attempt given up and voided (no session), finished before the records cutoff; a
//   blocklist entry an operator lifted before the records cutoff (db/card_blocklist.hpp).
//   Attempts not final and entries in force are never deleted.
// - A quarantined cart naming no session, written off by an operator, received and settled
//   before the audit cutoff.
// - An audit_log row written before the audit cutoff, once the payment operation, quarantined
//   cart or outbox message it names (op_id, quarantined_cart_id, outbox_id; db/audit_log.hpp)
//   is gone: the audit log outlives the records it speaks of. (A row naming none goes at the
//   cutoff.)
// Never deleted: used token ids, the outbox, feed cursors, gate_status, and anything above
// that is not final. A session deleted is unknown afterwards: a cart the tracking engine
// delivers for it again is skipped as a cart of an unknown session, never charged.
// Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::db {

struct RetentionCutoffs {
  std::int64_t records_ms = 0;  // sessions and their money: rows stamped before this may go
  std::int64_t audit_ms = 0;    // the audit log and resolved quarantined carts
};

// Rows deleted, by table.
struct DeletedRows {
  std::int64_t sessions = 0;
  std::int64_t payment_ops = 0;
  std::int64_t carts = 0;
  std::int64_t settlements = 0;
  std::int64_t quarantined_carts = 0;
  std::int64_t audit_log = 0;
  std::int64_t card_attempts = 0;
  std::int64_t card_blocklist = 0;
  DeletedRows& operator+=(const DeletedRows& more);
  [[nodiscard]] std::int64_t total() const;
};

// Where a pass over the sessions has got to: the last one examined, in the order they were
// admitted (created_at_ms, then rowid). The default starts at the oldest.
struct SessionCursor {
  std::int64_t created_at_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t rowid = 0;
};

// A session a pass examines: where it is in the order, and its id.
struct ExaminedSession {
  SessionCursor at;
  std::string session_id;
};

struct SessionBatch {
  DeletedRows deleted;
  SessionCursor next;  // where the next batch starts
  bool done = false;   // every session admitted before the cutoff has been examined
};

class Retention {
 public:
  // A batch examines at most this many sessions (and deletes at most 10 rows for each: the
  // session, its cart, settlement, quarantined cart, card attempt and up to 5 operations).
  static constexpr int kSessionsPerBatch = 50;
  // A batch of audit_log rows or quarantined carts.
  static constexpr int kRowsPerBatch = 400;

  explicit Retention(Database& db) : db_(db) {}

  // Examines the next `limit` sessions admitted before `cut.records_ms` after `after`, and
  // deletes the final ones with their rows, in one transaction.
  [[nodiscard]] Result<SessionBatch> delete_sessions(const RetentionCutoffs& cut, const SessionCursor& after,
                                                     int limit = kSessionsPerBatch);
  // The session delete_sessions(cut, after) would examine first, read only; empty if none is
  // left. For a sweep that passes over a session it cannot delete (RetentionSweeper).
  [[nodiscard]] Result<std::optional<ExaminedSession>> next_session(const RetentionCutoffs& cut,
                                                                    const SessionCursor& after);
  // At most `limit` voided card attempts finished before `cut.records_ms`, and at most `limit`
  // blocklist entries lifted before it, in one transaction.
  [[nodiscard]] Result<DeletedRows> delete_card_records(const RetentionCutoffs& cut, int limit = kRowsPerBatch);
  // At most `limit` resolved quarantined carts naming no session, settled before `before_ms`.
  // Returns how many.
  [[nodiscard]] Result<int> delete_resolved_carts(std::int64_t before_ms, int limit = kRowsPerBatch);
  // At most `limit` audit_log rows written before `before_ms` whose subject is gone, oldest
  // first (each subject a primary-key look-up). Returns how many.
  [[nodiscard]] Result<int> delete_audit_entries(std::int64_t before_ms, int limit = kRowsPerBatch);

 private:
  Database& db_;
};

}  // namespace passgate::db
