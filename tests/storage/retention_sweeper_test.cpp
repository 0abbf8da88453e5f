// RetentionSweeper in virtual time over a real database: when sweeps run, one batch per loop
// turn (the first one on a turn after the mark's commit), batches halved after a slow one and
// grown back after fast ones (timed by a stopwatch whose durations the test chooses), the time
// a sweep goes by when the wall clock steps forward or back, the audit log kept longer, free
// pages handed back, a session that fails alone passed over, a failed sweep starting over,
// card attempts and blocklist entries deleted once final and old, and its two settings live
// on reload.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "common/virtual_time.hpp"
#include "controller/live_components.hpp"
#include "controller/storage/retention_sweeper.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/file_space.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/db/retention_support.hpp"
#include "tests/support/captured_log.hpp"

using namespace std::chrono_literals;
using namespace passgate;
using namespace passgate::db::test;
using controller::RetentionConfig;
using controller::RetentionSweeper;
using controller::SweepPace;

namespace {

WallTime wall_at(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

// The sweeper's stopwatch: it reads it right before and right after each batch, and the n-th
// batch takes durations[n] (then nothing).
class BatchDurations final : public Clock {
 public:
  explicit BatchDurations(std::vector<Millis> durations) : durations_(std::move(durations)) {}
  [[nodiscard]] WallTime wall_now() const override { return {}; }
  [[nodiscard]] SteadyTime steady_now() const override {
    if (reads_++ % 2 == 1 && next_ < durations_.size()) now_ += durations_[next_++];
    return now_;
  }

 private:
  std::vector<Millis> durations_;
  mutable std::size_t next_ = 0;
  mutable std::uint64_t reads_ = 0;
  mutable SteadyTime now_;
};

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
  std::unique_ptr<RetentionSweeper> start(RetentionConfig settings = {}, SweepPace pace = kPace,
                                          const Clock* stopwatch = nullptr) {
    return std::make_unique<RetentionSweeper>(*t.db, r.sessions, vt, vt, settings, pace, stopwatch);
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
  const std::int64_t commits = t.db->commits();
  vt.advance(1ms);  // the sweep's time recorded (one synced commit), and no batch on this turn
  CHECK(sweeper->sweeping());
  CHECK(t.db->commits() == commits + 1);
  CHECK(r.count("sessions") == 122);
  vt.advance(10ms);  // the first batch of 50, on a turn of its own
  CHECK(t.db->commits() == commits + 2);
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
  audited(400);
  forget_tokens();
  t.db->sql().exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'no'); END");
  passgate::test::CapturedLog log;
  const auto sweeper = start();
  vt.advance(2s * 60);
  CHECK_FALSE(sweeper->sweeping());
  CHECK(sweeper->sweeps() == 0);
  CHECK(gone(old_one));  // its batch was done before
  CHECK(r.count("audit_log") == 1);
  CHECK(log.count("event=retention_failed phase=audit") == 1);
  t.db->sql().exec("DROP TRIGGER refuse");
  vt.advance(3600s);
  CHECK(sweeper->sweeps() == 1);
  CHECK(r.count("audit_log") == 0);
}

TEST_CASE_METHOD(SweeperFixture, "a session that cannot be deleted is passed over once and the sweep goes on past it") {
  for (int i = 0; i < 120; ++i) (void)settled(100);
  const std::string bad = sessions[20];  // in the first batch
  forget_tokens();
  const SessionRows before = r.rows(bad);
  t.db->sql().exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON carts WHEN OLD.session_id = '" + bad +
                   "' BEGIN SELECT RAISE(ABORT, 'damaged row'); END");
  passgate::test::CapturedLog log;
  const auto sweeper = start();
  vt.advance(60s + 10ms);  // the first batch fails as a whole: nothing deleted
  CHECK(r.count("sessions") == 121);
  for (int turn = 0; turn < 50; ++turn) vt.advance(10ms);  // the same 50, one at a time
  CHECK(r.count("sessions") == 72);
  CHECK(sweeper->skipped_sessions() == 1);
  vt.advance(1s);
  REQUIRE(sweeper->sweeps() == 1);
  CHECK(r.count("sessions") == 2);  // the bad one and the newest admission
  CHECK(r.rows(bad).describe() == before.describe());
  CHECK(log.count("event=retention_session_skipped session=" + bad + " ") == 1);
  CHECK(log.count("damaged row") == 1);
  CHECK(log.count("skipped_sessions=1 ") == 1);
  CHECK(log.count("event=retention_failed") == 0);
  // The next sweep tries it again; once it can go, it goes.
  t.db->sql().exec("DROP TRIGGER refuse");
  vt.advance(3600s);
  CHECK(sweeper->sweeps() == 2);
  CHECK(gone(bad));
  CHECK(sweeper->skipped_sessions() == 1);
}

TEST_CASE_METHOD(SweeperFixture, "while a scan is being admitted the next batch waits, but not for ever") {
  for (int i = 0; i < 120; ++i) (void)settled(100);
  forget_tokens();
  const auto sweeper = start(RetentionConfig{.retention_days = 90, .audit_retention_days = 365}, SweepPace{});
  const std::int64_t all = r.count("sessions");
  bool admitting = true;
  sweeper->yield_while([&] { return admitting; });
  vt.advance(1s);  // the sweep's time recorded
  REQUIRE(sweeper->sweeping());
  for (int pause = 0; pause < 5; ++pause) vt.advance(10ms);
  CHECK(r.count("sessions") == all);  // nothing while the lane is busy
  admitting = false;
  vt.advance(10ms);
  CHECK(r.count("sessions") == all - 50);  // a batch once it is not
  admitting = true;
  for (int pause = 0; pause < controller::RetentionSweeper::kMostYields; ++pause) vt.advance(10ms);
  CHECK(r.count("sessions") == all - 50);
  vt.advance(10ms);  // a lane busy without end does not stop retention
  CHECK(r.count("sessions") == all - 100);
}

TEST_CASE_METHOD(SweeperFixture, "a batch that took over 8 ms halves the next, down to one, and one under 2 ms grows it back") {
  for (int i = 0; i < 300; ++i) (void)settled(100);
  forget_tokens();
  const BatchDurations durations({30ms, 30ms, 30ms, 5ms, 1ms, 1ms, 30ms, 30ms, 30ms, 30ms, 30ms, 30ms, 1ms, 1ms,
                                  1ms, 1ms, 1ms, 1ms, 1ms});
  const auto sweeper = start({}, kPace, &durations);
  vt.advance(60s);
  std::vector<std::int64_t> deleted;  // by each batch
  std::vector<std::int64_t> limits;   // after each batch
  std::int64_t left = r.count("sessions");
  for (int turn = 0; turn < 19; ++turn) {
    vt.advance(10ms);
    deleted.push_back(left - r.count("sessions"));
    left = r.count("sessions");
    limits.push_back(sweeper->sessions_per_batch());
  }
  CHECK(deleted == std::vector<std::int64_t>{50, 25, 12, 6, 6, 12, 24, 12, 6, 3, 1, 1, 1, 2, 4, 8, 16, 32, 50});
  CHECK(limits == std::vector<std::int64_t>{25, 12, 6, 6, 12, 24, 12, 6, 3, 1, 1, 1, 2, 4, 8, 16, 32, 50, 50});
  vt.advance(1s);
  CHECK(sweeper->sweeps() == 1);
  CHECK(r.count("sessions") == 1);
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

TEST_CASE_METHOD(SweeperFixture, "a sweep deletes card attempts voided and blocklist entries lifted before the cutoff, nothing else") {
  db::CardAttemptStore attempts(*t.db);
  db::CardBlocklist blocklist(*t.db);
  const std::int64_t long_ago = kNow - 100 * kDayMs;
  REQUIRE(code_of(attempts.arm(new_attempt("sid-voided", 1), long_ago)) == "ok");
  REQUIRE(code_of(attempts.abandon("sid-voided", "rearm", long_ago)) == "ok");
  REQUIRE(code_of(attempts.mark_voided("sid-voided", long_ago)) == "ok");
  REQUIRE(code_of(attempts.arm(new_attempt("sid-armed", 2), long_ago)) == "ok");  // not final: kept
  REQUIRE(describe(blocklist.add("hash-lifted", "unpaid_remainder", "sid-a", long_ago)) == "ok");
  REQUIRE(describe(blocklist.lift("sid-a", long_ago)) == "ok");
  REQUIRE(describe(blocklist.add("hash-in-force", "unpaid_remainder", "sid-b", long_ago)) == "ok");
  test::CapturedLog log;
  const auto sweeper = start(RetentionConfig{.retention_days = 90, .audit_retention_days = 365});
  vt.advance(kPace.first + 1s);
  REQUIRE_FALSE(sweeper->sweeping());
  CHECK(sweeper->deleted_total().card_attempts == 1);
  CHECK(sweeper->deleted_total().card_blocklist == 1);
  CHECK(r.count("card_attempts") == 1);
  CHECK(r.count("card_blocklist") == 1);
  CHECK(log.count("card_attempts=1 card_blocklist=1") == 1);
}
