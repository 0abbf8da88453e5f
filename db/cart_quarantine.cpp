#include "db/cart_quarantine.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/payment_queue.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

constexpr std::array<std::pair<QuarantineReason, std::string_view>, 5> kQuarantineReasonNames = {{
    {QuarantineReason::unreadable, "unreadable"},
    {QuarantineReason::currency, "currency"},
    {QuarantineReason::over_limit, "over_limit"},
    {QuarantineReason::not_admitted, "not_admitted"},
    {QuarantineReason::double_use, "double_use"},
}};

constexpr std::array<std::pair<QuarantineState, std::string_view>, 3> kQuarantineStateNames = {{
    {QuarantineState::open, "open"},
    {QuarantineState::charged, "charged"},
    {QuarantineState::written_off, "written_off"},
}};

template <class Enum, std::size_t N>
Enum parse_name(const std::array<std::pair<Enum, std::string_view>, N>& names, const std::string& name) {
  for (const auto& [value, known] : names)
    if (known == name) return value;
  throw std::runtime_error("a quarantined cart has the unknown value '" + name + "'");
}

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [known, name] : names)
    if (known == value) return name;
  return "unknown";
}

constexpr std::string_view kSelect =
    "SELECT id, session_id, reason, detail, raw, finalized_at, state, received_at_ms, settled_at_ms, settled_by"
    " FROM quarantined_carts ";

QuarantineRecord read_record(const SQLite::Statement& row) {
  QuarantineRecord r;
  r.id = row.getColumn(0).getInt64();
  r.cart.session_id = row.getColumn(1).getString();
  r.cart.reason = parse_name(kQuarantineReasonNames, row.getColumn(2).getString());
  r.cart.detail = row.getColumn(3).getString();
  r.cart.raw = row.getColumn(4).getString();
  r.cart.finalized_at = row.getColumn(5).getString();
  r.state = parse_name(kQuarantineStateNames, row.getColumn(6).getString());
  r.received_at_ms = row.getColumn(7).getInt64();
  r.settled_at_ms = row.getColumn(8).getInt64();
  r.settled_by = row.getColumn(9).getString();
  return r;
}

std::string describe(const QuarantineRecord& r) {
  return "quarantined cart " + std::to_string(r.id) +
         (r.cart.session_id.empty() ? std::string(" (no readable session)") : " of session " + r.cart.session_id);
}

// The open quarantined cart `id` within the caller's transaction, or why an operator action
// (`verb`) does not apply to it.
Result<QuarantineRecord> open_record(Database& db, std::int64_t id, std::string_view verb) {
  static const std::string sql = std::string(kSelect).append("WHERE id = ?1");
  auto query = db.statement(sql);
  query->bind(1, id);
  if (!query->executeStep()) {
    return make_error("not_found", "no quarantined cart " + std::to_string(id) +
                                       " in this gate (passgatectl queue lists the open ones)");
  }
  QuarantineRecord r = read_record(*query);
  if (r.state != QuarantineState::open) {
    return make_error("wrong_state", "cannot " + std::string(verb) + " " + describe(r) + ": it is already " +
                                         std::string(to_string(r.state)) + " (by " + r.settled_by + ")");
  }
  return r;
}

// open -> `to`, with its audit row.
void close(Database& db, const QuarantineRecord& r, QuarantineState to, std::string_view action,
           const std::string& detail, const AuditActor& actor, std::int64_t now_ms) {
  auto update = db.statement(
      "UPDATE quarantined_carts SET state = ?2, settled_at_ms = ?3, settled_by = ?4 WHERE id = ?1 AND state = 'open'");
  SQLite::bind(*update, r.id, std::string(to_string(to)), now_ms, actor.name);
  if (update->exec() != 1) throw std::runtime_error(describe(r) + " changed under the operator's action");
  audit(db, now_ms, actor, action, AuditSubject::quarantined_cart(r.id), describe(r) + ": " + detail);
}

}  // namespace

std::string_view to_string(QuarantineReason r) { return name_of(kQuarantineReasonNames, r); }
std::string_view to_string(QuarantineState s) { return name_of(kQuarantineStateNames, s); }

std::string bounded_raw(std::string_view text) {
  if (text.size() <= kRawCartBytes) return std::string(text);
  std::size_t cut = kRawCartBytes;
  // Back to the first byte of a UTF-8 character (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

bool CartQuarantine::insert(Database& db, const QuarantinedCart& cart, std::int64_t now_ms) {
  auto insert = db.statement(
      "INSERT INTO quarantined_carts (session_id, reason, detail, raw, finalized_at, received_at_ms)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING");
  SQLite::bind(*insert, cart.session_id, std::string(to_string(cart.reason)), cart.detail, bounded_raw(cart.raw),
               cart.finalized_at, now_ms);
  return insert->exec() > 0;
}

bool CartQuarantine::holds_session(Database& db, const std::string& session_id) {
  auto query = db.statement("SELECT 1 FROM quarantined_carts WHERE session_id = ?1");
  query->bind(1, session_id);
  return query->executeStep();
}

void CartQuarantine::relabel_double_use(Database& db, const std::string& session_id) {
  auto relabel = db.statement(
      "UPDATE quarantined_carts SET reason = 'double_use',"
      " detail = ?2 || '; quarantined first as ' || reason || ': ' || detail"
      " WHERE session_id = ?1 AND state = 'open' AND reason NOT IN ('double_use', 'not_admitted')");
  // (double_use_detail's text, written by SQLite: gcc 12 -O2 takes string + literal here for
  // an out-of-bounds copy, -Warray-bounds.)
  SQLite::bind(*relabel, session_id, std::string(kDoubleUseDetail));
  relabel->exec();
}

std::string CartQuarantine::double_use_detail(QuarantineReason reason, const std::string& detail) {
  std::string text(kDoubleUseDetail);
  text.append("; quarantined first as ").append(to_string(reason)).append(": ").append(detail);
  return text;
}

Result<std::optional<QuarantineRecord>> CartQuarantine::find(std::int64_t id) {
  return guarded("read quarantined cart " + std::to_string(id), [&]() -> Result<std::optional<QuarantineRecord>> {
    static const std::string sql = std::string(kSelect).append("WHERE id = ?1");
    auto query = db_.statement(sql);
    query->bind(1, id);
    if (!query->executeStep()) return std::optional<QuarantineRecord>();
    return std::optional<QuarantineRecord>(read_record(*query));
  });
}

Result<std::vector<QuarantineRecord>> CartQuarantine::open(int limit) {
  return guarded("list quarantined carts", [&]() -> Result<std::vector<QuarantineRecord>> {
    static const std::string sql = std::string(kSelect).append("WHERE state = 'open' ORDER BY id LIMIT ?1");
    auto query = db_.statement(sql);
    query->bind(1, limit > 0 ? std::int64_t{limit} : std::int64_t{-1});
    std::vector<QuarantineRecord> found;
    while (query->executeStep()) found.push_back(read_record(*query));
    return found;
  });
}

Status CartQuarantine::charge(std::int64_t id, const std::string& currency, std::int64_t total_minor,
                              const std::string& reason, const AuditActor& actor, std::int64_t now_ms,
                              DoubleUse double_use) {
  return guarded("charge quarantined cart " + std::to_string(id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto record = open_record(db_, id, "charge");
    if (!record) return record.error();
    if (record->cart.session_id.empty()) {
      return make_error("wrong_state", "cannot charge " + describe(*record) +
                                           ": it names no session, so no shopper to charge; write it off instead");
    }
    auto admitted = db_.statement(
        "SELECT 1 FROM sessions WHERE session_id = ?1 AND (state IN ('denied', 'cancelled') OR refused_at_ms > 0)");
    admitted->bind(1, record->cart.session_id);
    if (record->cart.reason == QuarantineReason::not_admitted || admitted->executeStep()) {
      return make_error("wrong_state", "cannot charge " + describe(*record) +
                                           ": the gate did not admit its session (or the tracking engine refused it), so"
                                           " the gate never bills it; write it off, and collect outside the gate if the"
                                           " shopper really did shop");
    }
    // A double use's cart is charged only on the operator's explicit confirmation (the
    // deliberate decision, operations.md), never by running the same command again.
    auto double_used = db_.statement("SELECT 1 FROM sessions WHERE session_id = ?1 AND double_use = 1");
    double_used->bind(1, record->cart.session_id);
    const bool is_double_use = double_used->executeStep();
    if (is_double_use && double_use != DoubleUse::confirmed) {
      return make_error("double_use", "cannot charge " + describe(*record) +
                                          ": its session's entry token was admitted at another gate array of the store"
                                          " too (a double use, log event=store_double_use), so the token's owner may"
                                          " be charged for a stranger's cart; ask loss prevention who entered under"
                                          " the token, then add --double-use to charge-cart if the owner shopped here,"
                                          " or write it off (operations.md, Quarantined carts)");
    }
    if (!is_double_use && double_use == DoubleUse::confirmed) {
      return make_error("invalid_argument", "cannot charge " + describe(*record) +
                                                " as a double use: its session is no double use; run charge-cart"
                                                " without --double-use");
    }
    if (is_double_use) relabel_double_use(db_, record->cart.session_id);
    auto insert = db_.statement(
        "INSERT INTO carts (session_id, currency, total_minor, finalized_at, received_at_ms)"
        " SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM sessions WHERE session_id = ?1)"
        " AND NOT EXISTS (SELECT 1 FROM settlements WHERE session_id = ?1)"
        " ON CONFLICT (session_id) DO NOTHING");
    SQLite::bind(*insert, record->cart.session_id, currency, total_minor, record->cart.finalized_at, now_ms);
    if (insert->exec() == 0) {
      return make_error("wrong_state", "cannot charge " + describe(*record) +
                                           ": the gate has no such session, already has its cart or has already settled it; write it off");
    }
    close(db_, *record, QuarantineState::charged, "charge_cart",
          "charged " + std::to_string(total_minor) + " " + currency + " after correction" +
              (is_double_use ? " (double use confirmed)" : "") + ": " + reason,
          actor, now_ms);
    transaction.commit();
    return {};
  });
}

Status CartQuarantine::write_off(std::int64_t id, const std::string& reason, const AuditActor& actor,
                                 std::int64_t now_ms) {
  return guarded("write off quarantined cart " + std::to_string(id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto record = open_record(db_, id, "write off");
    if (!record) return record.error();
    close(db_, *record, QuarantineState::written_off, "write_off_cart", "written off: " + reason, actor, now_ms);
    transaction.commit();
    return {};
  });
}

}  // namespace passgate::db
