// Anti-passback: a shopper whose session is still open at this store is not admitted again
// ("hard": denied already_inside, the token left usable), or admitted with a warning
// ("soft"), or not checked ("off"). The session ends with its cancel, final cart or
// settlement.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/settlement_store.hpp"
#include "db/sqlite_error.hpp"
#include "tests/admission/admission_fixture.hpp"
#include "tests/support/captured_log.hpp"

using passgate::DenialReason;
using passgate::controller::AntiPassback;
using passgate::db::SessionState;
using passgate::test::AdmissionFixture;

namespace {

// Every denial written from now on is refused, as by a full disk (the session stays opening).
void refuse_denials(AdmissionFixture& f) {
  f.database->sql().exec(
      "CREATE TRIGGER disk_full BEFORE UPDATE OF state ON sessions WHEN NEW.state = 'denied'"
      " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
}

}  // namespace

TEST_CASE("hard anti-passback denies a shopper already inside, without asking the engine") {
  AdmissionFixture f;  // "hard" is the default
  const auto first = f.admit(f.token_of("shp_ann"), 201);
  REQUIRE(first.admitted);
  const auto second_token = f.token_of("shp_ann");
  const auto second = f.admit(second_token, std::nullopt);
  CHECK_FALSE(second.admitted);
  CHECK(second.reason == DenialReason::already_inside);
  CHECK(f.tracking.sent.size() == 1);
  const auto all = f.sessions->all().value();
  REQUIRE(all.size() == 2);
  CHECK(all[1].state == SessionState::denied);
  CHECK(all[1].denial_reason == "already_inside");

  // Another shopper is not affected.
  CHECK(f.admit(f.token_of("shp_bob"), 201).admitted);

  // Once the first session has ended, the same (still unused) token admits.
  const passgate::db::OutboxMessage cancel{.kind = "cancel", .target = "/t", .body = "{}", .session_id = first.session_id};
  REQUIRE(f.sessions->mark_cancelled(first.session_id, cancel, 0).ok());
  CHECK(f.admit(second_token, 201).admitted);
}

TEST_CASE("a shopper is inside from the scan on: a second scan while the first is still opening is denied") {
  AdmissionFixture f;
  std::optional<passgate::controller::AdmissionResult> first;
  f.admission->request(1, 4, f.token_of("shp_ann"), [&](auto r) { first = r; });
  const auto second = f.admit(f.token_of("shp_ann"), std::nullopt);
  CHECK(second.reason == DenialReason::already_inside);
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(first.has_value());
  CHECK(first->admitted);
}

TEST_CASE("a final cart ends the session: the shopper may come in again") {
  AdmissionFixture f;
  const auto first = f.admit(f.token_of("shp_ann"), 201);
  REQUIRE(first.admitted);
  passgate::db::SettlementStore settlement(*f.database);
  REQUIRE(settlement
              .record_carts("carts", {passgate::db::FinalCart{first.session_id, "USD", 0, "2026-11-21T18:21:40.002Z"}},
                            {}, "c1", 0)
              .ok());
  CHECK(f.admit(f.token_of("shp_ann"), 201).admitted);
}

TEST_CASE("a quarantined final cart ends the session too: the shopper may come in again") {
  AdmissionFixture f;
  const auto first = f.admit(f.token_of("shp_ann"), 201);
  REQUIRE(first.admitted);
  passgate::db::SettlementStore settlement(*f.database);
  const passgate::db::QuarantinedCart cart{first.session_id, passgate::db::QuarantineReason::currency,
                                           "currency EUR is not the gate's currency USD", "{}", ""};
  REQUIRE(settlement.record_carts("carts", {}, {cart}, "c1", 0).ok());
  CHECK(f.admit(f.token_of("shp_ann"), 201).admitted);
}

TEST_CASE("a replayed token of a shopper inside is still a replay") {
  AdmissionFixture f;
  const auto t = f.token_of("shp_ann");
  REQUIRE(f.admit(t, 201).admitted);
  CHECK(f.admit(t, std::nullopt).reason == DenialReason::replayed);
}

TEST_CASE("soft anti-passback admits the shopper again, off does not look") {
  const AntiPassback mode = GENERATE(AntiPassback::soft, AntiPassback::off);
  AdmissionFixture f;
  f.settings.anti_passback = mode;
  f.restart();
  REQUIRE(f.admit(f.token_of("shp_ann"), 201).admitted);
  const auto again = f.admit(f.token_of("shp_ann"), 201);
  CHECK(again.admitted);
  CHECK(f.sessions->in_state(SessionState::open).value().size() == 2);
}

TEST_CASE("a denial the database refused does not keep its shopper out, and is written again later") {
  AdmissionFixture f;
  refuse_denials(f);
  const auto refused = f.admit(f.token_of("shp_ann"), 403);
  CHECK(refused.reason == DenialReason::shopper_blocked);
  auto all = f.sessions->all().value();
  REQUIRE(all.size() == 1);
  CHECK(all[0].state == SessionState::opening);  // not recorded yet
  // Denied all the same: anti-passback leaves that session out, though it is opening on disk.
  CHECK(f.admit(f.token_of("shp_ann"), 201).admitted);

  // Still refused at the retries: tried again later, not given up.
  f.vt.advance(passgate::controller::AdmissionService::kDenialRetryFirst * 4);
  f.vt.run_ready();
  CHECK(f.sessions->all().value()[0].state == SessionState::opening);

  f.database->sql().exec("DROP TRIGGER disk_full");
  f.vt.advance(passgate::controller::AdmissionService::kDenialRetryMax);
  f.vt.run_ready();
  all = f.sessions->all().value();
  CHECK(all[0].state == SessionState::denied);
  CHECK(all[0].denial_reason == "shopper_blocked");
}

TEST_CASE("once a write goes through again, the denials waiting for the database are written at once") {
  AdmissionFixture f;
  refuse_denials(f);
  REQUIRE(f.admit(f.token_of("shp_ann"), 403).reason == DenialReason::shopper_blocked);
  // Refused at 1 s, 3 s, 7 s: the next try is 8 s away.
  f.vt.advance(std::chrono::seconds(7) + std::chrono::milliseconds(100));
  f.vt.run_ready();
  f.database->sql().exec("DROP TRIGGER disk_full");
  // The next scan's session is written: the database works, the waiting denial goes now.
  REQUIRE(f.admit(f.token_of("shp_bob"), 201).admitted);
  f.vt.run_ready();
  const auto all = f.sessions->all().value();
  REQUIRE(all.size() == 2);
  CHECK(all[0].state == SessionState::denied);
}

TEST_CASE("a retry of waiting denials stops at a locked database instead of waiting on each of them") {
  AdmissionFixture f;
  refuse_denials(f);
  for (const char* shopper : {"shp_ann", "shp_bob", "shp_cyd"}) {
    REQUIRE(f.admit(f.token_of(shopper), 403).reason == DenialReason::shopper_blocked);
  }
  f.database->sql().exec("DROP TRIGGER disk_full");
  // Another program holds the write lock: each write would wait for it (2 s in the daemon).
  f.database->sql().setBusyTimeout(0);
  SQLite::Database other((f.dir / "gate.db").string(), SQLite::OPEN_READWRITE);
  auto lock = std::make_unique<SQLite::Transaction>(other, SQLite::TransactionBehavior::IMMEDIATE);
  const auto busy_before = passgate::db::failed_operations().db_busy;
  f.vt.advance(passgate::controller::AdmissionService::kDenialRetryFirst);
  f.vt.run_ready();
  CHECK(passgate::db::failed_operations().db_busy - busy_before == 1);  // one try, not three
  lock.reset();
  f.vt.advance(passgate::controller::AdmissionService::kDenialRetryFirst * 2);
  f.vt.run_ready();
  const auto all = f.sessions->all().value();
  REQUIRE(all.size() == 3);
  for (const auto& session : all) {
    INFO(session.session_id);
    CHECK(session.state == SessionState::denied);
  }
}

TEST_CASE("a graceful stop writes the denials still waiting, and logs each the database still refuses for the next start") {
  AdmissionFixture f;
  refuse_denials(f);
  REQUIRE(f.admit(f.token_of("shp_ann"), 403).reason == DenialReason::shopper_blocked);
  REQUIRE(f.admit(f.token_of("shp_bob"), 403).reason == DenialReason::shopper_blocked);
  passgate::test::CapturedLog log;
  // Still refused: each logged, but not lost for good: their sessions are still opening on
  // disk, so the next start closes them.
  CHECK(f.admission->write_waiting_now() == 0);
  CHECK(log.count("event=denial_record_lost") == 2);
  CHECK(log.count("next=closed_at_next_start") == 2);

  AdmissionFixture g;
  refuse_denials(g);
  REQUIRE(g.admit(g.token_of("shp_ann"), 403).reason == DenialReason::shopper_blocked);
  g.database->sql().exec("DROP TRIGGER disk_full");  // space freed before the stop
  CHECK(g.admission->write_waiting_now() == 0);
  CHECK(g.sessions->all().value()[0].state == SessionState::denied);
}

TEST_CASE("a graceful stop reports the session-ending writes dropped at the cap too, not only those still waiting") {
  AdmissionFixture f;
  const auto refused = [] { return passgate::Status{passgate::make_error("db_error", "refused")}; };
  const std::size_t extra = 3;
  for (std::size_t i = 0; i < passgate::controller::AdmissionService::kMaxUnrecordedDenials + extra; ++i) {
    f.admission->write_later("sid-" + std::to_string(i), "cancel of an unused grant", refused);
  }
  // What the metrics and status show: those retried, and those dropped at the cap.
  CHECK(f.admission->writes_waiting().retrying == passgate::controller::AdmissionService::kMaxUnrecordedDenials);
  CHECK(f.admission->writes_waiting().dropped == extra);
  passgate::test::CapturedLog log;
  // No such sessions on disk: none is closed by the next start, so every one is reported lost.
  CHECK(f.admission->write_waiting_now() == passgate::controller::AdmissionService::kMaxUnrecordedDenials + extra);
  CHECK(f.admission->writes_waiting().total() == 0);
  CHECK(log.count("event=denial_record_lost session=sid-0 ") == 1);  // dropped at the cap
  CHECK(log.count("dropped from the writes waiting for the database") == extra);
}

TEST_CASE("an id dropped past the cap of ids kept is reported lost when it is forgotten, not silently") {
  AdmissionFixture f;
  using passgate::controller::AdmissionService;
  const auto refused = [] { return passgate::Status{passgate::make_error("db_error", "refused")}; };
  passgate::test::CapturedLog log;  // 65,536 lines of event=denial_record_dropped, kept off the test's output
  std::size_t i = 0;
  for (; i < AdmissionService::kMaxUnrecordedDenials + AdmissionService::kMaxDroppedIds; ++i) {
    f.admission->write_later("sid-" + std::to_string(i), "cancel of an unused grant", refused);
  }
  REQUIRE(f.admission->writes_waiting().dropped == AdmissionService::kMaxDroppedIds);
  REQUIRE(log.count("event=denial_record_lost") == 0);
  f.admission->write_later("sid-" + std::to_string(i), "cancel of an unused grant", refused);
  CHECK(f.admission->writes_waiting().dropped == AdmissionService::kMaxDroppedIds);
  CHECK(log.count("event=denial_record_lost session=sid-0 ") == 1);  // the oldest id, forgotten now
  CHECK(log.count("its hold is no longer held back") == 1);
  CHECK_FALSE(f.admission->denial_unrecorded("sid-0"));
  CHECK(f.admission->denial_unrecorded("sid-1"));
}

TEST_CASE("a waiting cancel whose session an operator cancelled meanwhile is not reported lost at the stop") {
  AdmissionFixture f;
  const auto admitted = f.admit(f.token_of("shp_ann"), 201);
  REQUIRE(admitted.admitted);
  const std::string id = admitted.session_id;
  // The lane's cancel was refused and waits; the operator cancels the session (passgatectl
  // sessions cancel) before the stop, and the waiting write still refuses at the stop.
  f.admission->write_later(id, "cancel of an unused grant",
                           [] { return passgate::Status{passgate::make_error("db_error", "refused")}; });
  REQUIRE(f.sessions->mark_cancelled(id, passgate::controller::cancel_message(id), 0).ok());
  passgate::test::CapturedLog log;
  CHECK(f.admission->write_waiting_now() == 0);
  CHECK(log.count("event=denial_record_lost") == 0);
  CHECK(log.count("event=denial_record_dropped session=" + id) == 1);
}
