// HealthCheck: healthy while the database takes a durable write, probed at most once per
// kProbeInterval; a failed write is unhealthy with the database's reason, counted as a
// database error, and health comes back with the next good probe. A stuck outbox and a wall
// clock that stepped back within the hour are unhealthy too, each with what it is.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "common/virtual_time.hpp"
#include "controller/metrics/gate_alerts.hpp"
#include "controller/metrics/health.hpp"
#include "db/gate_status.hpp"
#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/sqlite_error.hpp"
#include "tests/db/db_test_support.hpp"

using namespace std::chrono_literals;
using namespace passgate;
using controller::HealthCheck;

namespace {

struct HealthFixture {
  // Another connection to the same file: what breaks the gate's writes behind its back.
  void on_the_side(const std::string& sql) {
    SQLite::Database other(t.file.string(), SQLite::OPEN_READWRITE);
    other.exec(sql);
  }

  VirtualTime vt;
  db::test::TestDatabase t;
  db::GateStatus status{*t.db};
  db::Outbox outbox{*t.db};
  db::PaymentQueue queue{*t.db};
  controller::WallClockWatch clock_watch{status, queue, vt};
  controller::TrackingConfig tracking;
  db::SessionStore sessions{*t.db};
  HealthCheck health{status, outbox, sessions, clock_watch, tracking, vt};
};

}  // namespace

TEST_CASE_METHOD(HealthFixture, "healthy once the probe row is written") {
  CHECK_FALSE(health.problem());
  const auto row = status.get("healthz_probe");
  REQUIRE(db::test::describe(row) == "ok");
  REQUIRE(row->has_value());
  CHECK((*row)->value == "ok");
}

TEST_CASE_METHOD(HealthFixture, "a failed write is unhealthy and counted, until a later probe succeeds") {
  REQUIRE_FALSE(health.problem());
  on_the_side("DROP TABLE gate_status");
  // Within the probe interval the last result stands: no write is tried.
  const auto before = db::failed_operations().db_error;
  vt.advance(HealthCheck::kProbeInterval - 1ms);
  CHECK_FALSE(health.problem());
  CHECK(db::failed_operations().db_error == before);

  vt.advance(1ms);
  const auto problem = health.problem();
  REQUIRE(problem);
  CHECK(problem->starts_with("database: "));
  CHECK(problem->find("gate_status") != std::string::npos);
  const auto counted = db::failed_operations().db_error;  // the write, and the purge mark's read
  CHECK(counted > before);
  CHECK(health.problem() == problem);  // the same verdict, not probed again
  CHECK(db::failed_operations().db_error == counted);

  on_the_side("CREATE TABLE gate_status (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL,"
              " updated_at_ms INTEGER NOT NULL)");
  vt.advance(HealthCheck::kProbeInterval);
  CHECK_FALSE(health.problem());
}

TEST_CASE_METHOD(HealthFixture, "an outbox whose oldest message is older than outbox_alert_after_s is unhealthy") {
  tracking.outbox_alert_after = 600s;
  const auto queued = outbox.enqueue({.kind = "passage", .target = "/v1/passages", .body = "{}", .session_id = ""},
                                     unix_millis(vt.wall_now()));
  REQUIRE(queued.ok());
  REQUIRE(outbox.record_failure(*queued, 0, "connection refused").ok());
  CHECK_FALSE(health.problem());
  vt.advance(600s);
  auto problem = health.problem();
  REQUIRE(problem);
  CHECK(problem->starts_with("outbox: 1 message(s) for the tracking engine not delivered, the oldest 600 s old"));
  CHECK(problem->find("connection refused") != std::string::npos);

  tracking.outbox_alert_after = 3600s;  // a reload: from the next probe on
  vt.advance(HealthCheck::kProbeInterval);
  CHECK_FALSE(health.problem());

  tracking.outbox_alert_after = 600s;
  vt.advance(HealthCheck::kProbeInterval);
  REQUIRE(health.problem());
  REQUIRE(outbox.remove(*queued).ok());  // delivered
  vt.advance(HealthCheck::kProbeInterval);
  CHECK_FALSE(health.problem());
}

TEST_CASE_METHOD(HealthFixture, "a wall clock that stepped back is unhealthy for an hour after it was noticed") {
  std::optional<controller::ClockStepBack> stepped;
  (void)clock_watch.now_ms(stepped);
  vt.set_wall(vt.wall_now() - 2h);
  (void)clock_watch.now_ms(stepped);  // as the payment drainer does about once a second
  REQUIRE(stepped);
  auto problem = health.problem();
  REQUIRE(problem);
  CHECK(problem->starts_with("clock: the wall clock stepped back by 7200 s"));
  vt.advance(controller::kClockStepAlertFor - HealthCheck::kProbeInterval);
  CHECK(health.problem());
  vt.advance(HealthCheck::kProbeInterval);
  CHECK_FALSE(health.problem());
}

TEST_CASE_METHOD(HealthFixture, "a wall clock more than a day behind the token purge's mark is unhealthy until it catches up") {
  const std::int64_t now_s = unix_seconds(vt.wall_now());
  // Used token ids were purged by a time 2 days ahead (a database from a gate whose clock ran ahead).
  REQUIRE(db::test::describe(sessions.purge_used_tokens(now_s + 2 * 86400)) == "ok");
  auto problem = health.problem();
  REQUIRE(problem);
  CHECK(problem->starts_with("clock: every entry token is refused as expired: the wall clock is 172800 s behind"));
  // Entry comes back once the clock is within a day of the mark (the ids' margin).
  vt.advance(24h + HealthCheck::kProbeInterval);
  CHECK_FALSE(health.problem());
}
