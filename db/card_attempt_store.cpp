#include "db/card_attempt_store.hpp"

#include <array>
#include <set>
#include <stdexcept>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/card_blocklist.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

constexpr std::array<std::pair<CardAttemptState, std::string_view>, 6> kAttemptStates = {{
    {CardAttemptState::armed, "armed"},
    {CardAttemptState::tapped, "tapped"},
    {CardAttemptState::held, "held"},
    {CardAttemptState::admitted, "admitted"},
    {CardAttemptState::abandoning, "abandoning"},
    {CardAttemptState::voided, "voided"},
}};

// A state change of the attempt bound as ?1: `sql` changes it only in the states (and with
// the references) `from` says; further values bind from ?2.
struct Step {
  std::string_view what;  // for messages: "mark tapped"
  std::string_view from;  // for messages: "armed with its PaymentIntent"
  const char* sql;
};

constexpr Step kCustomer{"record the customer of", "armed without a customer",
                         "UPDATE card_attempts SET customer_key_id = ?2, customer_sealed = ?3"
                         " WHERE session_id = ?1 AND state = 'armed' AND customer_sealed IS NULL"};
constexpr Step kIntent{"record the PaymentIntent of", "armed with a customer and without a PaymentIntent",
                       "UPDATE card_attempts SET intent_key_id = ?2, intent_sealed = ?3"
                       " WHERE session_id = ?1 AND state = 'armed' AND customer_sealed IS NOT NULL"
                       " AND intent_sealed IS NULL"};
constexpr Step kNextTry{"start the next try of", "armed with its PaymentIntent at that try",
                        "UPDATE card_attempts SET try_counter = try_counter + 1, key_collect = ?3, key_cancel_action = ?4"
                        " WHERE session_id = ?1 AND state = 'armed' AND intent_sealed IS NOT NULL AND try_counter = ?2"};
constexpr Step kTapped{"mark tapped", "armed with its PaymentIntent",
                       "UPDATE card_attempts SET state = 'tapped', fingerprint_hash = ?2, tapped_at_ms = ?3"
                       " WHERE session_id = ?1 AND state = 'armed' AND intent_sealed IS NOT NULL"};
// ?2 the held card's hash: a tapped attempt must have tapped that card.
constexpr Step kHeld{"mark held", "tapped, or armed with its PaymentIntent",
                     "UPDATE card_attempts SET state = 'held', fingerprint_hash = ?2, card_key_id = ?3, card_sealed = ?4,"
                     " card_brand = ?5, card_last4 = ?6, card_incremental = ?7, capture_before_s = ?8, held_at_ms = ?9"
                     " WHERE session_id = ?1 AND intent_sealed IS NOT NULL"
                     " AND (state = 'armed' OR (state = 'tapped' AND fingerprint_hash = ?2))"};
constexpr Step kAdmitted{"admit", "held",
                         "UPDATE card_attempts SET state = 'admitted', decided_at_ms = ?2, finished_at_ms = ?2"
                         " WHERE session_id = ?1 AND state = 'held'"};
// ?2 the reason, ?3 whether a shopper was denied, ?4 the time.
constexpr Step kGiveUp{"give up", "armed, tapped or held",
                       "UPDATE card_attempts SET state = 'abandoning', reason = ?2, shopper_denied = ?3, decided_at_ms = ?4"
                       " WHERE session_id = ?1 AND state IN ('armed', 'tapped', 'held')"};
constexpr Step kVoided{"mark voided", "abandoning",
                       "UPDATE card_attempts SET state = 'voided', finished_at_ms = ?2"
                       " WHERE session_id = ?1 AND state = 'abandoning'"};

std::string step_context(const Step& s, const std::string& session_id) {
  return std::string(s.what) + " card attempt " + session_id;
}

// The refusal of `s`: "wrong_state" naming the attempt's state, or that there is none.
Error refusal(Database& db, const Step& s, const std::string& session_id) {
  auto current = db.statement("SELECT state FROM card_attempts WHERE session_id = ?1");
  current->bind(1, session_id);
  const std::string why = current->executeStep()
                              ? "it is " + current->getColumn(0).getString() + ", not " + std::string(s.from)
                              : "no such attempt";
  return make_error("wrong_state", "cannot " + step_context(s, session_id) + ": " + why);
}

// Applies `s` within the caller's transaction, if any; "wrong_state" if nothing changed.
template <class... Values>
Status apply_step(Database& db, const Step& s, const std::string& session_id, const Values&... values) {
  auto update = db.statement(s.sql);
  SQLite::bind(*update, session_id, values...);
  if (update->exec() > 0) return {};
  return refusal(db, s, session_id);
}

template <class... Values>
Status guarded_step(Database& db, const Step& s, const std::string& session_id, const Values&... values) {
  return guarded(step_context(s, session_id), [&] { return apply_step(db, s, session_id, values...); });
}

// Binds a sealed reference as ?at (key id) and ?at+1 (its bytes; NULL when empty).
void bind_sealed(SQLite::Statement& statement, int at, const SealedRef& ref) {
  statement.bind(at, ref.key_id);
  if (ref.empty()) {
    statement.bind(at + 1);
  } else {
    statement.bind(at + 1, ref.bytes.data(), static_cast<int>(ref.bytes.size()));
  }
}

Status guarded_apply_sealed(Database& db, const Step& s, const std::string& session_id, const SealedRef& ref) {
  if (ref.empty()) {
    return make_error("bad_attempt", "cannot " + step_context(s, session_id) + ": the sealed reference is empty");
  }
  return guarded(step_context(s, session_id), [&]() -> Status {
    auto update = db.statement(s.sql);
    update->bind(1, session_id);
    bind_sealed(*update, 2, ref);
    if (update->exec() > 0) return {};
    return refusal(db, s, session_id);
  });
}

// "bad_attempt" unless every key is "<session_id>:..." and no two are equal.
Status check_keys(const std::string& session_id, const std::vector<const std::string*>& keys) {
  std::set<std::string> seen;
  for (const std::string* key : keys) {
    if (key->size() <= session_id.size() + 1 || key->compare(0, session_id.size() + 1, session_id + ":") != 0) {
      return make_error("bad_attempt", "card attempt " + session_id + ": idempotency key '" + *key +
                                           "' does not begin with the attempt's session id");
    }
    if (!seen.insert(*key).second) {
      return make_error("bad_attempt", "card attempt " + session_id + ": idempotency key '" + *key +
                                           "' is given twice");
    }
  }
  return {};
}

constexpr std::string_view kAttemptColumns =
    "SELECT session_id, lane, reader_id, currency, hold_minor, key_customer, key_hold, key_confirm, key_process,"
    " key_void, key_collect, key_cancel_action, try_counter, customer_key_id, customer_sealed, intent_key_id,"
    " intent_sealed, fingerprint_hash, card_key_id, card_sealed, card_brand, card_last4, card_incremental,"
    " capture_before_s, state, reason, shopper_denied, armed_at_ms, tapped_at_ms, held_at_ms, decided_at_ms,"
    " finished_at_ms FROM card_attempts ";

std::string select_attempts(std::string_view rest) { return std::string(kAttemptColumns) + std::string(rest); }

SealedRef read_sealed(const SQLite::Statement& row, int at) {
  SealedRef ref{.key_id = row.getColumn(at).getString(), .bytes = {}};
  if (const SQLite::Column sealed = row.getColumn(at + 1); !sealed.isNull()) {
    const auto* bytes = static_cast<const std::uint8_t*>(sealed.getBlob());
    ref.bytes.assign(bytes, bytes + sealed.getBytes());
  }
  return ref;
}

CardAttemptRecord read_attempt(const SQLite::Statement& row) {
  CardAttemptRecord r;
  r.session_id = row.getColumn(0).getString();
  r.lane = row.getColumn(1).getInt();
  r.reader_id = row.getColumn(2).getString();
  r.currency = row.getColumn(3).getString();
  r.hold_minor = row.getColumn(4).getInt64();
  r.keys = CardAttemptKeys{.customer = row.getColumn(5).getString(),
                           .hold = row.getColumn(6).getString(),
                           .confirm = row.getColumn(7).getString(),
                           .process = row.getColumn(8).getString(),
                           .void_intent = row.getColumn(9).getString(),
                           .collect = row.getColumn(10).getString(),
                           .cancel_action = row.getColumn(11).getString()};
  r.try_counter = row.getColumn(12).getInt();
  r.customer = read_sealed(row, 13);
  r.intent = read_sealed(row, 15);
  r.card.fingerprint_hash = row.getColumn(17).getString();
  r.card.generated_card = read_sealed(row, 18);
  r.card.brand = row.getColumn(20).getString();
  r.card.last4 = row.getColumn(21).getString();
  r.card.incremental_authorization_supported = row.getColumn(22).getInt() != 0;
  if (!row.getColumn(23).isNull()) r.card.capture_before_s = row.getColumn(23).getInt64();
  const std::string state = row.getColumn(24).getString();
  const auto parsed = card_attempt_state_from_string(state);
  if (!parsed) throw std::runtime_error("card attempt " + r.session_id + " has unknown state '" + state + "'");
  r.state = *parsed;
  r.reason = row.getColumn(25).getString();
  r.shopper_denied = row.getColumn(26).getInt() != 0;
  r.armed_at_ms = row.getColumn(27).getInt64();
  r.tapped_at_ms = row.getColumn(28).getInt64();
  r.held_at_ms = row.getColumn(29).getInt64();
  r.decided_at_ms = row.getColumn(30).getInt64();
  r.finished_at_ms = row.getColumn(31).getInt64();
  return r;
}

std::vector<CardAttemptRecord> read_attempts(SQLite::Statement& query) {
  std::vector<CardAttemptRecord> found;
  while (query.executeStep()) found.push_back(read_attempt(query));
  return found;
}

// Whether `key` is already an idempotency key of an attempt (a look-up in each key's index).
bool key_used(Database& db, const std::string& key) {
  auto query = db.statement(
      "SELECT 1 FROM card_attempts WHERE key_customer = ?1 UNION ALL SELECT 1 FROM card_attempts WHERE key_hold = ?1"
      " UNION ALL SELECT 1 FROM card_attempts WHERE key_confirm = ?1"
      " UNION ALL SELECT 1 FROM card_attempts WHERE key_process = ?1"
      " UNION ALL SELECT 1 FROM card_attempts WHERE key_void = ?1"
      " UNION ALL SELECT 1 FROM card_attempts WHERE key_collect = ?1"
      " UNION ALL SELECT 1 FROM card_attempts WHERE key_cancel_action = ?1");
  query->bind(1, key);
  return query->executeStep();
}

// Why the session id of a new attempt cannot be used ("" if it can), within the transaction.
std::string session_id_taken(Database& db, const std::string& session_id) {
  auto attempt = db.statement("SELECT 1 FROM card_attempts WHERE session_id = ?1");
  attempt->bind(1, session_id);
  if (attempt->executeStep()) return "an attempt has it already";
  auto session = db.statement("SELECT 1 FROM sessions WHERE session_id = ?1");
  session->bind(1, session_id);
  if (session->executeStep()) return "a session has it already";
  return {};
}

}  // namespace

std::string_view to_string(CardAttemptState s) {
  for (const auto& [state, name] : kAttemptStates) {
    if (state == s) return name;
  }
  return "unknown";
}

std::optional<CardAttemptState> card_attempt_state_from_string(std::string_view name) {
  for (const auto& [state, text] : kAttemptStates) {
    if (text == name) return state;
  }
  return std::nullopt;
}

bool is_final(CardAttemptState s) { return s == CardAttemptState::admitted || s == CardAttemptState::voided; }

std::string card_shopper(std::string_view fingerprint_hash) { return "card:" + std::string(fingerprint_hash); }

Status CardAttemptStore::arm(const NewCardAttempt& a, std::int64_t now_ms) {
  const std::string what = "arm card attempt " + a.session_id + " on lane " + std::to_string(a.lane);
  if (a.session_id.empty() || a.reader_id.empty() || a.currency.empty() || a.hold_minor <= 0) {
    return make_error("bad_attempt", "cannot " + what + ": a session id, a reader, a currency and a positive hold are needed");
  }
  const CardAttemptKeys& k = a.keys;
  if (Status ok = check_keys(a.session_id, {&k.customer, &k.hold, &k.confirm, &k.process, &k.void_intent, &k.collect,
                                             &k.cancel_action});
      !ok) {
    return ok;
  }
  return guarded(what, [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto busy = db_.statement(
        "SELECT session_id, state FROM card_attempts WHERE lane = ?1"
        " AND state IN ('armed', 'tapped', 'held', 'abandoning')");
    busy->bind(1, a.lane);
    if (busy->executeStep()) {
      return make_error("lane_busy", "cannot " + what + ": the lane's attempt " + busy->getColumn(0).getString() +
                                         " is " + busy->getColumn(1).getString() + ", not final");
    }
    if (const std::string taken = session_id_taken(db_, a.session_id); !taken.empty()) {
      return make_error("duplicate", "cannot " + what + ": the session id is used: " + taken);
    }
    for (const std::string* key : {&k.customer, &k.hold, &k.confirm, &k.process, &k.void_intent, &k.collect,
                                   &k.cancel_action}) {
      if (key_used(db_, *key)) return make_error("duplicate", "cannot " + what + ": key '" + *key + "' is used");
    }
    auto insert = db_.statement(
        "INSERT INTO card_attempts (session_id, lane, reader_id, currency, hold_minor, key_customer, key_hold,"
        " key_confirm, key_process, key_void, key_collect, key_cancel_action, state, armed_at_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'armed', ?13)");
    SQLite::bind(*insert, a.session_id, a.lane, a.reader_id, a.currency, a.hold_minor, k.customer, k.hold, k.confirm,
                 k.process, k.void_intent, k.collect, k.cancel_action, now_ms);
    insert->exec();
    transaction.commit();
    return {};
  });
}

Status CardAttemptStore::record_customer(const std::string& session_id, const SealedRef& customer) {
  return guarded_apply_sealed(db_, kCustomer, session_id, customer);
}

Status CardAttemptStore::record_intent(const std::string& session_id, const SealedRef& intent) {
  return guarded_apply_sealed(db_, kIntent, session_id, intent);
}

Status CardAttemptStore::next_try(const std::string& session_id, int from_try, const std::string& collect_key,
                                  const std::string& cancel_action_key) {
  if (Status ok = check_keys(session_id, {&collect_key, &cancel_action_key}); !ok) return ok;
  return guarded(step_context(kNextTry, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    for (const std::string* key : {&collect_key, &cancel_action_key}) {
      if (key_used(db_, *key)) {
        return make_error("bad_attempt", "cannot " + step_context(kNextTry, session_id) + ": key '" + *key + "' is used");
      }
    }
    if (Status moved = apply_step(db_, kNextTry, session_id, from_try, collect_key, cancel_action_key); !moved) {
      return moved;
    }
    transaction.commit();
    return {};
  });
}

Status CardAttemptStore::mark_tapped(const std::string& session_id, const std::string& fingerprint_hash,
                                     std::int64_t now_ms) {
  if (fingerprint_hash.empty()) {
    return make_error("bad_attempt", "cannot " + step_context(kTapped, session_id) + ": no fingerprint hash");
  }
  return guarded_step(db_, kTapped, session_id, fingerprint_hash, now_ms);
}

Status CardAttemptStore::mark_held(const std::string& session_id, const HeldCard& card, std::int64_t now_ms) {
  if (card.fingerprint_hash.empty()) {
    return make_error("bad_attempt", "cannot " + step_context(kHeld, session_id) + ": no fingerprint hash");
  }
  return guarded(step_context(kHeld, session_id), [&]() -> Status {
    auto update = db_.statement(kHeld.sql);
    update->bind(1, session_id);
    update->bind(2, card.fingerprint_hash);
    bind_sealed(*update, 3, card.generated_card);
    update->bind(5, card.brand);
    update->bind(6, card.last4);
    update->bind(7, card.incremental_authorization_supported ? 1 : 0);
    if (card.capture_before_s) {
      update->bind(8, *card.capture_before_s);
    } else {
      update->bind(8);
    }
    update->bind(9, now_ms);
    if (update->exec() > 0) return {};
    auto tapped = db_.statement("SELECT 1 FROM card_attempts WHERE session_id = ?1 AND state = 'tapped'"
                                " AND intent_sealed IS NOT NULL AND fingerprint_hash <> ?2");
    SQLite::bind(*tapped, session_id, card.fingerprint_hash);
    if (tapped->executeStep()) {
      return make_error("fingerprint_mismatch", "cannot " + step_context(kHeld, session_id) +
                                                    ": the held card is not the card that was tapped");
    }
    return refusal(db_, kHeld, session_id);
  });
}

Status CardAttemptStore::admit(const std::string& session_id, const SessionStore::NewSession& session,
                               std::int64_t now_ms, bool refuse_open_card) {
  return guarded(step_context(kAdmitted, session_id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    // Nothing is committed unless every step below succeeded: an early return rolls back.
    auto held = db_.statement("SELECT lane, fingerprint_hash FROM card_attempts WHERE session_id = ?1 AND state = 'held'");
    held->bind(1, session_id);
    if (!held->executeStep()) return refusal(db_, kAdmitted, session_id);
    const int lane = held->getColumn(0).getInt();
    const std::string hash = held->getColumn(1).getString();
    const SessionRecord& s = session.record;
    if (s.session_id != session_id || session.open_request.session_id != session_id || s.lane != lane ||
        s.group_size != 1 || s.shopper != card_shopper(hash)) {
      return make_error("bad_session", "cannot " + step_context(kAdmitted, session_id) +
                                           ": the session is not this attempt's (id, lane, shopper, group of one)");
    }
    auto other = refuse_open_card ? SessionStore(db_).open_session_of(s.shopper, session_id)
                                  : Result<std::optional<std::string>>(std::optional<std::string>());
    if (!other) return other.error();
    if (*other) {
      return make_error("card_in_session", "cannot " + step_context(kAdmitted, session_id) + ": the card has session " +
                                               **other + " open");
    }
    if (CardBlocklist::listed(db_, {hash})) {
      return make_error("shopper_blocked", "cannot " + step_context(kAdmitted, session_id) + ": the card is on the blocklist");
    }
    if (Status begun = SessionStore::begin_within(db_, session); !begun) return begun;
    if (Status moved = apply_step(db_, kAdmitted, session_id, now_ms); !moved) return moved;
    transaction.commit();
    return {};
  });
}

Status CardAttemptStore::deny(const std::string& session_id, const std::string& reason, std::int64_t now_ms) {
  if (reason.empty()) return make_error("bad_attempt", "cannot deny card attempt " + session_id + ": no reason");
  return guarded_step(db_, kGiveUp, session_id, reason, 1, now_ms);
}

Status CardAttemptStore::abandon(const std::string& session_id, const std::string& reason, std::int64_t now_ms) {
  if (reason.empty()) return make_error("bad_attempt", "cannot abandon card attempt " + session_id + ": no reason");
  return guarded_step(db_, kGiveUp, session_id, reason, 0, now_ms);
}

Result<int> CardAttemptStore::abandon_interrupted(const std::string& reason, std::int64_t now_ms) {
  return guarded("abandon the card attempts a restart interrupted", [&]() -> Result<int> {
    auto update = db_.statement(
        "UPDATE card_attempts SET state = 'abandoning', reason = ?1, shopper_denied = 0, decided_at_ms = ?2"
        " WHERE state IN ('armed', 'tapped', 'held')");
    SQLite::bind(*update, reason, now_ms);
    return update->exec();
  });
}

Status CardAttemptStore::mark_voided(const std::string& session_id, std::int64_t now_ms) {
  return guarded_step(db_, kVoided, session_id, now_ms);
}

Result<std::optional<CardAttemptRecord>> CardAttemptStore::find(const std::string& session_id) {
  return guarded("read card attempt " + session_id, [&]() -> Result<std::optional<CardAttemptRecord>> {
    static const std::string sql = select_attempts("WHERE session_id = ?1");
    auto query = db_.statement(sql);
    query->bind(1, session_id);
    if (!query->executeStep()) return std::optional<CardAttemptRecord>();
    return std::optional<CardAttemptRecord>(read_attempt(*query));
  });
}

Result<std::vector<CardAttemptRecord>> CardAttemptStore::unfinished() {
  return guarded("read the card attempts not final", [&]() -> Result<std::vector<CardAttemptRecord>> {
    static const std::string sql = select_attempts(
        "INDEXED BY card_attempts_unfinished_by_lane WHERE state IN ('armed', 'tapped', 'held', 'abandoning')"
        " ORDER BY armed_at_ms, rowid");
    auto query = db_.statement(sql);
    return read_attempts(*query);
  });
}

Result<std::optional<CardAttemptRecord>> CardAttemptStore::latest_of_lane(int lane) {
  return guarded("read the latest card attempt of lane " + std::to_string(lane),
                 [&]() -> Result<std::optional<CardAttemptRecord>> {
                   static const std::string sql = select_attempts("WHERE lane = ?1 ORDER BY rowid DESC LIMIT 1");
                   auto query = db_.statement(sql);
                   query->bind(1, lane);
                   if (!query->executeStep()) return std::optional<CardAttemptRecord>();
                   return std::optional<CardAttemptRecord>(read_attempt(*query));
                 });
}

Result<std::optional<std::string>> CardAttemptStore::open_session_of_card(
    const std::vector<std::string>& fingerprint_hashes, const std::string& except_session) {
  SessionStore sessions(db_);
  for (const std::string& hash : fingerprint_hashes) {
    auto found = sessions.open_session_of(card_shopper(hash), except_session);
    if (!found || *found) return found;
  }
  return std::optional<std::string>();
}

}  // namespace passgate::db
