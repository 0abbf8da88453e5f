#include "controller/storage/retention_sweeper.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"

namespace passgate::controller {

namespace {

constexpr const char* kMark = "retention_swept_by_ms";
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
// Sessions passed over that a sweep logs one by one; the rest (a failure that hits every
// session, e.g. a damaged index) are counted in its summary line and the metric.
constexpr std::int64_t kSkipsLogged = 10;

}  // namespace

RetentionSweeper::RetentionSweeper(db::Database& db, db::SessionStore& sessions, TimerService& timers, Clock& clock,
                                   const RetentionConfig& settings, SweepPace pace, const Clock* stopwatch)
    : db_(db),
      sessions_(sessions),
      retention_(db),
      status_(db),
      timers_(timers),
      clock_(clock),
      stopwatch_(stopwatch != nullptr ? *stopwatch : clock),
      settings_(settings),
      pace_(pace),
      sessions_budget_(pace.sessions_per_batch),
      rows_budget_(pace.rows_per_batch),
      pages_budget_(pace.pages_per_step) {
  next_sweep_ = timers_.start(pace_.first, [this] { begin(); });
}

std::optional<std::int64_t> RetentionSweeper::sweep_time_ms() {
  auto mark = status_.get(kMark);
  auto latest = sessions_.latest_session_ms();
  if (!mark.ok() || !latest.ok()) {
    const auto& error = mark.ok() ? latest.error() : mark.error();
    spdlog::error("event=retention_failed phase=start detail={}", log_value(error.message));
    return std::nullopt;
  }
  // A mark that is not a number counts as none: it only ever held times the wall clock had passed.
  std::int64_t mark_ms = 0;
  if (mark->has_value()) {
    const std::string& text = (*mark)->value;
    if (std::from_chars(text.data(), text.data() + text.size(), mark_ms).ec != std::errc{}) mark_ms = 0;
  }
  const std::int64_t records_ms = vouched_.records_ms(std::max(mark_ms, *latest));
  const std::int64_t wall_ms = unix_millis(clock_.wall_now());
  if (wall_ms + kBehindToleranceMs < records_ms) {
    if (!behind_) {
      spdlog::warn("event=retention_skipped reason=wall_clock_behind_records wall_ms={} records_ms={} "
                   "detail=\"the wall clock is behind the gate's own records; nothing is deleted until it has "
                   "caught up\"",
                   wall_ms, records_ms);
    }
    behind_ = true;
    return std::nullopt;
  }
  if (behind_) spdlog::info("event=retention_resumed wall_ms={}", wall_ms);
  behind_ = false;
  return std::min(wall_ms, records_ms);
}

void RetentionSweeper::begin() {
  next_sweep_ = timers_.start(pace_.every, [this] { begin(); });
  if (sweep_) return;  // the last one is still going
  const auto by_ms = sweep_time_ms();
  if (!by_ms) return;
  auto pages = db::file_pages(db_);
  if (!pages) {
    spdlog::error("event=retention_failed phase=start detail={}", log_value(pages.error().message));
    return;
  }
  vouched_.went_by(*by_ms);
  if (Status kept = status_.set(kMark, std::to_string(*by_ms), *by_ms); !kept) {
    spdlog::error("event=retention_failed phase=start detail={}", log_value(kept.error().message));
    return;
  }
  Sweep sweep;
  sweep.by_ms = *by_ms;
  sweep.cut = db::RetentionCutoffs{.records_ms = *by_ms - settings_.retention_days * kDayMs,
                                   .audit_ms = *by_ms - settings_.audit_retention_days * kDayMs};
  sweep.pages_before = *pages;
  sweep_ = sweep;
  // Not on this turn: the mark's commit was this handler's synced write.
  next_batch_ = timers_.start(pace_.pause, [this] { step(); });
}

const char* RetentionSweeper::name_of(Phase phase) {
  switch (phase) {
    case Phase::sessions: return "sessions";
    case Phase::cards: return "cards";
    case Phase::carts: return "carts";
    case Phase::audit: return "audit";
    case Phase::pages: return "pages";
    case Phase::done: return "done";
  }
  return "unknown";
}

BatchBudget& RetentionSweeper::budget_of(Phase phase) {
  switch (phase) {
    case Phase::sessions: return sessions_budget_;
    case Phase::pages: return pages_budget_;
    case Phase::cards:
    case Phase::carts:
    case Phase::audit:
    case Phase::done: break;
  }
  return rows_budget_;
}

void RetentionSweeper::step() {
  if (busy_ && yields_ < kMostYields && busy_()) {
    ++yields_;
    next_batch_ = timers_.start(pace_.pause, [this] { step(); });
    return;
  }
  yields_ = 0;
  Sweep& sweep = *sweep_;
  ++sweep.batches;
  const Phase phase = sweep.phase;
  const SteadyTime started = stopwatch_.steady_now();
  const Status done = run_batch(sweep);
  budget_of(phase).took(stopwatch_.steady_now() - started);
  if (!done) {
    spdlog::error("event=retention_failed phase={} batches={} deleted={} detail={}",
                  name_of(sweep.phase), sweep.batches, sweep.deleted.total(),
                  log_value(done.error().message + "; the next sweep starts over"));
    sweep_.reset();
    return;
  }
  if (sweep.phase == Phase::done) {
    finish();
    return;
  }
  next_batch_ = timers_.start(pace_.pause, [this] { step(); });
}

Status RetentionSweeper::run_batch(Sweep& sweep) {
  const int rows = static_cast<int>(rows_budget_.limit());
  const auto counted = [&](Result<int> deleted, std::int64_t db::DeletedRows::*table, Phase next) -> Status {
    if (!deleted) return deleted.error();
    sweep.deleted.*table += *deleted;
    deleted_total_.*table += *deleted;
    if (*deleted < rows) sweep.phase = next;
    return {};
  };
  switch (sweep.phase) {
    case Phase::sessions: return run_sessions_batch(sweep);
    case Phase::cards: {
      auto deleted = retention_.delete_card_records(sweep.cut, rows);
      if (!deleted) return deleted.error();
      sweep.deleted += *deleted;
      deleted_total_ += *deleted;
      if (deleted->card_attempts < rows && deleted->card_blocklist < rows) sweep.phase = Phase::carts;
      return {};
    }
    case Phase::carts:
      return counted(retention_.delete_resolved_carts(sweep.cut.audit_ms, rows), &db::DeletedRows::quarantined_carts,
                     Phase::audit);
    case Phase::audit:
      return counted(retention_.delete_audit_entries(sweep.cut.audit_ms, rows), &db::DeletedRows::audit_log,
                     Phase::pages);
    case Phase::pages: {
      auto before = db::file_pages(db_);
      if (!before) return before.error();
      auto after = db::reclaim_free_pages(db_, pages_budget_.limit(), pace_.pages_kept_free);
      if (!after) return after.error();
      if (after->free_pages <= pace_.pages_kept_free || after->free_pages >= before->free_pages) {
        sweep.phase = Phase::done;
      }
      return {};
    }
    case Phase::done: return {};
  }
  return {};
}

Status RetentionSweeper::run_sessions_batch(Sweep& sweep) {
  const bool alone = sweep.alone_left > 0;
  const int limit = alone ? 1 : static_cast<int>(sessions_budget_.limit());
  auto batch = retention_.delete_sessions(sweep.cut, sweep.cursor, limit);
  if (!batch) {
    if (alone) return skip_session(sweep, batch.error());
    sweep.alone_left = limit;  // the same sessions again, one at a time, from the next batch
    return {};
  }
  sweep.deleted += batch->deleted;
  deleted_total_ += batch->deleted;
  sweep.cursor = batch->next;
  if (alone) --sweep.alone_left;
  if (batch->done) {
    sweep.alone_left = 0;
    sweep.phase = Phase::cards;
  }
  return {};
}

Status RetentionSweeper::skip_session(Sweep& sweep, const Error& error) {
  // A full disk or a busy database is no row's fault: every session would fail the same.
  if (error.code != "db_error") return error;
  auto failed = retention_.next_session(sweep.cut, sweep.cursor);
  if (!failed) return failed.error();
  if (!failed->has_value()) return error;  // nothing there to pass over: the failure is not about a session
  const db::ExaminedSession& session = **failed;
  if (sweep.skipped < kSkipsLogged) {
    spdlog::error("event=retention_session_skipped session={} detail={}", log_value(session.session_id),
                  log_value(error.message + "; its rows are kept and the sweep goes on after it; the next sweep "
                                            "tries it again" +
                            (sweep.skipped + 1 == kSkipsLogged ? "; more skipped in this sweep are only counted" : "")));
  }
  ++sweep.skipped;
  ++skipped_total_;
  sweep.cursor = session.at;
  --sweep.alone_left;
  return {};
}

void RetentionSweeper::finish() {
  const Sweep sweep = *sweep_;
  sweep_.reset();
  ++sweeps_;
  auto pages = db::file_pages(db_);
  const db::FilePages after = pages ? *pages : sweep.pages_before;
  const db::DeletedRows& d = sweep.deleted;
  spdlog::info("event=retention_swept by_ms={} records_before_ms={} audit_before_ms={} sessions={} payment_ops={} "
               "carts={} settlements={} quarantined_carts={} audit_log={} card_attempts={} card_blocklist={} "
               "skipped_sessions={} batches={} file_bytes_before={} file_bytes={} free_bytes={}",
               sweep.by_ms, sweep.cut.records_ms, sweep.cut.audit_ms, d.sessions, d.payment_ops, d.carts,
               d.settlements, d.quarantined_carts, d.audit_log, d.card_attempts, d.card_blocklist, sweep.skipped,
               sweep.batches,
               sweep.pages_before.bytes(), after.bytes(), after.free_bytes());
}

}  // namespace passgate::controller
