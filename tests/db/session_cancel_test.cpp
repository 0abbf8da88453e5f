// An operator's cancel of a session nobody entered on (db/session_cancel.hpp): it ends the
// session as the lane's cancel of an unused grant does (cancel queued, hold finished unsent or
// left to the settlement to void, anti-passback and the sealing key released), audited; it
// refuses, writing nothing, a session somebody entered on (a passage recorded, migration 19),
// one whose cart is final, and one not open.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/session_cancel.hpp"
#include "db/card_settlement_store.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

struct CancelDb {
  passgate::test::TempDir dir;
  std::unique_ptr<Database> db = open_or_fail(dir / "gate.db");
  SessionStore sessions{*db};

  // An open session (the tracking engine confirmed it), sealed reference and all.
  void open(const std::string& id, const std::string& shopper = "shp_8f2c") {
    SessionRecord s = session(id, "jti-" + id);
    s.shopper = shopper;
    s.pay_key_id = "k1";
    s.pay_sealed = {1, 2, 3};
    REQUIRE(describe(begin_session(sessions, s)) == "ok");
    REQUIRE(describe(sessions.mark_open(id)) == "ok");
  }
  [[nodiscard]] passgate::Result<CancelledSession> cancel(const std::string& id,
                                                         const std::string& reason = "no passage",
                                                         bool passages_checked = false) {
    return cancel_unused_session(*db, SessionCancel{id, reason, passages_checked, AuditActor("alice", 1000, 1000),
                                                    OutboxMessage{"cancel", "/v1/sessions/" + id + "/cancel", "{}", id},
                                                    kNow + 1000});
  }
  [[nodiscard]] std::int64_t count(const std::string& sql) { return db->sql().execAndGet(sql).getInt64(); }
  [[nodiscard]] std::string state_of(const std::string& id) {
    return std::string(to_string(sessions.find(id).value()->state));
  }
  void passage(const std::string& id) {
    REQUIRE(describe(Outbox(*db).enqueue(OutboxMessage{"passage", "/v1/passages", "{}", id}, kNow)) == "ok");
  }
};

// An entry hold of 50.00 USD queued for `id`.
NewPaymentOp entry_hold_of(const std::string& id) {
  NewPaymentOp hold;
  hold.session_id = id;
  hold.op = "preauth";
  hold.amount_minor = 5000;
  hold.currency = "USD";
  return hold;
}

// The one settlement candidate is `id`, without a cart: settled at once, its hold voided.
void require_only_candidate_without_cart(const passgate::Result<std::vector<SettlementCandidate>>& candidates,
                                         const std::string& id) {
  REQUIRE(describe(candidates) == "ok");
  REQUIRE(candidates->size() == 1);
  CHECK(candidates->front().session_id == id);
  CHECK_FALSE(candidates->front().cart.has_value());
}

std::string code_of_cancel(const passgate::Result<CancelledSession>& r) { return r.ok() ? "ok" : r.error().code; }

}  // namespace

TEST_CASE("an operator's cancel ends an open session nobody entered on as an unused grant's cancel does, audited") {
  CancelDb t;
  t.open("s-lost");
  const auto hold_id = PaymentQueue(*t.db).enqueue(entry_hold_of("s-lost"), kNow);
  REQUIRE(describe(hold_id) == "ok");
  REQUIRE(describe(t.sessions.open_session_of("shp_8f2c", "")) == "ok");
  REQUIRE(t.sessions.open_session_of("shp_8f2c", "").value() == "s-lost");

  const auto was = t.cancel("s-lost", "denial_record_lost at 14:02, no passage in the log");
  REQUIRE(describe(was) == "ok");
  CHECK(was->state == SessionState::open);
  CHECK(was->passages == 0);
  CHECK(was->hold_requested);
  CHECK(t.state_of("s-lost") == "cancelled");
  // The tracking engine's cancel is queued; the hold never sent is finished unsent.
  CHECK(t.count("SELECT COUNT(*) FROM outbox WHERE kind = 'cancel' AND session_id = 's-lost'") == 1);
  const auto op = PaymentQueue(*t.db).find(*hold_id);
  REQUIRE(op.ok());
  CHECK((*op)->last_error == kHoldNotSentCancelled);
  // Anti-passback lets the shopper in again; the sealed reference is no longer in use.
  CHECK_FALSE(t.sessions.open_session_of("shp_8f2c", "").value().has_value());
  CHECK(t.sessions.sealed_references_in_use().value().empty());
  // The audit row names the operator, the cancel queued, the session and the reason.
  SQLite::Statement audit(t.db->sql(), "SELECT actor, action, outbox_id, detail, peer_uid FROM audit_log");
  REQUIRE(audit.executeStep());
  CHECK(audit.getColumn(0).getString() == "alice");
  CHECK(audit.getColumn(1).getString() == "session_cancel");
  CHECK(audit.getColumn(2).getInt64() ==
        t.count("SELECT id FROM outbox WHERE kind = 'cancel' AND session_id = 's-lost'"));
  CHECK(audit.getColumn(3).getString() ==
        "session s-lost cancelled, nobody entered: denial_record_lost at 14:02, no passage in the log");
  CHECK(audit.getColumn(4).getInt64() == 1000);
}

TEST_CASE("a hold already placed on a session an operator cancelled is voided by the settlement, without a cart") {
  CancelDb t;
  t.open("s-placed");
  const auto hold_id = PaymentQueue(*t.db).enqueue(entry_hold_of("s-placed"), kNow);
  REQUIRE(describe(hold_id) == "ok");
  REQUIRE(describe(PaymentQueue(*t.db).mark_in_flight(*hold_id, kNow)) == "ok");
  REQUIRE(describe(PaymentQueue(*t.db).mark_succeeded(*hold_id, "pi_placed", kNow)) == "ok");
  REQUIRE(describe(t.cancel("s-placed")) == "ok");
  require_only_candidate_without_cart(SettlementStore(*t.db).candidates(10), "s-placed");
}

TEST_CASE("a card session an operator cancelled is a card settlement candidate without a cart (its hold voided)") {
  CancelDb t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore attempts(*t.db);
  drive_to_admitted(attempts, c, "s-card", 1, "fp-1");
  REQUIRE(describe(t.sessions.mark_open("s-card")) == "ok");
  const auto blocked = attempts.open_session_of_card({c.hash("fp-1")}, "");
  REQUIRE(describe(blocked) == "ok");
  REQUIRE(blocked->has_value());  // card_in_session until it ends

  const auto was = t.cancel("s-card");
  REQUIRE(describe(was) == "ok");
  CHECK(was->hold_requested);
  CHECK_FALSE(attempts.open_session_of_card({c.hash("fp-1")}, "").value().has_value());
  require_only_candidate_without_cart(CardSettlementStore(*t.db).candidates(10), "s-card");
}

TEST_CASE("an operator's cancel refuses, writing nothing, what somebody entered on, a final cart, or no open session") {
  CancelDb t;
  t.open("s-entered");
  t.passage("s-entered");
  // Delivered: the outbox message is gone, the count stays.
  t.db->sql().exec("DELETE FROM outbox WHERE kind = 'passage'");
  t.open("s-cart", "shp_b");
  t.db->sql().exec("INSERT INTO carts (session_id, currency, total_minor, finalized_at, received_at_ms)"
                   " VALUES ('s-cart', 'USD', 1200, '2026-11-18T10:20:00Z', 1)");
  REQUIRE(describe(begin_session(t.sessions, session("s-opening", "jti-opening"))) == "ok");
  t.open("s-done", "shp_c");
  REQUIRE(describe(t.cancel("s-done")) == "ok");
  t.open("s-blank", "shp_d");
  const auto outbox_before = t.count("SELECT COUNT(*) FROM outbox");
  const auto audit_before = t.count("SELECT COUNT(*) FROM audit_log");

  struct Refusal {
    std::string id;
    std::string code;
    std::string why;
    std::string reason = "checked";
  };
  for (const Refusal& r : {Refusal{"s-nobody", "not_found", "no session s-nobody"},
                           Refusal{"s-entered", "entered", "1 passage(s) through the lane were recorded on it"},
                           Refusal{"s-cart", "cart_final", "its cart is final"},
                           Refusal{"s-opening", "wrong_state", "it is opening"},
                           Refusal{"s-done", "wrong_state", "it is already cancelled"},
                           Refusal{"s-blank", "bad_reason", "a cancel needs a reason", " \t"}}) {
    INFO(r.id);
    const auto refused = t.cancel(r.id, r.reason);
    CHECK(code_of_cancel(refused) == r.code);
    if (!refused.ok()) CHECK_THAT(refused.error().message, Catch::Matchers::Contains(r.why));
  }
  CHECK(t.count("SELECT COUNT(*) FROM outbox") == outbox_before);
  CHECK(t.count("SELECT COUNT(*) FROM audit_log") == audit_before);
  CHECK(t.state_of("s-entered") == "open");
  CHECK(t.state_of("s-cart") == "open");
  CHECK(t.state_of("s-blank") == "open");
}

TEST_CASE("an operator's cancel of a session whose passages were not counted needs the log checked, and says so") {
  CancelDb t;
  t.open("s-upgraded");
  // Admitted before passgated counted passages (migration 19 marks it -1: not known).
  t.db->sql().exec("UPDATE sessions SET passages = -1 WHERE session_id = 's-upgraded'");
  const auto refused = t.cancel("s-upgraded");
  REQUIRE(code_of_cancel(refused) == "passages_unknown");
  CHECK_THAT(refused.error().message, Catch::Matchers::Contains("--passages-checked"));
  CHECK(t.state_of("s-upgraded") == "open");
  CHECK(t.count("SELECT COUNT(*) FROM audit_log") == 0);

  const auto cancelled = t.cancel("s-upgraded", "no event=passage for it in the log", true);
  REQUIRE(code_of_cancel(cancelled) == "ok");
  CHECK_FALSE(cancelled->passages.has_value());
  CHECK(t.state_of("s-upgraded") == "cancelled");
  SQLite::Statement audit(t.db->sql(), "SELECT detail FROM audit_log");
  REQUIRE(audit.executeStep());
  CHECK_THAT(audit.getColumn(0).getString(), Catch::Matchers::Contains("the operator checked the log"));
}

TEST_CASE("migration 19 counts the passages still queued and marks live sessions whose passages it cannot know") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    auto db = open_or_fail(file);
    back_to_version(*db, 19);
    db->sql().exec("PRAGMA user_version = 18");
    db->sql().exec("DROP TRIGGER sessions_passage_counted");
    db->sql().exec("ALTER TABLE sessions DROP COLUMN passages");
    SessionStore sessions(*db);
    for (const char* id : {"s-queued", "s-delivered", "s-over"}) {
      REQUIRE(describe(begin_session(sessions, session(id, std::string("jti-") + id))) == "ok");
      REQUIRE(describe(sessions.mark_open(id)) == "ok");
    }
    REQUIRE(describe(sessions.mark_cancelled("s-over", OutboxMessage{"cancel", "/v1/sessions/s-over/cancel", "{}",
                                                                     "s-over"},
                                             kNow)) == "ok");
    REQUIRE(describe(Outbox(*db).enqueue(OutboxMessage{"passage", "/v1/passages", "{}", "s-queued"}, kNow)) == "ok");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  const auto passages_of = [&](const std::string& id) {
    SQLite::Statement q(db->sql(), "SELECT passages FROM sessions WHERE session_id = ?1");
    q.bind(1, id);
    REQUIRE(q.executeStep());
    return q.getColumn(0).getInt();
  };
  CHECK(passages_of("s-queued") == 1);
  CHECK(passages_of("s-delivered") == -1);  // not known: an operator's cancel says so
  CHECK(passages_of("s-over") == 0);        // cancelled already: nothing to know
  // Counted from now on, also for a session not known before.
  REQUIRE(describe(Outbox(*db).enqueue(OutboxMessage{"passage", "/v1/passages", "{}", "s-delivered"}, kNow)) == "ok");
  CHECK(passages_of("s-delivered") == 1);
  CHECK(passages_of("s-queued") == 1);
}
