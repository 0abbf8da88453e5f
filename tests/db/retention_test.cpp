// Retention (db/retention.hpp): which rows a sweep deletes and which it must keep. Every
// session here is made through the real stores and stamped long before the cutoff unless a
// test says otherwise; "kept whole" means every row of it reads the same after the sweep.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/retention.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/db/retention_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

constexpr std::int64_t kT0 = kNow - 400 * kDayMs;  // when the old sessions were admitted

struct RetentionFixture {
  TestDatabase t;
  ShopRecords r{*t.db};

  // Every row of each session in `ids`, now.
  std::map<std::string, SessionRows> snapshot(const std::vector<std::string>& ids) {
    std::map<std::string, SessionRows> rows;
    for (const auto& id : ids) rows[id] = r.rows(id);
    return rows;
  }
  void check_kept_whole(const std::map<std::string, SessionRows>& before) {
    for (const auto& [id, rows] : before) {
      INFO(id);
      CHECK(r.rows(id).describe() == rows.describe());
    }
  }
  bool gone(const std::string& id) { return !r.rows(id).session.has_value(); }
  void check_foreign_keys() {
    SQLite::Statement violations(t.db->sql(), "PRAGMA foreign_key_check");
    CHECK_FALSE(violations.executeStep());
  }
};

const RetentionCutoffs kLongAfter{kT0 + 300 * kDayMs, kT0 + 300 * kDayMs};

}  // namespace

TEST_CASE_METHOD(RetentionFixture, "a settled session older than the cutoff goes with its cart, settlement and operation") {
  const std::string old_one = r.settled_session(kT0);
  const std::string young = r.settled_session(kT0 + 200 * kDayMs);
  r.purge_tokens(kT0 + 300 * kDayMs);
  const auto before = snapshot({young});

  const DeletedRows deleted = sweep_all(*t.db, RetentionCutoffs{kT0 + 100 * kDayMs, kT0});
  CHECK(deleted.sessions == 1);
  CHECK(deleted.payment_ops == 1);
  CHECK(deleted.carts == 1);
  CHECK(deleted.settlements == 1);
  CHECK(deleted.total() == 4);
  CHECK(gone(old_one));
  check_kept_whole(before);
  check_foreign_keys();
}

TEST_CASE_METHOD(RetentionFixture, "rows money or safety still needs stay, however old") {
  std::vector<std::string> kept;
  const std::int64_t at = kT0;
  const std::int64_t later = kT0 + kDayMs;
  const auto session_with = [&](const std::string& plan, const std::vector<std::string>& ops, OpEnd end) {
    const std::string id = r.admit(at);
    r.open(id);
    r.cart(id, 1234, at);
    (void)r.settle(id, plan, ops, 1234, at, end);
    kept.push_back(id);
    return id;
  };
  const std::string opening = r.admit(at);  // its admission never decided
  kept.push_back(opening);
  const std::string inside = r.admit(at);  // no cart ever came
  r.open(inside);
  kept.push_back(inside);
  const std::string unsettled = r.admit(at);  // its cart came, not settled yet
  r.open(unsettled);
  r.cart(unsettled, 1234, at);
  kept.push_back(unsettled);
  (void)session_with("charge", {"charge"}, OpEnd::pending);
  (void)session_with("charge", {"charge"}, OpEnd::in_flight);
  (void)session_with("charge", {"charge"}, OpEnd::declined);    // a dead letter
  (void)session_with("charge", {"charge"}, OpEnd::dead);        // a dead letter
  (void)session_with("charge", {"charge"}, OpEnd::unverified);  // money may have moved
  // A charge above the hold that succeeded, its void not queued yet: the hold still stands.
  const std::string followed = r.admit(at);
  r.open(followed);
  (void)r.op(followed, "preauth", 5000, at, OpEnd::succeeded, false, "pi_hold_" + followed);
  r.cart(followed, 9000, at);
  (void)r.settle(followed, "charge+void", {"charge"}, 9000, at, OpEnd::succeeded);
  kept.push_back(followed);
  // A hold placed and never captured or voided, whatever the settlement says.
  const std::string held = r.admit(at);
  r.open(held);
  (void)r.op(held, "preauth", 5000, at, OpEnd::succeeded, false);
  r.cart(held, 0, at);
  (void)r.settle(held, "none", {}, 0, at, OpEnd::succeeded);
  kept.push_back(held);
  // A denied session whose hold is being voided.
  const std::string voiding = r.admit(at);
  r.deny(voiding, "shopper_blocked", false, at);
  (void)r.op(voiding, "preauth", 5000, at, OpEnd::succeeded, false);
  (void)r.settle(voiding, "void", {"void"}, 0, at, OpEnd::pending);
  kept.push_back(voiding);
  // An open quarantined cart.
  const std::string quarantined = r.admit(at);
  r.open(quarantined);
  (void)r.quarantine(quarantined, at);
  kept.push_back(quarantined);
  // Messages for the tracking engine: one waiting, one a dead letter.
  const std::string offline = r.admit(at);
  r.open_offline(offline, at);
  kept.push_back(offline);
  const std::string cancelled = r.admit(at);
  r.open(cancelled);
  r.cancel(cancelled, at);
  r.dead_letter(cancelled, later);
  kept.push_back(cancelled);
  // Refused by the tracking engine: kept, as passgate_sessions_refused_by_tracking counts it.
  const std::string refused = r.admit(at);
  r.open_offline(refused, at);
  r.refuse(refused, later);
  kept.push_back(refused);
  // Settled and done, but its token id is still held (the used-token purge owns those).
  const std::string token_held = r.admit(at, kNow / 1000 + 86400);
  r.open(token_held);
  r.cart(token_held, 100, at);
  (void)r.settle(token_held, "charge", {"charge"}, 100, at, OpEnd::succeeded);
  kept.push_back(token_held);
  r.purge_tokens(kT0 + 2 * kDayMs);
  const auto before = snapshot(kept);
  for (const auto& [id, rows] : before) {
    INFO(rows.describe());
    CHECK(rows.session.has_value());
  }
  CHECK(r.rows(token_held).token_used);
  CHECK_FALSE(r.rows(inside).token_used);

  const DeletedRows deleted = sweep_all(*t.db, kLongAfter);
  CHECK(deleted.total() == 0);
  check_kept_whole(before);
  check_foreign_keys();
}

TEST_CASE_METHOD(RetentionFixture, "a session stays until every row of it is older than the cutoff") {
  const std::string late_cart = r.admit(kT0);
  r.open(late_cart);
  r.cart(late_cart, 1234, kT0 + 50 * kDayMs);  // the engine finalized the cart weeks later
  (void)r.settle(late_cart, "charge", {"charge"}, 1234, kT0 + 50 * kDayMs, OpEnd::succeeded);
  const std::string written_off = r.admit(kT0);
  r.open(written_off);
  r.cart(written_off, 1234, kT0);
  const auto charge = r.settle(written_off, "charge", {"charge"}, 1234, kT0, OpEnd::declined);
  r.write_off(charge.front(), kT0 + 60 * kDayMs);
  r.purge_tokens(kT0 + 2 * kDayMs);
  const auto before = snapshot({late_cart, written_off});

  CHECK(sweep_all(*t.db, RetentionCutoffs{kT0 + 40 * kDayMs, kT0}).total() == 0);
  check_kept_whole(before);
  const DeletedRows later = sweep_all(*t.db, RetentionCutoffs{kT0 + 55 * kDayMs, kT0});
  CHECK(later.sessions == 1);
  CHECK(gone(late_cart));
  CHECK_FALSE(gone(written_off));
  CHECK(sweep_all(*t.db, RetentionCutoffs{kT0 + 61 * kDayMs, kT0}).sessions == 1);
  CHECK(gone(written_off));
  check_foreign_keys();
}

TEST_CASE_METHOD(RetentionFixture, "denied and cancelled sessions go once nothing about them is owed or undelivered") {
  const std::string denied = r.admit(kT0);
  r.deny(denied, "lane_unavailable", true, kT0);
  const std::string blocked = r.admit(kT0);
  r.deny(blocked, "shopper_blocked", false, kT0);
  const std::string cancelled = r.admit(kT0);
  r.open(cancelled);
  r.cancel(cancelled, kT0);
  const std::string held = r.admit(kT0);
  r.open(held);
  (void)r.op(held, "preauth", 5000, kT0, OpEnd::succeeded, false);
  r.cancel(held, kT0);
  r.deliver(held);
  r.purge_tokens(kT0 + 2 * kDayMs);

  DeletedRows first = sweep_all(*t.db, kLongAfter);
  CHECK(first.sessions == 2);
  CHECK(gone(denied));
  CHECK(gone(blocked));
  CHECK_FALSE(gone(cancelled));  // its cancel is not delivered
  CHECK_FALSE(gone(held));       // its hold is not voided

  r.deliver(cancelled);
  (void)r.settle(held, "void", {"void"}, 0, kT0 + kDayMs, OpEnd::succeeded);
  const DeletedRows second = sweep_all(*t.db, kLongAfter);
  CHECK(second.sessions == 2);
  CHECK(second.payment_ops == 2);
  CHECK(second.settlements == 1);
  CHECK(gone(cancelled));
  CHECK(gone(held));
  check_foreign_keys();
}

TEST_CASE_METHOD(RetentionFixture, "a session's money is done once its dead letters are written off and its hold let go") {
  // A charge above the hold: declined, written off by an operator, the hold voided after.
  const std::string id = r.admit(kT0);
  r.open(id);
  (void)r.op(id, "preauth", 5000, kT0, OpEnd::succeeded, false, "pi_hold_" + id);
  r.cart(id, 9000, kT0);
  const auto charge = r.settle(id, "charge+void", {"charge"}, 9000, kT0, OpEnd::declined);
  r.purge_tokens(kT0 + 2 * kDayMs);
  CHECK(sweep_all(*t.db, kLongAfter).total() == 0);  // a dead letter
  r.write_off(charge.front(), kT0 + kDayMs);
  const DeletedRows audited = sweep_all(*t.db, kLongAfter);
  CHECK(audited.sessions == 0);   // no follow-up yet: the hold stands
  CHECK(audited.audit_log == 0);  // the write-off's row, past the audit retention but its operation kept
  (void)r.follow_up(id, charge.front(), kT0 + kDayMs, OpEnd::succeeded);
  const DeletedRows deleted = sweep_all(*t.db, kLongAfter);
  CHECK(deleted.sessions == 1);
  CHECK(deleted.payment_ops == 3);
  CHECK(deleted.audit_log == 1);  // gone with the operation it speaks of
  CHECK(gone(id));
  check_foreign_keys();
}

TEST_CASE_METHOD(RetentionFixture, "resolved quarantined carts and the audit log go after the audit retention, open ones never") {
  const std::string open_cart = r.admit(kT0);
  r.open(open_cart);
  (void)r.quarantine(open_cart, kT0);
  const std::string resolved = r.admit(kT0);
  r.open(resolved);
  const std::int64_t resolved_cart = r.quarantine(resolved, kT0);
  r.write_off_cart(resolved_cart, kT0 + 10 * kDayMs);  // an audit row then
  (void)r.settle(resolved, "none", {}, 0, kT0 + 10 * kDayMs, OpEnd::succeeded);
  const std::int64_t nobodys_open = r.quarantine("", kT0);
  const std::int64_t nobodys_resolved = r.quarantine("", kT0);
  r.write_off_cart(nobodys_resolved, kT0 + 20 * kDayMs);  // and another
  r.purge_tokens(kT0 + 2 * kDayMs);
  const auto quarantined = [&](std::int64_t id) {
    return r.db.sql().execAndGet("SELECT COUNT(*) FROM quarantined_carts WHERE id = " + std::to_string(id)).getInt();
  };
  const auto before = snapshot({open_cart, resolved});

  // Past the records' retention, within the audit log's.
  CHECK(sweep_all(*t.db, RetentionCutoffs{kT0 + 300 * kDayMs, kT0 + 5 * kDayMs}).total() == 0);
  check_kept_whole(before);
  CHECK(r.count("audit_log") == 2);

  const DeletedRows some = sweep_all(*t.db, RetentionCutoffs{kT0 + 300 * kDayMs, kT0 + 15 * kDayMs});
  CHECK(some.sessions == 1);
  CHECK(some.quarantined_carts == 1);
  CHECK(some.settlements == 1);
  CHECK(some.audit_log == 1);
  CHECK(gone(resolved));
  CHECK(quarantined(resolved_cart) == 0);
  CHECK(quarantined(nobodys_resolved) == 1);

  const DeletedRows rest = sweep_all(*t.db, kLongAfter);
  CHECK(rest.quarantined_carts == 1);
  CHECK(rest.audit_log == 1);
  CHECK(quarantined(nobodys_resolved) == 0);
  CHECK(quarantined(nobodys_open) == 1);
  CHECK(r.rows(open_cart).describe() == before.at(open_cart).describe());
  CHECK(r.count("audit_log") == 0);
  check_foreign_keys();
}

TEST_CASE_METHOD(RetentionFixture, "a batch examines at most its limit of sessions, oldest first, and the next goes on after it") {
  std::vector<std::string> final_ones;
  for (int i = 0; i < 120; ++i) final_ones.push_back(r.settled_session(kT0 + i * kMinuteMs));
  const std::string stuck = r.admit(kT0 + 200 * kMinuteMs);  // newer than all the others, and open
  r.open(stuck);
  r.purge_tokens(kT0 + 2 * kDayMs);
  Retention retention(*t.db);

  auto first = retention.delete_sessions(kLongAfter, SessionCursor{});
  REQUIRE(describe(first) == "ok");
  CHECK(first->deleted.sessions == Retention::kSessionsPerBatch);
  CHECK(first->deleted.total() == 4 * Retention::kSessionsPerBatch);
  CHECK_FALSE(first->done);
  CHECK(gone(final_ones[49]));
  CHECK_FALSE(gone(final_ones[50]));

  // A session that must stay does not hold a pass up: it is examined once and passed over.
  auto second = retention.delete_sessions(kLongAfter, first->next, 60);
  REQUIRE(describe(second) == "ok");
  CHECK(second->deleted.sessions == 60);
  CHECK_FALSE(second->done);
  auto third = retention.delete_sessions(kLongAfter, second->next, 60);
  REQUIRE(describe(third) == "ok");
  CHECK(third->deleted.sessions == 10);
  CHECK(third->done);
  CHECK_FALSE(gone(stuck));
  CHECK(r.count("sessions") == 1);
}

TEST_CASE_METHOD(RetentionFixture, "a batch that fails deletes nothing") {
  const std::string id = r.settled_session(kT0);
  r.purge_tokens(kT0 + 2 * kDayMs);
  const auto before = snapshot({id});
  t.db->sql().exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'no'); END");
  auto failed = Retention(*t.db).delete_sessions(kLongAfter, SessionCursor{});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "db_error");
  check_kept_whole(before);  // its operation, cart and settlement too
  t.db->sql().exec("DROP TRIGGER refuse");
  CHECK(sweep_all(*t.db, kLongAfter).sessions == 1);
}

TEST_CASE_METHOD(RetentionFixture, "an audit row stays, however old, while the operation, cart or message it speaks of is kept") {
  // A session the tracking engine refused is kept for ever; its charge, a dead letter, was
  // written off by an operator.
  const std::string refused = r.admit(kT0);
  r.open_offline(refused, kT0);
  r.refuse(refused, kT0);
  const std::int64_t written_off = r.op(refused, "charge", 1234, kT0, OpEnd::dead);
  r.write_off(written_off, kT0);
  // A dead letter retried by an operator, dead again since, not resolved.
  const std::string retried = r.admit(kT0);
  r.open(retried);
  r.cart(retried, 1234, kT0);
  const std::int64_t charge = r.settle(retried, "charge", {"charge"}, 1234, kT0, OpEnd::dead).front();
  REQUIRE(describe(r.queue.retry(charge, "alice", kT0)) == "ok");
  r.finish(charge, OpEnd::dead, kT0);
  // A quarantined cart charged after correction, its session not settled yet.
  const std::string corrected = r.admit(kT0);
  r.open(corrected);
  const std::int64_t cart = r.quarantine(corrected, kT0);
  REQUIRE(describe(r.quarantined.charge(cart, "USD", 1234, "re-priced", "alice", kT0)) == "ok");
  // A report for the tracking engine sent again by an operator, still waiting; another dropped.
  const std::string cancelled = r.admit(kT0);
  r.open(cancelled);
  r.cancel(cancelled, kT0);
  r.dead_letter(cancelled, kT0);
  REQUIRE(describe(r.outbox.retry_dead_letter(r.rows(cancelled).outbox_ids.front(), "alice", kT0)) == "ok");
  const std::string dropped = r.admit(kT0);
  r.open(dropped);
  r.cancel(dropped, kT0);
  r.dead_letter(dropped, kT0);
  const std::int64_t dropped_message = r.rows(dropped).outbox_ids.front();
  REQUIRE(describe(r.outbox.drop_dead_letter(dropped_message, "entered by hand", "alice", kT0)) == "ok");
  r.purge_tokens(kT0 + 2 * kDayMs);
  CHECK(r.count("audit_log") == 5);
  const auto subjects = [&] {
    std::vector<std::string> rows;
    SQLite::Statement query(t.db->sql(),
                            "SELECT action || ' ' || op_id || ' ' || IFNULL(quarantined_cart_id, '') || ' ' ||"
                            " IFNULL(outbox_id, '') FROM audit_log ORDER BY id");
    while (query.executeStep()) rows.push_back(query.getColumn(0).getString());
    return rows;
  };
  const std::string message = std::to_string(r.rows(cancelled).outbox_ids.front());
  const std::vector<std::string> kept{"write_off " + std::to_string(written_off) + "  ",
                                      "retry " + std::to_string(charge) + "  ",
                                      "charge_cart 0 " + std::to_string(cart) + " ", "outbox_retry 0  " + message};
  std::vector<std::string> all = kept;
  all.push_back("outbox_drop 0  " + std::to_string(dropped_message));
  CHECK(subjects() == all);

  // Every row is past the audit retention: only the one whose message is gone goes.
  const DeletedRows first = sweep_all(*t.db, kLongAfter);
  CHECK(first.sessions == 1);  // the dropped one's session: nothing else about it is kept
  CHECK(first.audit_log == 1);
  CHECK(subjects() == kept);

  // Once what they speak of is final and deleted, their rows go with it.
  r.write_off(charge, kT0 + kDayMs);
  (void)r.settle(corrected, "charge", {"charge"}, 1234, kT0 + kDayMs, OpEnd::succeeded);
  r.deliver(cancelled);
  const DeletedRows second = sweep_all(*t.db, kLongAfter);
  CHECK(second.sessions == 3);
  // The retry's, the corrected cart's, the delivered message's and the new write-off's; the
  // refused session's write-off stays with it.
  CHECK(second.audit_log == 4);
  CHECK(subjects() == std::vector<std::string>{kept.front()});
  check_foreign_keys();
}

TEST_CASE_METHOD(RetentionFixture, "what is final is a list: an operation in a state not on it keeps its session") {
  // Dead on an answer that was not its outcome (money may have moved), with its alert
  // cleared: no code does this today, the schema allows it, and it is not on the list.
  const std::string unverified = r.admit(kT0);
  r.open(unverified);
  r.cart(unverified, 1234, kT0);
  const std::int64_t charge = r.settle(unverified, "charge", {"charge"}, 1234, kT0, OpEnd::unverified).front();
  REQUIRE(describe(r.queue.set_alert(charge, false)) == "ok");
  // Declined with its alert cleared and verified: on the list.
  const std::string declined = r.admit(kT0);
  r.open(declined);
  r.cart(declined, 1234, kT0);
  const std::int64_t refused = r.settle(declined, "charge", {"charge"}, 1234, kT0, OpEnd::declined).front();
  REQUIRE(describe(r.queue.set_alert(refused, false)) == "ok");
  r.purge_tokens(kT0 + 2 * kDayMs);
  const auto before = snapshot({unverified});

  const DeletedRows deleted = sweep_all(*t.db, kLongAfter);
  CHECK(deleted.sessions == 1);
  CHECK(gone(declined));
  check_kept_whole(before);
  check_foreign_keys();
}
