// RetentionSweeper: runs retention (db/retention.hpp) on the event loop, so a year of operation
// fits in bounded space. A sweep starts a second after start-up and then every hour. It is a
// chain of small batches, each one transaction on a loop turn of its own with a short pause
// before it (the first one too, after the commit that records the sweep's time), so a scan
// never waits behind more than one of them: the sessions admitted before the cutoff (oldest
// first), then the card-entry attempts voided and the blocklist entries lifted before the
// cutoff, then the resolved quarantined carts that name no session, then the audit log; last,
// the database's free pages are handed back to the file system a megabyte at a time
// (db/file_space.hpp). A batch is bounded in time too: each is timed on the steady clock, and
// its phase's next batch is halved after one that took over 8 ms, grown back after one under
// 2 ms (batch_budget.hpp); while a scan is being admitted the next batch waits (yield_while).
// Each sweep logs one line (event=retention_swept) with what it
// deleted by table.
// Failures: a batch of sessions that fails is retried one session at a time; a session that
// then fails alone with a database error about its rows ("db_error") is passed over
// (event=retention_session_skipped, with the error, for the first 10 of a sweep; all counted
// in its summary and passgate_retention_skipped_sessions_total) and the sweep goes on after
// it, so one bad row never stops retention for good. Any other
// failure (a full disk, the database busy, any failure of the other phases) ends the sweep
// (event=retention_failed), nothing half done, and the next sweep starts over.
// The cutoffs lie [database] retention_days and audit_retention_days before the time the sweep
// goes by: the earlier of the wall clock and the latest time the gate's own records vouch for
// (the newest admission, which a token signed by the issuer's clock allowed; the time the last
// sweep went by, kept in gate_status "retention_swept_by_ms"; while running, the last sweep's
// time plus the monotonic time since). So a wall clock that runs fast, by minutes or by years,
// deletes nothing early. While the wall clock is behind those records by more than a minute
// (it stepped back) no sweep runs: logged once (event=retention_skipped) until it has caught
// up (event=retention_resumed). Rows stamped by a wall clock that was behind are aged by that
// stamp; a session's rows still go no earlier than its retention after its admission.
// The settings are live (reconfigure): a reload applies them from the next sweep.
// Created by passgated; single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "common/clock.hpp"
#include "common/vouched_time.hpp"
#include "controller/config/config.hpp"
#include "controller/storage/batch_budget.hpp"
#include "db/database.hpp"
#include "db/file_space.hpp"
#include "db/gate_status.hpp"
#include "db/retention.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

// When and how much a sweep does; the defaults are the daemon's (tests shorten them).
struct SweepPace {
  Millis first{1'000};         // the first sweep after start-up (the loop runs by then)
  Millis every{3'600'000};     // then one this often (one still running is not started again)
  Millis pause{10};            // before each batch
  // The most each batch takes (BatchBudget halves and grows them back by the time they take).
  int sessions_per_batch = db::Retention::kSessionsPerBatch;
  int rows_per_batch = db::Retention::kRowsPerBatch;
  std::int64_t pages_per_step = 256;   // free pages handed back per step (1 MiB of 4 KiB pages)
  std::int64_t pages_kept_free = 256;  // left for SQLite to reuse
};

class RetentionSweeper {
 public:
  // How far the wall clock may lag the gate's records before sweeps stop.
  static constexpr std::int64_t kBehindToleranceMs = 60'000;

  // `stopwatch` times each batch (its steady_now() read right before and right after it);
  // `clock` when null. Tests give one whose time moves by the durations they choose.
  RetentionSweeper(db::Database& db, db::SessionStore& sessions, TimerService& timers, Clock& clock,
                   const RetentionConfig& settings, SweepPace pace = {}, const Clock* stopwatch = nullptr);
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  // From the next sweep on.
  void reconfigure(const RetentionConfig& settings) { settings_ = settings; }
  // While `busy` says so (a scan being admitted), the next batch waits another pause, up to
  // kMostYields pauses in a row (then it runs: lanes busy without end never stop retention).
  void yield_while(std::function<bool()> busy) { busy_ = std::move(busy); }
  static constexpr int kMostYields = 20;

  // Every row deleted since start, by table (the metric passgate_retention_deleted_rows_total).
  [[nodiscard]] const db::DeletedRows& deleted_total() const { return deleted_total_; }
  // Sessions passed over since start because they failed alone (the metric
  // passgate_retention_skipped_sessions_total).
  [[nodiscard]] std::int64_t skipped_sessions() const { return skipped_total_; }
  // Sweeps finished since start.
  [[nodiscard]] std::int64_t sweeps() const { return sweeps_; }
  // The most sessions the next batch examines (at most SweepPace::sessions_per_batch).
  [[nodiscard]] std::int64_t sessions_per_batch() const { return sessions_budget_.limit(); }
  [[nodiscard]] bool sweeping() const { return sweep_.has_value(); }

 private:
  enum class Phase { sessions, cards, carts, audit, pages, done };
  struct Sweep {
    std::int64_t by_ms = 0;
    db::RetentionCutoffs cut;
    Phase phase = Phase::sessions;
    db::SessionCursor cursor;
    db::DeletedRows deleted;
    int batches = 0;
    std::int64_t alone_left = 0;  // sessions still to examine one at a time, after a failed batch
    std::int64_t skipped = 0;
    db::FilePages pages_before;
  };
  [[nodiscard]] static const char* name_of(Phase phase);
  void begin();
  // The time to sweep by now; empty if the database cannot say, or the wall clock is behind.
  [[nodiscard]] std::optional<std::int64_t> sweep_time_ms();
  void step();
  // One batch of the sweep's phase; moves to the next phase when this one is done.
  [[nodiscard]] Status run_batch(Sweep& sweep);
  [[nodiscard]] Status run_sessions_batch(Sweep& sweep);
  // After a session failed alone with `error`: passes over it, or says why the sweep ends.
  [[nodiscard]] Status skip_session(Sweep& sweep, const Error& error);
  [[nodiscard]] BatchBudget& budget_of(Phase phase);
  void finish();

  db::Database& db_;
  db::SessionStore& sessions_;
  db::Retention retention_;
  db::GateStatus status_;
  TimerService& timers_;
  Clock& clock_;
  const Clock& stopwatch_;
  RetentionConfig settings_;
  SweepPace pace_;
  BatchBudget sessions_budget_;
  BatchBudget rows_budget_;
  BatchBudget pages_budget_;
  std::optional<Sweep> sweep_;
  VouchedTime vouched_{clock_};
  bool behind_ = false;  // the wall clock was behind the records at the last try (logged)
  db::DeletedRows deleted_total_;
  std::int64_t skipped_total_ = 0;
  std::int64_t sweeps_ = 0;
  std::unique_ptr<Timer> next_sweep_;
  std::unique_ptr<Timer> next_batch_;
  std::function<bool()> busy_;
  int yields_ = 0;  // pauses in a row the next batch waited for busy_
};

}  // namespace passgate::controller
