// RetentionSweeper in virtual time over a real database: when sweeps run, one batch per loop
// turn, the time a sweep goes by when the wall clock steps forward or back, the audit log kept
// longer, free pages handed back, a failed sweep starting over, and its two settings live on
// reload.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "common/virtual_time.hpp"
#include "controller/live_components.hpp"
#include "controller/storage/retention_sweeper.hpp"
#include "db/file_space.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/db/retention_support.hpp"

using namespace std::chrono_literals;
using namespace passgate;
using namespace passgate::db::test;
using controller::RetentionConfig;
using controller::RetentionSweeper;
using controller::SweepPace;

namespace {

WallTime wall_at(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

constexpr SweepPace kPace{.first = 60s, .every = 3600s, .pause = 10ms};

struct SweeperFixture {
  SweeperFixture() {
    vt.set_wall(wall_at(kNow));
    // The newest admission, a minute ago: the records vouch for the wall clock up to it.
    r.open(r.admit(kNow - kMinuteMs));
  }
  // A session settled `days_ago`, its token id forgotten.
  std::string settled(int days_ago) {
    const std::string id = r.settled_session(kNow - days_ago * kDayMs);
    sessions.push_back(id);
    return id;
  }
  void forget_tokens() { r.purge_tokens(kNow); }
  std::unique_ptr<RetentionSweeper> start(RetentionConfig settings = {}, SweepPace pace = kPace) {
    return std::make_unique<RetentionSweeper>(*t.db, r.sessions, vt, vt, settings, pace);
  }
  bool gone(const std::string& id) { return !r.rows(id).session.has_value(); }
  // An audit row `days_ago` (a cart of nobody written off then).
  void audited(int days_ago) { r.write_off_cart(r.quarantine("", kNow - days_ago * kDayMs), kNow - days_ago * kDayMs); }

  VirtualTime vt;
  TestDatabase t;
  ShopRecords r{*t.db};
  std::vector<std::string> sessions;
};

}  // namespace

TEST_CASE_METHOD(SweeperFixture, "a sweep runs a second after start, then hourly, one batch of sessions per loop turn") {
  for (int i = 0; i < 120; ++i) (void)settled(100);
  const std::string young = settled(30);
  forget_tokens();
  const auto sweeper = start(RetentionConfig{.retention_days = 90, .audit_retention_days = 365}, SweepPace{});
  vt.advance(999ms);
  CHECK(r.count("sessions") == 122);
  vt.advance(1ms);  // the first batch of 50, and nothing more on this turn
  CHECK(sweeper->sweeping());
  CHECK(r.count("sessions") == 72);
  CHECK(r.count("payment_ops") == 71);
  vt.advance(10ms);
  CHECK(r.count("sessions") == 22);
  vt.advance(10ms);
  CHECK(r.count("sessions") == 2);
  vt.advance(1s);  // the carts of nobody, the audit log, the free pages
  CHECK_FALSE(sweeper->sweeping());
  CHECK(sweeper->sweeps() == 1);
  CHECK(sweeper->deleted_total().sessions == 120);
  CHECK(sweeper->deleted_total().payment_ops == 120);
  CHECK(sweeper->deleted_total().carts == 120);
  CHECK(sweeper->deleted_total().settlements == 120);
  CHECK_FALSE(gone(young));

  vt.advance(3600s);
  CHECK(sweeper->sweeps() == 2);
  CHECK(sweeper->deleted_total().sessions == 120);
}

TEST_CASE_METHOD(SweeperFixture, "a wall clock stepped far forward deletes nothing its records cannot vouch for") {
  const std::string old_one = settled(100);
  const std::string young = settled(30);
  forget_tokens();
  vt.set_wall(wall_at(kNow + 10 * 365 * kDayMs));  // ten years ahead
  const SweepPace daily{.first = 60s, .every = 24h, .pause = 10ms};
  auto sweeper = start({}, daily);
  vt.advance(2s * 60);
  REQUIRE(sweeper->sweeps() == 1);
  CHECK(gone(old_one));      // older than 90 days by the newest admission too
  CHECK_FALSE(gone(young));  // 30 days old, not ten years
  // Restarted with the clock still ahead: by the mark the last sweep kept, the same.
  sweeper.reset();
  sweeper = start({}, daily);
  vt.advance(2s * 60);
  REQUIRE(sweeper->sweeps() == 1);
  CHECK_FALSE(gone(young));
  // Real time passes (the monotonic clock): the young session ages with it, not with the wall.
  vt.advance(24h * 59);
  CHECK_FALSE(gone(young));
  vt.advance(24h * 2);
  CHECK(gone(young));
}

TEST_CASE_METHOD(SweeperFixture, "no sweep runs while the wall clock is behind the gate's records, and sweeps resume once it caught up") {
  const std::string old_one = settled(100);
  forget_tokens();
  vt.set_wall(wall_at(kNow - 10 * kDayMs));  // behind the newest admission
  const auto sweeper = start();
  vt.advance(2s * 60);
  CHECK(sweeper->sweeps() == 0);
  CHECK_FALSE(gone(old_one));
  vt.advance(3600s);
  CHECK(sweeper->sweeps() == 0);
  vt.set_wall(wall_at(kNow));
  vt.advance(3600s);
  CHECK(sweeper->sweeps() == 1);
  CHECK(gone(old_one));
}

TEST_CASE_METHOD(SweeperFixture, "a wall clock stepped back after a sweep deletes nothing young") {
  const std::string young = settled(30);
  const std::string older = settled(80);
  forget_tokens();
  const auto sweeper = start(RetentionConfig{.retention_days = 60, .audit_retention_days = 365});
  vt.advance(2s * 60);
  REQUIRE(sweeper->sweeps() == 1);
  CHECK(gone(older));
  vt.set_wall(wall_at(kNow - 100 * kDayMs));  // back by 100 days: the sweeps stop
  vt.advance(3600s * 3);
  CHECK(sweeper->sweeps() == 1);
  CHECK_FALSE(gone(young));
}

TEST_CASE_METHOD(SweeperFixture, "the audit log is kept longer than the records") {
  const std::string old_one = settled(100);
  audited(100);
  audited(400);
  forget_tokens();
  const auto sweeper = start(RetentionConfig{.retention_days = 30, .audit_retention_days = 365});
  vt.advance(2s * 60);
  REQUIRE(sweeper->sweeps() == 1);
  CHECK(gone(old_one));
  CHECK(r.count("audit_log") == 1);
  CHECK(sweeper->deleted_total().audit_log == 1);
  CHECK(sweeper->deleted_total().quarantined_carts == 1);
}

TEST_CASE_METHOD(SweeperFixture, "a sweep hands the free pages back to the file system, a step per loop turn") {
  for (int i = 0; i < 600; ++i) (void)settled(100);
  forget_tokens();
  const auto before = db::file_pages(*t.db);
  REQUIRE(describe(before) == "ok");
  const auto sweeper = start({}, SweepPace{.first = 60s, .every = 3600s, .pause = 10ms, .pages_per_step = 16,
                                           .pages_kept_free = 8});
  vt.advance(60s);
  std::int64_t pages = before->pages;
  int turns = 0;
  std::int64_t most_freed = 0;
  while (sweeper->sweeping() && ++turns < 1000) {
    vt.advance(10ms);
    const auto now = db::file_pages(*t.db);
    REQUIRE(describe(now) == "ok");
    most_freed = std::max(most_freed, pages - now->pages);
    pages = now->pages;
  }
  CHECK_FALSE(sweeper->sweeping());
  CHECK(most_freed >= 16);
  CHECK(most_freed <= 17);  // 16 a turn (and a pointer-map page past the new end)
  const auto after = db::file_pages(*t.db);
  REQUIRE(describe(after) == "ok");
  CHECK(after->free_pages <= 8);
  CHECK(after->pages < before->pages - 64);
}

TEST_CASE_METHOD(SweeperFixture, "a sweep whose batch fails stops with nothing half done, and the next starts over") {
  const std::string old_one = settled(100);
  forget_tokens();
  t.db->sql().exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'no'); END");
  const auto sweeper = start();
  vt.advance(2s * 60);
  CHECK_FALSE(sweeper->sweeping());
  CHECK(sweeper->sweeps() == 0);
  CHECK(r.rows(old_one).ops.size() == 1);
  CHECK(r.rows(old_one).cart.has_value());
  t.db->sql().exec("DROP TRIGGER refuse");
  vt.advance(3600s);
  CHECK(sweeper->sweeps() == 1);
  CHECK(gone(old_one));
}

TEST_CASE_METHOD(SweeperFixture, "after a reload, database.retention_days is the age final records are deleted at") {
  const std::string sixty = settled(60);
  forget_tokens();
  const auto sweeper = start();
  vt.advance(2s * 60);
  REQUIRE(sweeper->sweeps() == 1);
  CHECK_FALSE(gone(sixty));  // 90 days by default
  controller::GateConfig config;
  config.retention.retention_days = 30;
  controller::apply_live_settings(controller::LiveComponents{.retention = sweeper.get()}, config);
  vt.advance(3600s);
  REQUIRE(sweeper->sweeps() == 2);
  CHECK(gone(sixty));
}

TEST_CASE_METHOD(SweeperFixture, "after a reload, database.audit_retention_days is the age audit entries are deleted at") {
  audited(200);
  const auto sweeper = start();
  vt.advance(2s * 60);
  REQUIRE(sweeper->sweeps() == 1);
  CHECK(r.count("audit_log") == 1);  // 365 days by default
  controller::GateConfig config;
  config.retention.audit_retention_days = 100;
  controller::apply_live_settings(controller::LiveComponents{.retention = sweeper.get()}, config);
  vt.advance(3600s);
  REQUIRE(sweeper->sweeps() == 2);
  CHECK(r.count("audit_log") == 0);
}
