#include "db/migrations.hpp"

#include <array>

namespace passgate::db {

namespace {

// 1: sessions, the used entry-token ids (jti) and the tracking-engine outbox.
constexpr std::string_view kSessionsAndOutbox = R"sql(
CREATE TABLE sessions (
  session_id       TEXT PRIMARY KEY NOT NULL,
  token_id         TEXT NOT NULL,
  token_expires_at INTEGER NOT NULL,
  lane             INTEGER NOT NULL,
  shopper          TEXT NOT NULL,
  group_size       INTEGER NOT NULL CHECK (group_size >= 1),
  admitted_at      TEXT NOT NULL,
  created_at_ms    INTEGER NOT NULL,
  offline          INTEGER NOT NULL CHECK (offline IN (0, 1)),
  state            TEXT NOT NULL
                   CHECK (state IN ('opening', 'open', 'open_offline', 'denied', 'cancelled')),
  denial_reason    TEXT NOT NULL DEFAULT '',
  open_request     TEXT NOT NULL
);
CREATE INDEX sessions_by_state ON sessions (state);
CREATE INDEX sessions_by_created_at ON sessions (created_at_ms);

CREATE TABLE used_tokens (
  token_id   TEXT PRIMARY KEY NOT NULL,
  expires_at INTEGER NOT NULL,
  session_id TEXT NOT NULL REFERENCES sessions (session_id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX used_tokens_by_expiry ON used_tokens (expires_at);

CREATE TABLE outbox (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  kind               TEXT NOT NULL,
  target             TEXT NOT NULL,
  body               TEXT NOT NULL,
  created_at_ms      INTEGER NOT NULL,
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error         TEXT NOT NULL DEFAULT ''
);
)sql";

// 2: settlement. Sealed payment references on sessions; the payment operations queue (each
// operation with its idempotency key, written before its first attempt); final carts, the
// feed cursor and the settlement decided for each session (at most one: the primary key);
// the operators' audit log and the daemon's published status (gateway reachability).
constexpr std::string_view kSettlement = R"sql(
ALTER TABLE sessions ADD COLUMN pay_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN pay_sealed BLOB;

CREATE TABLE payment_ops (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id          TEXT NOT NULL REFERENCES sessions (session_id),
  op                  TEXT NOT NULL CHECK (op IN ('preauth', 'capture', 'charge', 'void')),
  idempotency_key     TEXT NOT NULL UNIQUE,
  amount_minor        INTEGER NOT NULL CHECK (amount_minor >= 0),
  currency            TEXT NOT NULL,
  intent_id           TEXT NOT NULL DEFAULT '',
  after_op_id         INTEGER REFERENCES payment_ops (id),
  state               TEXT NOT NULL
                      CHECK (state IN ('pending', 'in_flight', 'succeeded', 'declined', 'dead', 'written_off')),
  alert               INTEGER NOT NULL DEFAULT 1 CHECK (alert IN (0, 1)),
  attempts            INTEGER NOT NULL DEFAULT 0,
  created_at_ms       INTEGER NOT NULL,
  first_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms  INTEGER NOT NULL,
  finished_at_ms      INTEGER NOT NULL DEFAULT 0,
  last_error          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payment_ops_by_state ON payment_ops (state, next_attempt_at_ms);
CREATE INDEX payment_ops_by_session ON payment_ops (session_id);

CREATE TABLE carts (
  session_id     TEXT PRIMARY KEY NOT NULL REFERENCES sessions (session_id),
  currency       TEXT NOT NULL,
  total_minor    INTEGER NOT NULL CHECK (total_minor >= 0),
  finalized_at   TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
);

CREATE TABLE settlements (
  session_id    TEXT PRIMARY KEY NOT NULL REFERENCES sessions (session_id),
  basis         TEXT NOT NULL CHECK (basis IN ('cart', 'no_cart')),
  total_minor   INTEGER NOT NULL,
  hold_minor    INTEGER NOT NULL,
  plan          TEXT NOT NULL,
  planned_at_ms INTEGER NOT NULL
);

CREATE TABLE feed_cursors (
  feed          TEXT PRIMARY KEY NOT NULL,
  cursor        TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);

CREATE TABLE audit_log (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms  INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  op_id  INTEGER,
  detail TEXT NOT NULL
);

CREATE TABLE gate_status (
  name          TEXT PRIMARY KEY NOT NULL,
  value         TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
)sql";

// 3: anti-passback looks up the open sessions of a shopper.
constexpr std::string_view kSessionsByShopper = R"sql(
CREATE INDEX sessions_by_shopper ON sessions (shopper, state);
)sql";

// 4: final carts the gate will not charge as they came, each with its reason and its JSON as
// received (bounded), open until an operator charges it after correction or writes it off
// (db/cart_quarantine.hpp). At most one per session; one per raw text when it names none.
constexpr std::string_view kQuarantinedCarts = R"sql(
CREATE TABLE quarantined_carts (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id     TEXT NOT NULL DEFAULT '',
  reason         TEXT NOT NULL CHECK (reason IN ('unreadable', 'currency', 'over_limit')),
  detail         TEXT NOT NULL,
  raw            TEXT NOT NULL,
  finalized_at   TEXT NOT NULL DEFAULT '',
  received_at_ms INTEGER NOT NULL,
  state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'charged', 'written_off')),
  settled_at_ms  INTEGER NOT NULL DEFAULT 0,
  settled_by     TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX quarantined_carts_by_session ON quarantined_carts (session_id) WHERE session_id <> '';
CREATE UNIQUE INDEX quarantined_carts_by_raw ON quarantined_carts (raw) WHERE session_id = '';
CREATE INDEX quarantined_carts_by_state ON quarantined_carts (state);
)sql";

// 5: the audit log records who connected (the control socket's SO_PEERCRED uid and gid)
// beside the operator name the client claims; NULL in rows from before, or made without a
// connection.
constexpr std::string_view kAuditPeer = R"sql(
ALTER TABLE audit_log ADD COLUMN peer_uid INTEGER;
ALTER TABLE audit_log ADD COLUMN peer_gid INTEGER;
)sql";

// 6: settlement after a failed charge and sessions the tracking engine refused.
// - payment_ops.unverified: the gateway's answer was not the operation's outcome (money may
//   have moved), so nothing is planned around it until an operator resolves it.
// - payment_ops.replaced_by: a failed charge whose hold was captured instead; the operation
//   that carries the remainder for an operator. A replaced charge is never sent again.
// - sessions.refused_at_ms: a session admitted offline that the tracking engine refused
//   afterwards (the shopper is inside, unfollowed); its hold is voided.
// - quarantined_carts gains the reason 'not_admitted': a cart of a session the gate denied
//   or cancelled, or that the tracking engine refused, is never charged as it came. (SQLite
//   cannot change a CHECK constraint: the table is rebuilt with its rows.)
constexpr std::string_view kSettleAfterCharge = R"sql(
ALTER TABLE payment_ops ADD COLUMN unverified INTEGER NOT NULL DEFAULT 0 CHECK (unverified IN (0, 1));
ALTER TABLE payment_ops ADD COLUMN replaced_by INTEGER REFERENCES payment_ops (id);
ALTER TABLE sessions ADD COLUMN refused_at_ms INTEGER NOT NULL DEFAULT 0;

CREATE TABLE quarantined_carts_v6 (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id     TEXT NOT NULL DEFAULT '',
  reason         TEXT NOT NULL CHECK (reason IN ('unreadable', 'currency', 'over_limit', 'not_admitted')),
  detail         TEXT NOT NULL,
  raw            TEXT NOT NULL,
  finalized_at   TEXT NOT NULL DEFAULT '',
  received_at_ms INTEGER NOT NULL,
  state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'charged', 'written_off')),
  settled_at_ms  INTEGER NOT NULL DEFAULT 0,
  settled_by     TEXT NOT NULL DEFAULT ''
);
INSERT INTO quarantined_carts_v6 (id, session_id, reason, detail, raw, finalized_at, received_at_ms, state,
                                  settled_at_ms, settled_by)
  SELECT id, session_id, reason, detail, raw, finalized_at, received_at_ms, state, settled_at_ms, settled_by
  FROM quarantined_carts;
DROP TABLE quarantined_carts;
ALTER TABLE quarantined_carts_v6 RENAME TO quarantined_carts;
CREATE UNIQUE INDEX quarantined_carts_by_session ON quarantined_carts (session_id) WHERE session_id <> '';
CREATE UNIQUE INDEX quarantined_carts_by_raw ON quarantined_carts (raw) WHERE session_id = '';
CREATE INDEX quarantined_carts_by_state ON quarantined_carts (state);

-- Before this version an answer that was not the outcome left no flag (and older versions
-- recorded some as plain refusals): no dead charge from before is taken for a refused one,
-- since money may have moved; each stays for an operator.
UPDATE payment_ops SET unverified = 1 WHERE state = 'dead' AND op = 'charge';
CREATE INDEX sessions_refused ON sessions (refused_at_ms) WHERE refused_at_ms > 0;
CREATE INDEX settlements_by_plan ON settlements (plan);

-- A void planned before this version waits for its charge to reach any final state. One
-- never sent whose charge has not succeeded is taken back: the planner now decides after the
-- charge (void it, or capture from the hold if the charge failed) and queues it then.
DELETE FROM payment_ops WHERE op = 'void' AND state = 'pending' AND first_attempt_at_ms = 0
  AND after_op_id IN (SELECT id FROM payment_ops WHERE op = 'charge' AND state <> 'succeeded');
)sql";

// 7: the tracking-engine outbox keeps order within a session, not across all messages, and
// a message the engine keeps refusing becomes a dead letter (db/outbox.hpp).
// - outbox.session_id: the session a message belongs to (its open request, its passages, its
//   cancel); NULL for a passage of nobody known (a forced door, a wrong-way passage). Filled
//   in for messages queued before this version from their body or target.
// - outbox.rejections: answers outside the contract so far (a 4xx it does not name).
// - outbox.dead_at_ms: when it became a dead letter (0: it is not one).
constexpr std::string_view kOutboxBySession = R"sql(
ALTER TABLE outbox ADD COLUMN session_id TEXT;
ALTER TABLE outbox ADD COLUMN rejections INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN dead_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET session_id = json_extract(body, '$.session_id')
  WHERE kind IN ('session_open', 'passage') AND json_valid(body)
    AND json_type(body, '$.session_id') = 'text';
UPDATE outbox SET session_id = substr(target, 14, length(target) - 20)
  WHERE kind = 'cancel' AND target LIKE '/v1/sessions/%/cancel' AND length(target) > 20;
CREATE INDEX outbox_by_session ON outbox (session_id, id);
CREATE INDEX outbox_dead_letters ON outbox (dead_at_ms) WHERE dead_at_ms > 0;
)sql";

// 8: used entry-token ids are kept a day past their token's end (db/session_store.hpp); a
// passgated before that forgot them as soon as the token ended, so after the upgrade a wall
// clock stepping back could admit a token used just before it. Every session still holding
// its token claims its id again: all but the denied, and the denials that keep the token
// (controller/admission/service.cpp: payment_declined, shopper_blocked, conflict); ids
// already held stay as they are, and the next purge forgets those past the retention again.
constexpr std::string_view kUsedTokensFromSessions = R"sql(
INSERT INTO used_tokens (token_id, expires_at, session_id)
  SELECT token_id, token_expires_at, session_id FROM sessions
  WHERE state IN ('opening', 'open', 'open_offline', 'cancelled')
     OR (state = 'denied' AND denial_reason IN ('payment_declined', 'shopper_blocked', 'conflict'))
  ORDER BY created_at_ms DESC
  ON CONFLICT (token_id) DO NOTHING;
)sql";

// 9: retention (db/retention.hpp) deletes final sessions with their rows. SQLite checks each
// deleted row's foreign keys by looking up the rows that refer to it; without these indexes
// every such look-up scans the whole table (300 payment operations deleted from 300,000 took
// 15 s, 20 ms with the index). Partial where the column is mostly NULL, so a new operation
// adds nothing to them.
constexpr std::string_view kRetentionLookups = R"sql(
CREATE INDEX used_tokens_by_session ON used_tokens (session_id);
CREATE INDEX payment_ops_by_after_op ON payment_ops (after_op_id) WHERE after_op_id IS NOT NULL;
CREATE INDEX payment_ops_by_replaced_by ON payment_ops (replaced_by) WHERE replaced_by IS NOT NULL;
)sql";

// 10: what a session's history says, kept on its row so the questions asked every few seconds
// (which sessions are still inside, which still need their payment reference, which still
// wait to be settled) are look-ups in small partial indexes instead of walks over a year of
// sessions (30 s for the sealed references on 730,000 sessions), and the newest time the
// payment queue has seen (read at every start) is the last entry of an index instead of a
// walk over every operation. `ended`: the session has a cart, a quarantined cart or a
// settlement; `settled`: it has a settlement; `hold_requested`: a pre-authorization was queued
// for it. All three are set by triggers in the transaction that inserts the row, whatever code
// inserts it, and never cleared: those rows are deleted only with their session
// (db/retention.hpp). The partial indexes hold only the sessions still admitted (opening,
// open, open_offline) or, for holds, not settled: a year's denied and cancelled sessions, which
// never end with a cart, stay out of them. The queries name them (INDEXED BY): without
// statistics SQLite would pick sessions_by_state, whose 'open' holds every session.
constexpr std::string_view kSessionHistoryFlags = R"sql(
ALTER TABLE sessions ADD COLUMN ended INTEGER NOT NULL DEFAULT 0 CHECK (ended IN (0, 1));
ALTER TABLE sessions ADD COLUMN settled INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1));
ALTER TABLE sessions ADD COLUMN hold_requested INTEGER NOT NULL DEFAULT 0 CHECK (hold_requested IN (0, 1));
UPDATE sessions SET hold_requested = 1
  WHERE EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = sessions.session_id AND p.op = 'preauth');
UPDATE sessions SET settled = 1 WHERE EXISTS (SELECT 1 FROM settlements t WHERE t.session_id = sessions.session_id);
UPDATE sessions SET ended = 1 WHERE settled = 1
  OR EXISTS (SELECT 1 FROM carts c WHERE c.session_id = sessions.session_id)
  OR EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.session_id = sessions.session_id AND q.session_id <> '');
CREATE TRIGGER sessions_ended_by_cart AFTER INSERT ON carts BEGIN
  UPDATE sessions SET ended = 1 WHERE session_id = NEW.session_id AND ended = 0;
END;
CREATE TRIGGER sessions_ended_by_quarantine AFTER INSERT ON quarantined_carts WHEN NEW.session_id <> '' BEGIN
  UPDATE sessions SET ended = 1 WHERE session_id = NEW.session_id AND ended = 0;
END;
CREATE TRIGGER sessions_settled AFTER INSERT ON settlements BEGIN
  UPDATE sessions SET ended = 1, settled = 1 WHERE session_id = NEW.session_id;
END;
CREATE TRIGGER sessions_hold_requested AFTER INSERT ON payment_ops WHEN NEW.op = 'preauth' BEGIN
  UPDATE sessions SET hold_requested = 1 WHERE session_id = NEW.session_id AND hold_requested = 0;
END;
CREATE INDEX sessions_live ON sessions (created_at_ms) WHERE ended = 0 AND state IN ('opening', 'open', 'open_offline');
CREATE INDEX sessions_unsettled ON sessions (created_at_ms)
  WHERE settled = 0 AND state IN ('opening', 'open', 'open_offline');
CREATE INDEX sessions_holds_unsettled ON sessions (created_at_ms) WHERE settled = 0 AND hold_requested = 1;
CREATE INDEX payment_ops_by_latest_time ON payment_ops (max(created_at_ms, first_attempt_at_ms, finished_at_ms));
)sql";

// 11: an audit row names the quarantined cart (quarantined_cart_id) or the outbox message
// (outbox_id) an operator acted on, as op_id names a payment operation, so retention keeps it
// while that row is kept (db/retention.hpp); NULL when it speaks of neither. Rows from before
// are filled in from their detail, which begins with what they speak of ("quarantined cart
// 12 of session ...", "outbox message 7 (...)"). Retention looks the named rows up by their
// primary keys: no index is needed.
constexpr std::string_view kAuditSubjects = R"sql(
ALTER TABLE audit_log ADD COLUMN quarantined_cart_id INTEGER;
ALTER TABLE audit_log ADD COLUMN outbox_id INTEGER;
UPDATE audit_log SET quarantined_cart_id = CAST(substr(detail, 18) AS INTEGER)
  WHERE action IN ('charge_cart', 'write_off_cart') AND detail LIKE 'quarantined cart %';
UPDATE audit_log SET outbox_id = CAST(substr(detail, 16) AS INTEGER)
  WHERE action IN ('outbox_retry', 'outbox_drop') AND detail LIKE 'outbox message %';
)sql";

// 12: the offline admissions of the last hour are counted on every offline admission (the
// hourly cap): by this index alone, without reading a session row, and only up to the cap.
// Through sessions_by_created_at each of the hour's sessions was read from the table.
constexpr std::string_view kOfflineAdmissions = R"sql(
CREATE INDEX sessions_offline_admitted ON sessions (created_at_ms) WHERE offline = 1 AND state <> 'denied';
)sql";

// 13: the totals `passgatectl status` shows (sessions by state, settlements), kept by
// triggers whatever code writes or deletes the rows (retention included), so status reads a
// few rows instead of walking a year of history on the event loop.
constexpr std::string_view kRowCounts = R"sql(
CREATE TABLE row_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO row_counts (name, n) SELECT 'sessions.' || state, COUNT(*) FROM sessions GROUP BY state;
INSERT INTO row_counts (name, n) SELECT 'settlements', COUNT(*) FROM settlements;
CREATE TRIGGER row_counts_session_added AFTER INSERT ON sessions BEGIN
  INSERT INTO row_counts (name, n) VALUES ('sessions.' || NEW.state, 1)
    ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER row_counts_session_moved AFTER UPDATE OF state ON sessions WHEN OLD.state <> NEW.state BEGIN
  UPDATE row_counts SET n = n - 1 WHERE name = 'sessions.' || OLD.state;
  INSERT INTO row_counts (name, n) VALUES ('sessions.' || NEW.state, 1)
    ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER row_counts_session_deleted AFTER DELETE ON sessions BEGIN
  UPDATE row_counts SET n = n - 1 WHERE name = 'sessions.' || OLD.state;
END;
CREATE TRIGGER row_counts_settlement_added AFTER INSERT ON settlements BEGIN
  INSERT INTO row_counts (name, n) VALUES ('settlements', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER row_counts_settlement_deleted AFTER DELETE ON settlements BEGIN
  UPDATE row_counts SET n = n - 1 WHERE name = 'settlements';
END;
)sql";

// 14: whether the gateway may have run an operation (`maybe_executed`): set by every answer
// and every send but a single send answered 429 or one never written (db/payment_queue.hpp).
// An entry hold that is not, whatever its attempts, is finished unsent when its shopper is
// denied. Before this version only a hold never claimed counted as unsent: every operation
// claimed at least once is taken as possibly run.
constexpr std::string_view kMaybeExecuted = R"sql(
ALTER TABLE payment_ops ADD COLUMN maybe_executed INTEGER NOT NULL DEFAULT 0;
UPDATE payment_ops SET maybe_executed = 1 WHERE attempts > 0 OR first_attempt_at_ms > 0;
)sql";

// 15: card-tap entry (db/card_attempt_store.hpp, db/card_blocklist.hpp).
// - card_attempts: one row per arming of a lane's payment terminal, keyed by the session id
//   generated at arming. Every idempotency key the attempt's POSTs use is written with the row,
//   before the first request (the collect and cancel_action keys of the current try with its
//   counter, before that try's requests); the references the terminal returned (customer,
//   PaymentIntent, saved card) only sealed, each with the id of the key that sealed it; the
//   card's fingerprint only as a keyed hash. At most one attempt per lane is not final
//   (admitted or voided): the partial unique index.
// - card_blocklist: cards (keyed fingerprint hashes) that left an unpaid remainder, until an
//   operator lifts the entry.
// A card session's shopper is "card:<keyed hash>", looked up through sessions_by_shopper.
constexpr std::string_view kCardAttempts = R"sql(
CREATE TABLE card_attempts (
  session_id         TEXT PRIMARY KEY NOT NULL,
  lane               INTEGER NOT NULL,
  reader_id          TEXT NOT NULL,
  currency           TEXT NOT NULL,
  hold_minor         INTEGER NOT NULL CHECK (hold_minor > 0),
  key_customer       TEXT NOT NULL UNIQUE,
  key_hold           TEXT NOT NULL UNIQUE,
  key_confirm        TEXT NOT NULL UNIQUE,
  key_process        TEXT NOT NULL UNIQUE,
  key_void           TEXT NOT NULL UNIQUE,
  try_counter        INTEGER NOT NULL DEFAULT 0 CHECK (try_counter >= 0),
  key_collect        TEXT NOT NULL UNIQUE,
  key_cancel_action  TEXT NOT NULL UNIQUE,
  customer_key_id    TEXT NOT NULL DEFAULT '',
  customer_sealed    BLOB,
  intent_key_id      TEXT NOT NULL DEFAULT '',
  intent_sealed      BLOB,
  fingerprint_hash   TEXT NOT NULL DEFAULT '',
  card_key_id        TEXT NOT NULL DEFAULT '',
  card_sealed        BLOB,
  card_brand         TEXT NOT NULL DEFAULT '',
  card_last4         TEXT NOT NULL DEFAULT '',
  card_incremental   INTEGER NOT NULL DEFAULT 0 CHECK (card_incremental IN (0, 1)),
  capture_before_s   INTEGER,
  state              TEXT NOT NULL
                     CHECK (state IN ('armed', 'tapped', 'held', 'admitted', 'abandoning', 'voided')),
  reason             TEXT NOT NULL DEFAULT '',
  shopper_denied     INTEGER NOT NULL DEFAULT 0 CHECK (shopper_denied IN (0, 1)),
  armed_at_ms        INTEGER NOT NULL,
  tapped_at_ms       INTEGER NOT NULL DEFAULT 0,
  held_at_ms         INTEGER NOT NULL DEFAULT 0,
  decided_at_ms      INTEGER NOT NULL DEFAULT 0,
  finished_at_ms     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX card_attempts_unfinished_by_lane ON card_attempts (lane)
  WHERE state IN ('armed', 'tapped', 'held', 'abandoning');
CREATE INDEX card_attempts_voided ON card_attempts (finished_at_ms) WHERE state = 'voided';

CREATE TABLE card_blocklist (
  fingerprint_hash TEXT PRIMARY KEY NOT NULL,
  reason           TEXT NOT NULL,
  session_id       TEXT NOT NULL,
  since_ms         INTEGER NOT NULL,
  lifted_at_ms     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX card_blocklist_by_session ON card_blocklist (session_id);
CREATE INDEX card_blocklist_lifted ON card_blocklist (lifted_at_ms) WHERE lifted_at_ms > 0;
)sql";

// 16: card sessions settled (controller/settlement/card_rules.hpp).
// - payment_ops.op gains 'increment' (a card hold raised to the cart's total before its
//   capture, key "<session_id>:increment"). SQLite cannot change a CHECK constraint: the table
//   is rebuilt with its rows, ids and sequence, its indexes and its trigger. (Renamed first, so
//   its references to itself follow it and the copy's point at the new table.)
// - a card session counts as one whose hold was requested (sessions.hold_requested), so a card
//   session that ends without a cart is found as an app session with a hold is, through
//   sessions_holds_unsettled: set when its attempt is admitted, and for those admitted before.
// - a card left on the blocklist by a session's unpaid remainder is lifted when that remainder
//   is paid or written off (by whatever code writes it), and the session has no other dead
//   letter left.
constexpr std::string_view kCardSettlement = R"sql(
ALTER TABLE payment_ops RENAME TO payment_ops_v15;
CREATE TABLE payment_ops (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id          TEXT NOT NULL REFERENCES sessions (session_id),
  op                  TEXT NOT NULL CHECK (op IN ('preauth', 'capture', 'charge', 'void', 'increment')),
  idempotency_key     TEXT NOT NULL UNIQUE,
  amount_minor        INTEGER NOT NULL CHECK (amount_minor >= 0),
  currency            TEXT NOT NULL,
  intent_id           TEXT NOT NULL DEFAULT '',
  after_op_id         INTEGER REFERENCES payment_ops (id),
  state               TEXT NOT NULL
                      CHECK (state IN ('pending', 'in_flight', 'succeeded', 'declined', 'dead', 'written_off')),
  alert               INTEGER NOT NULL DEFAULT 1 CHECK (alert IN (0, 1)),
  attempts            INTEGER NOT NULL DEFAULT 0,
  created_at_ms       INTEGER NOT NULL,
  first_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms  INTEGER NOT NULL,
  finished_at_ms      INTEGER NOT NULL DEFAULT 0,
  last_error          TEXT NOT NULL DEFAULT '',
  unverified          INTEGER NOT NULL DEFAULT 0 CHECK (unverified IN (0, 1)),
  replaced_by         INTEGER REFERENCES payment_ops (id),
  maybe_executed      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO payment_ops (id, session_id, op, idempotency_key, amount_minor, currency, intent_id, after_op_id, state,
                         alert, attempts, created_at_ms, first_attempt_at_ms, next_attempt_at_ms, finished_at_ms,
                         last_error, unverified, replaced_by, maybe_executed)
  SELECT id, session_id, op, idempotency_key, amount_minor, currency, intent_id, after_op_id, state, alert, attempts,
         created_at_ms, first_attempt_at_ms, next_attempt_at_ms, finished_at_ms, last_error, unverified, replaced_by,
         maybe_executed
  FROM payment_ops_v15 ORDER BY id;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'payment_ops', seq FROM sqlite_sequence WHERE name = 'payment_ops_v15'
    AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'payment_ops');
UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ('payment_ops', 'payment_ops_v15'))
  WHERE name = 'payment_ops';
DROP TABLE payment_ops_v15;
CREATE INDEX payment_ops_by_state ON payment_ops (state, next_attempt_at_ms);
CREATE INDEX payment_ops_by_session ON payment_ops (session_id);
CREATE INDEX payment_ops_by_after_op ON payment_ops (after_op_id) WHERE after_op_id IS NOT NULL;
CREATE INDEX payment_ops_by_replaced_by ON payment_ops (replaced_by) WHERE replaced_by IS NOT NULL;
CREATE INDEX payment_ops_by_latest_time ON payment_ops (max(created_at_ms, first_attempt_at_ms, finished_at_ms));
CREATE TRIGGER sessions_hold_requested AFTER INSERT ON payment_ops WHEN NEW.op = 'preauth' BEGIN
  UPDATE sessions SET hold_requested = 1 WHERE session_id = NEW.session_id AND hold_requested = 0;
END;
CREATE TRIGGER sessions_card_hold AFTER UPDATE OF state ON card_attempts WHEN NEW.state = 'admitted' BEGIN
  UPDATE sessions SET hold_requested = 1 WHERE session_id = NEW.session_id AND hold_requested = 0;
END;
UPDATE sessions SET hold_requested = 1 WHERE hold_requested = 0
  AND session_id IN (SELECT session_id FROM card_attempts WHERE state = 'admitted');
CREATE TRIGGER card_blocklist_lifted_when_paid AFTER UPDATE OF state ON payment_ops
  WHEN NEW.state IN ('succeeded', 'written_off') AND OLD.state <> NEW.state
    AND NEW.idempotency_key = NEW.session_id || ':charge:remainder' BEGIN
  UPDATE card_blocklist SET lifted_at_ms = max(NEW.finished_at_ms, 1)
    WHERE session_id = NEW.session_id AND lifted_at_ms = 0 AND reason = 'unpaid_remainder'
      AND NOT EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = NEW.session_id AND p.id <> NEW.id
                      AND p.state IN ('declined', 'dead') AND p.alert = 1 AND p.replaced_by IS NULL);
END;
)sql";

// 17: a card capture the gateway declined or refused, whose hold's PaymentIntent was read
// afterwards and found cancelled with nothing received (the hold lapsed, or the network
// cancelled it), is marked hold_canceled: the card planner replaces it with a charge of its
// amount to the saved card (or an unpaid remainder without one). An operator retry clears it.
constexpr std::string_view kHoldCanceled = R"sql(
ALTER TABLE payment_ops ADD COLUMN hold_canceled INTEGER NOT NULL DEFAULT 0 CHECK (hold_canceled IN (0, 1));
)sql";

// 18: a card is one blocklist row, whichever of its sessions left a remainder unpaid (a card
// listed already stays listed for its first session). Paying or writing off one session's
// remainder (the rest above the hold, or what a lost hold did not collect) therefore lifts the
// entry only when no other session of the same card (the same fingerprint_hash in
// card_attempts) still has an unpaid remainder; if one has, the entry names that session
// instead, and paying it lifts the entry in turn. As before, nothing is lifted while the paid
// session has another dead letter.
constexpr std::string_view kBlocklistPerCard = R"sql(
CREATE INDEX card_attempts_admitted_by_card ON card_attempts (fingerprint_hash) WHERE state = 'admitted';
DROP TRIGGER card_blocklist_lifted_when_paid;
CREATE TRIGGER card_blocklist_lifted_when_paid AFTER UPDATE OF state ON payment_ops
  WHEN NEW.state IN ('succeeded', 'written_off') AND OLD.state <> NEW.state
    AND NEW.idempotency_key IN (NEW.session_id || ':charge:remainder', NEW.session_id || ':charge:capture:remainder')
    AND NOT EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = NEW.session_id AND p.id <> NEW.id
                    AND p.state IN ('declined', 'dead') AND p.alert = 1 AND p.replaced_by IS NULL) BEGIN
  UPDATE card_blocklist SET session_id = (
      SELECT p.session_id FROM card_attempts a JOIN payment_ops p ON p.session_id = a.session_id
      WHERE a.fingerprint_hash = card_blocklist.fingerprint_hash AND a.state = 'admitted'
        AND a.session_id <> NEW.session_id AND p.op = 'charge' AND p.state NOT IN ('succeeded', 'written_off')
        AND p.idempotency_key IN (p.session_id || ':charge:remainder', p.session_id || ':charge:capture:remainder')
      ORDER BY p.id LIMIT 1)
    WHERE session_id = NEW.session_id AND lifted_at_ms = 0 AND reason = 'unpaid_remainder'
      AND EXISTS (SELECT 1 FROM card_attempts a JOIN payment_ops p ON p.session_id = a.session_id
                  WHERE a.fingerprint_hash = card_blocklist.fingerprint_hash AND a.state = 'admitted'
                    AND a.session_id <> NEW.session_id AND p.op = 'charge' AND p.state NOT IN ('succeeded', 'written_off')
                    AND p.idempotency_key IN (p.session_id || ':charge:remainder',
                                              p.session_id || ':charge:capture:remainder'));
  UPDATE card_blocklist SET lifted_at_ms = max(NEW.finished_at_ms, 1)
    WHERE session_id = NEW.session_id AND lifted_at_ms = 0 AND reason = 'unpaid_remainder';
END;
)sql";

// 19: what the gate saw go through its lanes on each session, kept after the tracking engine
// took the passage (its outbox message is deleted then): sessions.passages counts the passages
// reported on the session (any direction or kind: someone went through on it), so an operator's
// cancel of a session nobody used (db/session_cancel.hpp) can tell one somebody used. Counted by
// a trigger whatever code queues the passage. A session admitted before this version counts
// only its passages still in the outbox; those still live (admitted, not ended) with none there
// are marked -1: not known (their passages may have been delivered already).
constexpr std::string_view kSessionPassages = R"sql(
ALTER TABLE sessions ADD COLUMN passages INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET passages = (SELECT COUNT(*) FROM outbox o WHERE o.session_id = sessions.session_id
                                AND o.kind = 'passage')
  WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = sessions.session_id AND o.kind = 'passage');
UPDATE sessions SET passages = -1 WHERE passages = 0 AND ended = 0 AND state IN ('opening', 'open', 'open_offline');
CREATE TRIGGER sessions_passage_counted AFTER INSERT ON outbox
  WHEN NEW.kind = 'passage' AND NEW.session_id IS NOT NULL BEGIN
  UPDATE sessions SET passages = max(passages, 0) + 1 WHERE session_id = NEW.session_id;
END;
)sql";

// 20: a card's blocklist entry is lifted (or handed to another session of the card) whatever
// the order in which a partially paid session's operations are settled. A card session owes
// (card_sessions_owing) while it has a remainder (partially paid) and any of its operations is
// unresolved: the remainder not paid or written off, or any operation still to be sent or
// followed up (pending, in flight, or a dead letter with its alert on and not replaced). When
// the last unresolved operation of the session an entry names is resolved (paid, written off,
// replaced, or its alert cleared), the entry names the card's next session that owes, or none
// owes and it is lifted. Before, only the remainder's own payment lifted it, and nothing did if
// another dead letter of that session was settled after it (the card refused for good). The
// entries so stuck (naming a session with a remainder that owes nothing) are handed on or
// lifted now; an entry whose session has no remainder row is left to an operator.
constexpr std::string_view kBlocklistWhateverOrder = R"sql(
CREATE VIEW card_sessions_owing (session_id, fingerprint_hash, armed_at_ms) AS
  SELECT a.session_id, a.fingerprint_hash, a.armed_at_ms FROM card_attempts a
  WHERE a.state = 'admitted'
    AND EXISTS (SELECT 1 FROM payment_ops r WHERE r.session_id = a.session_id AND r.op = 'charge'
                AND r.idempotency_key IN (a.session_id || ':charge:remainder', a.session_id || ':charge:capture:remainder'))
    AND EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = a.session_id
                AND (p.state IN ('pending', 'in_flight')
                     OR (p.state IN ('declined', 'dead') AND p.alert = 1 AND p.replaced_by IS NULL)
                     OR (p.state NOT IN ('succeeded', 'written_off')
                         AND p.idempotency_key IN (a.session_id || ':charge:remainder',
                                                   a.session_id || ':charge:capture:remainder'))));
DROP TRIGGER card_blocklist_lifted_when_paid;
CREATE TRIGGER card_blocklist_lifted_when_settled AFTER UPDATE OF state, replaced_by, alert ON payment_ops
  WHEN (OLD.state IN ('pending', 'in_flight')
        OR (OLD.state IN ('declined', 'dead') AND OLD.alert = 1 AND OLD.replaced_by IS NULL)
        OR (OLD.state NOT IN ('succeeded', 'written_off')
            AND OLD.idempotency_key IN (OLD.session_id || ':charge:remainder', OLD.session_id || ':charge:capture:remainder')))
    AND NOT (NEW.state IN ('pending', 'in_flight')
             OR (NEW.state IN ('declined', 'dead') AND NEW.alert = 1 AND NEW.replaced_by IS NULL)
             OR (NEW.state NOT IN ('succeeded', 'written_off')
                 AND NEW.idempotency_key IN (NEW.session_id || ':charge:remainder',
                                             NEW.session_id || ':charge:capture:remainder')))
    AND EXISTS (SELECT 1 FROM card_blocklist b WHERE b.session_id = NEW.session_id AND b.lifted_at_ms = 0
                AND b.reason = 'unpaid_remainder')
    AND NOT EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.session_id = NEW.session_id) BEGIN
  UPDATE card_blocklist SET session_id = (
      SELECT o.session_id FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash
      ORDER BY o.armed_at_ms, o.session_id LIMIT 1)
    WHERE session_id = NEW.session_id AND lifted_at_ms = 0 AND reason = 'unpaid_remainder'
      AND EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash);
  UPDATE card_blocklist SET lifted_at_ms = max(NEW.finished_at_ms, 1)
    WHERE session_id = NEW.session_id AND lifted_at_ms = 0 AND reason = 'unpaid_remainder';
END;
UPDATE card_blocklist SET session_id = (
    SELECT o.session_id FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash
    ORDER BY o.armed_at_ms, o.session_id LIMIT 1)
  WHERE lifted_at_ms = 0 AND reason = 'unpaid_remainder'
    AND EXISTS (SELECT 1 FROM payment_ops r WHERE r.session_id = card_blocklist.session_id AND r.op = 'charge'
                AND r.idempotency_key IN (r.session_id || ':charge:remainder', r.session_id || ':charge:capture:remainder'))
    AND NOT EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.session_id = card_blocklist.session_id)
    AND EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash);
UPDATE card_blocklist SET lifted_at_ms = max(CAST(strftime('%s', 'now') AS INTEGER) * 1000, 1)
  WHERE lifted_at_ms = 0 AND reason = 'unpaid_remainder'
    AND EXISTS (SELECT 1 FROM payment_ops r WHERE r.session_id = card_blocklist.session_id AND r.op = 'charge'
                AND r.idempotency_key IN (r.session_id || ':charge:remainder', r.session_id || ':charge:capture:remainder'))
    AND NOT EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.session_id = card_blocklist.session_id);
)sql";

// 21: a created operation (preauth, charge) is sent with metadata[op_key], its key without the
// session id ("charge:capture"), so a lookup by session tells the session's charges apart
// (controller/settlement/search_verdict.hpp). payment_ops.op_key_sent says whether its sends
// carry it: every operation first sent from this version on; not one sent before (by an older
// version), which is resent with the parameters its key was first used with (the gateway
// refuses a key reused with other parameters).
constexpr std::string_view kOperationKeySent = R"sql(
ALTER TABLE payment_ops ADD COLUMN op_key_sent INTEGER NOT NULL DEFAULT 1 CHECK (op_key_sent IN (0, 1));
UPDATE payment_ops SET op_key_sent = 0 WHERE first_attempt_at_ms > 0 OR attempts > 0;
)sql";

// 22: an operator's retry of a declined charge is a new operation under a new key, the old one
// replaced by it (db/payment_queue.hpp, PaymentQueue::retry): a remainder retried so is
// "<session_id>:charge:remainder:retry<n>" (or ":charge:capture:remainder:retry<n>"). A card
// session owes (card_sessions_owing, and the trigger that lifts or hands on its card's entry)
// while it has a remainder, by any of these keys, and an operation unresolved; a remainder
// replaced by a new attempt is resolved (the new attempt is what is owed now). A void is never
// unresolved: it collects nothing, so a void still to be sent, or refused (a dead letter for its
// hold), keeps no card listed. The entries such a void kept listed are handed on or lifted now,
// as migration 20 did for the ones stuck then.
constexpr std::string_view kRetriedRemainders = R"sql(
DROP TRIGGER card_blocklist_lifted_when_settled;
DROP VIEW card_sessions_owing;
CREATE VIEW card_sessions_owing (session_id, fingerprint_hash, armed_at_ms) AS
  SELECT a.session_id, a.fingerprint_hash, a.armed_at_ms FROM card_attempts a
  WHERE a.state = 'admitted'
    AND EXISTS (SELECT 1 FROM payment_ops r WHERE r.session_id = a.session_id AND r.op = 'charge'
                AND (r.idempotency_key IN (a.session_id || ':charge:remainder',
                                           a.session_id || ':charge:capture:remainder')
                     OR rtrim(r.idempotency_key, '0123456789') IN (a.session_id || ':charge:remainder:retry',
                                                                   a.session_id || ':charge:capture:remainder:retry')))
    AND EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = a.session_id AND p.op <> 'void'
                AND (p.state IN ('pending', 'in_flight')
                     OR (p.state IN ('declined', 'dead') AND p.alert = 1 AND p.replaced_by IS NULL)
                     OR (p.state NOT IN ('succeeded', 'written_off') AND p.replaced_by IS NULL AND p.op = 'charge'
                         AND (p.idempotency_key IN (a.session_id || ':charge:remainder',
                                                    a.session_id || ':charge:capture:remainder')
                              OR rtrim(p.idempotency_key, '0123456789') IN
                                 (a.session_id || ':charge:remainder:retry',
                                  a.session_id || ':charge:capture:remainder:retry')))));
CREATE TRIGGER card_blocklist_lifted_when_settled AFTER UPDATE OF state, replaced_by, alert ON payment_ops
  WHEN NEW.op <> 'void'
    AND (OLD.state IN ('pending', 'in_flight')
        OR (OLD.state IN ('declined', 'dead') AND OLD.alert = 1 AND OLD.replaced_by IS NULL)
        OR (OLD.state NOT IN ('succeeded', 'written_off') AND OLD.replaced_by IS NULL AND OLD.op = 'charge'
            AND (OLD.idempotency_key IN (OLD.session_id || ':charge:remainder',
                                         OLD.session_id || ':charge:capture:remainder')
                 OR rtrim(OLD.idempotency_key, '0123456789') IN (OLD.session_id || ':charge:remainder:retry',
                                                                 OLD.session_id || ':charge:capture:remainder:retry'))))
    AND NOT (NEW.state IN ('pending', 'in_flight')
             OR (NEW.state IN ('declined', 'dead') AND NEW.alert = 1 AND NEW.replaced_by IS NULL)
             OR (NEW.state NOT IN ('succeeded', 'written_off') AND NEW.replaced_by IS NULL AND NEW.op = 'charge'
                 AND (NEW.idempotency_key IN (NEW.session_id || ':charge:remainder',
                                              NEW.session_id || ':charge:capture:remainder')
                      OR rtrim(NEW.idempotency_key, '0123456789') IN
                         (NEW.session_id || ':charge:remainder:retry', NEW.session_id || ':charge:capture:remainder:retry'))))
    AND EXISTS (SELECT 1 FROM card_blocklist b WHERE b.session_id = NEW.session_id AND b.lifted_at_ms = 0
                AND b.reason = 'unpaid_remainder')
    AND NOT EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.session_id = NEW.session_id) BEGIN
  UPDATE card_blocklist SET session_id = (
      SELECT o.session_id FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash
      ORDER BY o.armed_at_ms, o.session_id LIMIT 1)
    WHERE session_id = NEW.session_id AND lifted_at_ms = 0 AND reason = 'unpaid_remainder'
      AND EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash);
  UPDATE card_blocklist SET lifted_at_ms = max(NEW.finished_at_ms, 1)
    WHERE session_id = NEW.session_id AND lifted_at_ms = 0 AND reason = 'unpaid_remainder';
END;
UPDATE card_blocklist SET session_id = (
    SELECT o.session_id FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash
    ORDER BY o.armed_at_ms, o.session_id LIMIT 1)
  WHERE lifted_at_ms = 0 AND reason = 'unpaid_remainder'
    AND EXISTS (SELECT 1 FROM payment_ops v WHERE v.session_id = card_blocklist.session_id AND v.op = 'void')
    AND EXISTS (SELECT 1 FROM payment_ops r WHERE r.session_id = card_blocklist.session_id AND r.op = 'charge'
                AND r.idempotency_key IN (r.session_id || ':charge:remainder', r.session_id || ':charge:capture:remainder'))
    AND NOT EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.session_id = card_blocklist.session_id)
    AND EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.fingerprint_hash = card_blocklist.fingerprint_hash);
UPDATE card_blocklist SET lifted_at_ms = max(CAST(strftime('%s', 'now') AS INTEGER) * 1000, 1)
  WHERE lifted_at_ms = 0 AND reason = 'unpaid_remainder'
    AND EXISTS (SELECT 1 FROM payment_ops v WHERE v.session_id = card_blocklist.session_id AND v.op = 'void')
    AND EXISTS (SELECT 1 FROM payment_ops r WHERE r.session_id = card_blocklist.session_id AND r.op = 'charge'
                AND r.idempotency_key IN (r.session_id || ':charge:remainder', r.session_id || ':charge:capture:remainder'))
    AND NOT EXISTS (SELECT 1 FROM card_sessions_owing o WHERE o.session_id = card_blocklist.session_id);
)sql";

// 23: the store-wide coordination's durable work (issue 20, docs/store-coordination.md), done
// by controller/admission/store_reconciler.hpp while the [store] section is configured, which
// gate_status "store_coordination" says (written at every start; the triggers below do nothing
// without it). store_claims_pending holds, per session and kind (its token, its shopper):
//   claim    admitted without the store's answer (fallback "local"): to be claimed, a claim
//            found taken by another array is a double use (store_double_uses);
//   release  the key may hold this array's claim for a session that no longer needs it: a
//            token whose id this array freed again (a denial that lets the shopper retry, the
//            claim possibly written after its time-out), a shopper whose session ended (denied,
//            cancelled, a final cart or settlement). Removed only if it still names the session.
// Triggers write the releases, whatever code ends the session or frees the id, in its own
// transaction: a crash between a claim and the admitting commit leaves the session opening,
// the next start closes it, and the release of its shopper follows from that. An id freed by
// the purge (its token ended a day before the purge mark or more) is not released (its key has
// lapsed long since). sessions.unverified marks an admission made without the store-wide
// claim: it counts against the hourly offline cap like an offline admission, once either way.
// passage_totals: the passages reported in and out since this version (the occupancy totals
// this array publishes), counted by a trigger as each passage is queued for the tracking engine
// (by its body's "direction"; a body that is not JSON counts nowhere and is still queued).
constexpr std::string_view kStoreCoordination = R"sql(
ALTER TABLE sessions ADD COLUMN unverified INTEGER NOT NULL DEFAULT 0 CHECK (unverified IN (0, 1));
DROP INDEX sessions_offline_admitted;
CREATE INDEX sessions_offline_admitted ON sessions (created_at_ms)
  WHERE (offline = 1 OR unverified = 1) AND state <> 'denied';
CREATE TABLE store_claims_pending (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('token', 'shopper')),
  claim_id   TEXT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('claim', 'release')),
  until_s    INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (session_id, kind)
);
CREATE TABLE store_double_uses (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL CHECK (kind IN ('token', 'shopper')),
  claim_id    TEXT NOT NULL,
  session_id  TEXT NOT NULL,
  other       TEXT NOT NULL,
  found_at_ms INTEGER NOT NULL
);
CREATE INDEX store_double_uses_by_time ON store_double_uses (found_at_ms);
CREATE TRIGGER store_release_token AFTER DELETE ON used_tokens
  WHEN EXISTS (SELECT 1 FROM gate_status WHERE name = 'store_coordination' AND value = '1')
    AND OLD.expires_at >= COALESCE((SELECT CAST(value AS INTEGER) FROM gate_status
                                    WHERE name = 'used_tokens_purged_by_s'), 0) - 86400 BEGIN
  INSERT OR REPLACE INTO store_claims_pending (session_id, kind, claim_id, action, until_s)
    VALUES (OLD.session_id, 'token', OLD.token_id, 'release', OLD.expires_at);
END;
CREATE TRIGGER store_release_shopper_denied AFTER UPDATE OF state ON sessions
  WHEN NEW.state IN ('denied', 'cancelled') AND OLD.state <> NEW.state
    AND EXISTS (SELECT 1 FROM gate_status WHERE name = 'store_coordination' AND value = '1') BEGIN
  INSERT OR REPLACE INTO store_claims_pending (session_id, kind, claim_id, action, until_s)
    VALUES (NEW.session_id, 'shopper', NEW.shopper, 'release', 0);
END;
CREATE TRIGGER store_release_shopper_ended AFTER UPDATE OF ended ON sessions
  WHEN NEW.ended = 1 AND OLD.ended = 0 AND NEW.state NOT IN ('denied', 'cancelled')
    AND EXISTS (SELECT 1 FROM gate_status WHERE name = 'store_coordination' AND value = '1') BEGIN
  INSERT OR REPLACE INTO store_claims_pending (session_id, kind, claim_id, action, until_s)
    VALUES (NEW.session_id, 'shopper', NEW.shopper, 'release', 0);
END;
CREATE TABLE passage_totals (direction TEXT PRIMARY KEY CHECK (direction IN ('in', 'out')), n INTEGER NOT NULL)
  WITHOUT ROWID;
INSERT INTO passage_totals (direction, n) VALUES ('in', 0), ('out', 0);
CREATE TRIGGER passage_totals_counted AFTER INSERT ON outbox WHEN NEW.kind = 'passage' AND json_valid(NEW.body) BEGIN
  UPDATE passage_totals SET n = n + 1 WHERE direction = json_extract(NEW.body, '$.direction');
END;
)sql";

// 24: this database's instance id (gate_status "store_instance"), random, made once: written
// in every holder this gate array puts in the store's etcd (controller/coordination/store_keys.hpp),
// so a key held under this gate_id by another box (a duplicated gate_id, a restored or copied
// database) is told apart from this database's own and never taken over
// (docs/store-coordination.md).
constexpr std::string_view kStoreInstance = R"sql(
INSERT OR IGNORE INTO gate_status (name, value, updated_at_ms)
  VALUES ('store_instance', lower(hex(randomblob(16))), 0);
)sql";

// 25: a token double use found by reconciliation (docs/store-coordination.md) holds this
// array's session's charge for an operator: sessions.double_use marks the session, and its
// cart is quarantined with the reason 'double_use' (db/cart_quarantine.hpp): moved there from
// `carts` if it came and was not settled yet, or when it comes. store_double_uses.cart says
// what became of the cart when the double use was found: 'awaited' (not come yet: it will be
// quarantined), 'quarantined', or 'settled' (charged or planned already; nothing is undone).
// (SQLite cannot change a CHECK constraint: quarantined_carts is rebuilt with its rows, its
// indexes and its trigger.)
constexpr std::string_view kDoubleUseHeld = R"sql(
ALTER TABLE sessions ADD COLUMN double_use INTEGER NOT NULL DEFAULT 0 CHECK (double_use IN (0, 1));
ALTER TABLE store_double_uses ADD COLUMN cart TEXT NOT NULL DEFAULT ''
  CHECK (cart IN ('', 'awaited', 'quarantined', 'settled'));
CREATE TABLE quarantined_carts_v25 (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id     TEXT NOT NULL DEFAULT '',
  reason         TEXT NOT NULL
                 CHECK (reason IN ('unreadable', 'currency', 'over_limit', 'not_admitted', 'double_use')),
  detail         TEXT NOT NULL,
  raw            TEXT NOT NULL,
  finalized_at   TEXT NOT NULL DEFAULT '',
  received_at_ms INTEGER NOT NULL,
  state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'charged', 'written_off')),
  settled_at_ms  INTEGER NOT NULL DEFAULT 0,
  settled_by     TEXT NOT NULL DEFAULT ''
);
INSERT INTO quarantined_carts_v25 (id, session_id, reason, detail, raw, finalized_at, received_at_ms, state,
                                   settled_at_ms, settled_by)
  SELECT id, session_id, reason, detail, raw, finalized_at, received_at_ms, state, settled_at_ms, settled_by
  FROM quarantined_carts;
DROP TABLE quarantined_carts;
ALTER TABLE quarantined_carts_v25 RENAME TO quarantined_carts;
CREATE UNIQUE INDEX quarantined_carts_by_session ON quarantined_carts (session_id) WHERE session_id <> '';
CREATE UNIQUE INDEX quarantined_carts_by_raw ON quarantined_carts (raw) WHERE session_id = '';
CREATE INDEX quarantined_carts_by_state ON quarantined_carts (state);
CREATE TRIGGER sessions_ended_by_quarantine AFTER INSERT ON quarantined_carts WHEN NEW.session_id <> '' BEGIN
  UPDATE sessions SET ended = 1 WHERE session_id = NEW.session_id AND ended = 0;
END;
)sql";

// 26: which sessions the store's etcd knows of. sessions.store_claimed marks a session begun
// while the gate coordinated with its store (gate_status "store_coordination"), set as it is
// inserted; the release triggers of migration 23 test it instead of the flag, so a session
// claimed under [store] still owes its releases when it ends after [store] was removed (done
// once the section is back), and one begun without [store] owes none. Card-tap sessions never
// reach etcd (docs/store-coordination.md): their shopper ("card:<fingerprint hash>") and token
// id ("card:<session>") are the card's at this array only, so a session with a card attempt
// (card_attempts, written before its session) is never marked; what was owed for card
// sessions is dropped. Sessions open at the upgrade are marked as the flag says now.
constexpr std::string_view kStoreClaimedSessions = R"sql(
ALTER TABLE sessions ADD COLUMN store_claimed INTEGER NOT NULL DEFAULT 0 CHECK (store_claimed IN (0, 1));
UPDATE sessions SET store_claimed = 1
  WHERE ended = 0 AND state IN ('opening', 'open', 'open_offline')
    AND EXISTS (SELECT 1 FROM gate_status WHERE name = 'store_coordination' AND value = '1')
    AND NOT EXISTS (SELECT 1 FROM card_attempts a WHERE a.session_id = sessions.session_id);
CREATE TRIGGER store_claimed_session AFTER INSERT ON sessions
  WHEN EXISTS (SELECT 1 FROM gate_status WHERE name = 'store_coordination' AND value = '1')
    AND NOT EXISTS (SELECT 1 FROM card_attempts a WHERE a.session_id = NEW.session_id) BEGIN
  UPDATE sessions SET store_claimed = 1 WHERE session_id = NEW.session_id;
END;
DROP TRIGGER store_release_token;
DROP TRIGGER store_release_shopper_denied;
DROP TRIGGER store_release_shopper_ended;
CREATE TRIGGER store_release_token AFTER DELETE ON used_tokens
  WHEN EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = OLD.session_id AND s.store_claimed = 1)
    AND OLD.expires_at >= COALESCE((SELECT CAST(value AS INTEGER) FROM gate_status
                                    WHERE name = 'used_tokens_purged_by_s'), 0) - 86400 BEGIN
  INSERT OR REPLACE INTO store_claims_pending (session_id, kind, claim_id, action, until_s)
    VALUES (OLD.session_id, 'token', OLD.token_id, 'release', OLD.expires_at);
END;
CREATE TRIGGER store_release_shopper_denied AFTER UPDATE OF state ON sessions
  WHEN NEW.state IN ('denied', 'cancelled') AND OLD.state <> NEW.state AND NEW.store_claimed = 1 BEGIN
  INSERT OR REPLACE INTO store_claims_pending (session_id, kind, claim_id, action, until_s)
    VALUES (NEW.session_id, 'shopper', NEW.shopper, 'release', 0);
END;
CREATE TRIGGER store_release_shopper_ended AFTER UPDATE OF ended ON sessions
  WHEN NEW.ended = 1 AND OLD.ended = 0 AND NEW.state NOT IN ('denied', 'cancelled') AND NEW.store_claimed = 1 BEGIN
  INSERT OR REPLACE INTO store_claims_pending (session_id, kind, claim_id, action, until_s)
    VALUES (NEW.session_id, 'shopper', NEW.shopper, 'release', 0);
END;
DELETE FROM store_claims_pending WHERE session_id IN (SELECT session_id FROM card_attempts);
)sql";

// 27: what an older version left of a double use's cart. Before migration 27's version, a
// cart an operator charged after correction (of another reason) could wait in `carts`,
// unsettled, for a session found a double use meanwhile, with nothing to hold it; and a
// session's open row of another reason was relabelled double_use only when an operator tried
// to charge it. As the gate does when it finds a double use (db/store_claims_pending.cpp,
// hold_charge): such a cart goes back to the quarantine as double_use, its row reopened (its
// raw cart kept; the undone charge in its detail and in the audit log), and the session's
// open row of another reason is relabelled. (The planner also refuses a double use's cart
// unless an operator charged its double_use row: db/settlement_store.cpp.)
constexpr std::string_view kDoubleUseRepaired = R"sql(
INSERT INTO audit_log (at_ms, actor, action, op_id, detail, quarantined_cart_id)
  SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, 'passgated', 'reopen_cart', 0,
         'quarantined cart ' || q.id || ' of session ' || q.session_id || ': reopened as double_use at the upgrade,'
         || ' its charge after correction (by ' || q.settled_by || ' at ' || q.settled_at_ms || ' ms) not carried out:'
         || ' the session''s entry token was found admitted at another gate array too', q.id
  FROM quarantined_carts q JOIN sessions s ON s.session_id = q.session_id JOIN carts c ON c.session_id = q.session_id
  WHERE s.double_use = 1 AND s.settled = 0 AND q.state = 'charged' AND q.reason <> 'double_use';
INSERT INTO quarantined_carts (session_id, reason, detail, raw, finalized_at, received_at_ms)
  SELECT c.session_id, 'double_use',
         'this session''s entry token was admitted at another gate array of the store too (a double use, log'
         || ' event=store_double_use): an operator decides whom to charge; its cart of ' || c.total_minor || ' '
         || c.currency || ' (minor units) is not charged',
         json_object('session_id', c.session_id, 'currency', c.currency, 'total_minor', c.total_minor,
                     'finalized_at', c.finalized_at),
         c.finalized_at, CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM carts c JOIN sessions s ON s.session_id = c.session_id
  WHERE s.double_use = 1 AND s.settled = 0
    AND NOT EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.session_id = c.session_id
                    AND q.reason = 'double_use' AND q.state = 'charged')
  ON CONFLICT (session_id) WHERE session_id <> '' DO UPDATE SET reason = excluded.reason,
    detail = excluded.detail || '; quarantined first as ' || quarantined_carts.reason || ' ('
             || quarantined_carts.state || CASE quarantined_carts.settled_by WHEN '' THEN '' ELSE ' by '
             || quarantined_carts.settled_by END || '): ' || quarantined_carts.detail,
    state = 'open', settled_at_ms = 0, settled_by = '';
DELETE FROM carts WHERE session_id IN (
  SELECT s.session_id FROM sessions s WHERE s.double_use = 1 AND s.settled = 0
    AND NOT EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.session_id = s.session_id
                    AND q.reason = 'double_use' AND q.state = 'charged'));
UPDATE quarantined_carts SET reason = 'double_use',
  detail = 'this session''s entry token was admitted at another gate array of the store too (a double use, log'
           || ' event=store_double_use): an operator decides whom to charge; quarantined first as ' || reason
           || ': ' || detail
  WHERE state = 'open' AND reason NOT IN ('double_use', 'not_admitted')
    AND session_id IN (SELECT session_id FROM sessions WHERE double_use = 1 AND settled = 0);
)sql";

constexpr std::array<std::string_view, 27> kMigrations = {
    kSessionsAndOutbox, kSettlement,        kSessionsByShopper, kQuarantinedCarts,       kAuditPeer,
    kSettleAfterCharge, kOutboxBySession,   kUsedTokensFromSessions, kRetentionLookups,
    kSessionHistoryFlags, kAuditSubjects,   kOfflineAdmissions, kRowCounts, kMaybeExecuted,
    kCardAttempts, kCardSettlement, kHoldCanceled, kBlocklistPerCard, kSessionPassages,
    kBlocklistWhateverOrder, kOperationKeySent, kRetriedRemainders, kStoreCoordination,
    kStoreInstance, kDoubleUseHeld, kStoreClaimedSessions, kDoubleUseRepaired};

}  // namespace

std::span<const std::string_view> schema_migrations() { return kMigrations; }

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

}  // namespace passgate::db
