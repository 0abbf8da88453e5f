#include "tests/db/retention_support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/statement_cache.hpp"
#include "tests/db/db_test_support.hpp"

namespace passgate::db::test {

namespace {

// The first column of every row `sql` (with ?1 the session) reads.
std::vector<std::int64_t> numbers_of(Database& db, const std::string& sql, const std::string& session_id) {
  auto query = db.statement(sql);
  query->bind(1, session_id);
  std::vector<std::int64_t> numbers;
  while (query->executeStep()) numbers.push_back(query->getColumn(0).getInt64());
  return numbers;
}

std::string cancel_target(const std::string& id) { return "/v1/sessions/" + id + "/cancel"; }

}  // namespace

std::string SessionRows::describe() const {
  std::ostringstream out;
  if (session) {
    out << "session " << session->session_id << " " << to_string(session->state) << " at " << session->created_at_ms
        << " refused " << session->refused_at_ms << "; ";
  } else {
    out << "no session; ";
  }
  out << "token " << token_used << "; outbox";
  for (const auto id : outbox_ids) out << " " << id;
  out << "; ops";
  for (const auto& op : ops) {
    out << " [" << op.id << " " << op.op << " " << to_string(op.state) << " alert " << op.alert << " finished "
        << op.finished_at_ms << "]";
  }
  out << "; cart " << (cart ? std::to_string(cart->total_minor) + " at " + std::to_string(cart_received_at_ms) : "-");
  out << "; settlement "
      << (settlement ? settlement->decision.plan + " at " + std::to_string(settlement->planned_at_ms) : "-");
  out << "; quarantined";
  for (const auto& q : quarantined) {
    out << " [" << q.id << " " << to_string(q.state) << " " << q.received_at_ms << " " << q.settled_at_ms << "]";
  }
  return out.str();
}

ShopRecords::ShopRecords(Database& database)
    : db(database),
      sessions(database),
      outbox(database),
      queue(database),
      settlements(database),
      quarantined(database) {}

std::string ShopRecords::admit(std::int64_t at_ms, std::optional<std::int64_t> token_ends_s) {
  const std::string id = "s" + std::to_string(++next_);
  REQUIRE(describe(begin_session(sessions, session(id, "jti-" + id, at_ms, token_ends_s.value_or(at_ms / 1000 + 120)))) == "ok");
  return id;
}

void ShopRecords::open(const std::string& id) { REQUIRE(describe(sessions.mark_open(id)) == "ok"); }

void ShopRecords::open_offline(const std::string& id, std::int64_t at_ms) {
  const OutboxMessage request{"session_open", "/v1/sessions", R"({"session_id":")" + id + R"("})", id};
  REQUIRE(describe(sessions.mark_open_offline(id, request, at_ms)) == "ok");
}

void ShopRecords::deny(const std::string& id, const std::string& reason, bool release_token, std::int64_t at_ms) {
  REQUIRE(describe(sessions.mark_denied(id, reason, release_token, at_ms)) == "ok");
}

void ShopRecords::cancel(const std::string& id, std::int64_t at_ms) {
  REQUIRE(describe(sessions.mark_cancelled(id, OutboxMessage{"cancel", cancel_target(id), "{}", id}, at_ms)) == "ok");
}

void ShopRecords::deliver(const std::string& id) {
  for (const auto message : numbers_of(db, "SELECT id FROM outbox WHERE session_id = ?1", id)) {
    REQUIRE(describe(outbox.remove(message)) == "ok");
  }
}

void ShopRecords::dead_letter(const std::string& id, std::int64_t at_ms) {
  const auto messages = numbers_of(db, "SELECT id FROM outbox WHERE session_id = ?1 ORDER BY id", id);
  REQUIRE_FALSE(messages.empty());
  REQUIRE(describe(outbox.make_dead_letter(messages.front(), at_ms, "HTTP 422")) == "ok");
}

void ShopRecords::refuse(const std::string& id, std::int64_t at_ms) {
  const auto messages = numbers_of(db, "SELECT id FROM outbox WHERE session_id = ?1 AND kind = 'session_open'", id);
  REQUIRE(messages.size() == 1);
  const auto refused = sessions.close_refused_open(messages.front(), id, cancel_target(id), at_ms);
  REQUIRE(describe(refused) == "ok");
  REQUIRE(*refused);
}

void ShopRecords::purge_tokens(std::int64_t at_ms) {
  REQUIRE(describe(sessions.purge_used_tokens(at_ms / 1000)) == "ok");
}

std::int64_t ShopRecords::op(const std::string& id, const std::string& kind, std::int64_t amount, std::int64_t at_ms,
                             OpEnd end, bool alert, const std::string& intent) {
  const auto queued = queue.enqueue(NewPaymentOp{id, kind, amount, "USD", intent, std::nullopt, alert, ""}, at_ms);
  REQUIRE(describe(queued) == "ok");
  finish(*queued, end, at_ms, intent);
  return *queued;
}

void ShopRecords::finish(std::int64_t op_id, OpEnd end, std::int64_t at_ms, const std::string& intent) {
  if (end == OpEnd::pending) return;
  REQUIRE(describe(queue.mark_in_flight(op_id, at_ms)) == "ok");
  const std::string answered = intent.empty() ? "pi_" + std::to_string(op_id) : intent;
  switch (end) {
    case OpEnd::pending:
    case OpEnd::in_flight: return;
    case OpEnd::succeeded: REQUIRE(describe(queue.mark_succeeded(op_id, answered, at_ms)) == "ok"); return;
    case OpEnd::declined: REQUIRE(describe(queue.mark_declined(op_id, "card_declined", at_ms)) == "ok"); return;
    case OpEnd::dead: REQUIRE(describe(queue.mark_dead(op_id, "HTTP 400", at_ms)) == "ok"); return;
    case OpEnd::unverified:
      REQUIRE(describe(queue.mark_unverified(op_id, "amount: expected 1234, got 999", answered, at_ms)) == "ok");
      return;
  }
}

void ShopRecords::write_off(std::int64_t op_id, std::int64_t at_ms) {
  REQUIRE(describe(queue.write_off(op_id, "paid at the service desk", "alice", at_ms)) == "ok");
}

void ShopRecords::cart(const std::string& id, std::int64_t total, std::int64_t at_ms) {
  const auto recorded = settlements.record_carts(
      "carts", {FinalCart{id, "USD", total, "2026-11-21T18:21:40.002Z"}}, {}, "c" + std::to_string(++next_), at_ms);
  REQUIRE(describe(recorded) == "ok");
}

std::int64_t ShopRecords::quarantine(const std::string& id, std::int64_t at_ms) {
  const std::string raw = R"({"cart":)" + std::to_string(++next_) + "}";
  const QuarantinedCart over{id, QuarantineReason::over_limit, "total_minor above the limit", raw, ""};
  const auto recorded = settlements.record_carts("carts", {}, {over}, "c" + std::to_string(next_), at_ms);
  REQUIRE(describe(recorded) == "ok");
  REQUIRE(recorded->quarantined.size() == 1);
  return db.sql().execAndGet("SELECT MAX(id) FROM quarantined_carts").getInt64();
}

void ShopRecords::write_off_cart(std::int64_t quarantine_id, std::int64_t at_ms) {
  REQUIRE(describe(quarantined.write_off(quarantine_id, "the engine's cart was wrong", "alice", at_ms)) == "ok");
}

std::vector<std::int64_t> ShopRecords::settle(const std::string& id, const std::string& plan,
                                              const std::vector<std::string>& ops, std::int64_t amount,
                                              std::int64_t at_ms, OpEnd end) {
  std::vector<NewPaymentOp> queued;
  for (const std::string& kind : ops) {
    const std::string intent = kind == "capture" || kind == "void" ? "pi_hold_" + id : "";
    queued.push_back(NewPaymentOp{id, kind, kind == "void" ? 0 : amount, "USD", intent, std::nullopt, true, ""});
  }
  const auto ids = settlements.settle(SettlementDecision{id, true, amount, 0, plan}, queued, at_ms);
  REQUIRE(describe(ids) == "ok");
  for (const auto op_id : *ids) finish(op_id, end, at_ms);
  return *ids;
}

std::int64_t ShopRecords::follow_up(const std::string& id, std::int64_t charge_id, std::int64_t at_ms, OpEnd end) {
  const NewPaymentOp void_hold{id, "void", 0, "USD", "pi_hold_" + id, std::nullopt, true, ""};
  const auto ids = settlements.follow_up_charge(id, charge_id, {void_hold}, std::nullopt, "", at_ms);
  REQUIRE(describe(ids) == "ok");
  finish(ids->front(), end, at_ms);
  return ids->front();
}

std::string ShopRecords::settled_session(std::int64_t at_ms) {
  const std::string id = admit(at_ms);
  open(id);
  cart(id, 1234, at_ms + 60 * kMinuteMs);
  (void)settle(id, "charge", {"charge"}, 1234, at_ms + 60 * kMinuteMs, OpEnd::succeeded);
  return id;
}

SessionRows ShopRecords::rows(const std::string& id) {
  SessionRows rows;
  auto found = sessions.find(id);
  REQUIRE(describe(found) == "ok");
  rows.session = *found;
  rows.token_used = !numbers_of(db, "SELECT 1 FROM used_tokens WHERE session_id = ?1", id).empty();
  rows.outbox_ids = numbers_of(db, "SELECT id FROM outbox WHERE session_id = ?1 ORDER BY id", id);
  auto ops = queue.for_session(id);
  REQUIRE(describe(ops) == "ok");
  rows.ops = *ops;
  auto cart = settlements.cart(id);
  REQUIRE(describe(cart) == "ok");
  rows.cart = *cart;
  const auto received = numbers_of(db, "SELECT received_at_ms FROM carts WHERE session_id = ?1", id);
  rows.cart_received_at_ms = received.empty() ? 0 : received.front();
  auto settlement = settlements.settlement(id);
  REQUIRE(describe(settlement) == "ok");
  rows.settlement = *settlement;
  for (const auto q : numbers_of(db, "SELECT id FROM quarantined_carts WHERE session_id = ?1 ORDER BY id", id)) {
    auto record = quarantined.find(q);
    REQUIRE(describe(record) == "ok");
    rows.quarantined.push_back(**record);
  }
  return rows;
}

std::int64_t ShopRecords::count(const std::string& table) {
  return db.sql().execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

DeletedRows sweep_all(Database& db, const RetentionCutoffs& cut, int limit) {
  Retention retention(db);
  DeletedRows deleted;
  SessionCursor cursor;
  for (bool done = false; !done;) {
    auto batch = retention.delete_sessions(cut, cursor, limit);
    REQUIRE(describe(batch) == "ok");
    deleted += batch->deleted;
    cursor = batch->next;
    done = batch->done;
  }
  for (int n = Retention::kRowsPerBatch; n == Retention::kRowsPerBatch;) {
    auto carts = retention.delete_resolved_carts(cut.audit_ms);
    REQUIRE(describe(carts) == "ok");
    n = *carts;
    deleted.quarantined_carts += n;
  }
  for (int n = Retention::kRowsPerBatch; n == Retention::kRowsPerBatch;) {
    auto audit = retention.delete_audit_entries(cut.audit_ms);
    REQUIRE(describe(audit) == "ok");
    n = *audit;
    deleted.audit_log += n;
  }
  for (bool more = true; more;) {
    auto cards = retention.delete_card_records(cut);
    REQUIRE(describe(cards) == "ok");
    more = cards->card_attempts == Retention::kRowsPerBatch || cards->card_blocklist == Retention::kRowsPerBatch;
    deleted += *cards;
  }
  return deleted;
}

}  // namespace passgate::db::test
