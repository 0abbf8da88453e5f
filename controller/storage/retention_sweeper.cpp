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

}  // namespace

RetentionSweeper::RetentionSweeper(db::Database& db, db::SessionStore& sessions, TimerService& timers, Clock& clock,
                                   const RetentionConfig& settings, SweepPace pace)
    : db_(db),
      sessions_(sessions),
      retention_(db),
      status_(db),
      timers_(timers),
      clock_(clock),
      settings_(settings),
      pace_(pace) {
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
  std::int64_t records_ms = std::max(mark_ms, *latest);
  if (last_) {
    const auto ran = std::chrono::duration_cast<Millis>(clock_.steady_now() - last_->at);
    records_ms = std::max(records_ms, last_->by_ms + ran.count());
  }
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
  last_ = LastSweep{*by_ms, clock_.steady_now()};
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
  step();
}

const char* RetentionSweeper::name_of(Phase phase) {
  switch (phase) {
    case Phase::sessions: return "sessions";
    case Phase::carts: return "carts";
    case Phase::audit: return "audit";
    case Phase::pages: return "pages";
    case Phase::done: return "done";
  }
  return "unknown";
}

void RetentionSweeper::step() {
  Sweep& sweep = *sweep_;
  ++sweep.batches;
  if (Status done = run_batch(sweep); !done) {
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
  const auto counted = [&](Result<int> deleted, std::int64_t db::DeletedRows::*table, Phase next) -> Status {
    if (!deleted) return deleted.error();
    sweep.deleted.*table += *deleted;
    deleted_total_.*table += *deleted;
    if (*deleted < pace_.rows_per_batch) sweep.phase = next;
    return {};
  };
  switch (sweep.phase) {
    case Phase::sessions: {
      auto batch = retention_.delete_sessions(sweep.cut, sweep.cursor, pace_.sessions_per_batch);
      if (!batch) return batch.error();
      sweep.deleted += batch->deleted;
      deleted_total_ += batch->deleted;
      sweep.cursor = batch->next;
      if (batch->done) sweep.phase = Phase::carts;
      return {};
    }
    case Phase::carts:
      return counted(retention_.delete_resolved_carts(sweep.cut.audit_ms, pace_.rows_per_batch),
                     &db::DeletedRows::quarantined_carts, Phase::audit);
    case Phase::audit:
      return counted(retention_.delete_audit_entries(sweep.cut.audit_ms, pace_.rows_per_batch),
                     &db::DeletedRows::audit_log, Phase::pages);
    case Phase::pages: {
      auto before = db::file_pages(db_);
      if (!before) return before.error();
      auto after = db::reclaim_free_pages(db_, pace_.pages_per_step, pace_.pages_kept_free);
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

void RetentionSweeper::finish() {
  const Sweep sweep = *sweep_;
  sweep_.reset();
  ++sweeps_;
  auto pages = db::file_pages(db_);
  const db::FilePages after = pages ? *pages : sweep.pages_before;
  const db::DeletedRows& d = sweep.deleted;
  spdlog::info("event=retention_swept by_ms={} records_before_ms={} audit_before_ms={} sessions={} payment_ops={} "
               "carts={} settlements={} quarantined_carts={} audit_log={} batches={} file_bytes_before={} "
               "file_bytes={} free_bytes={}",
               sweep.by_ms, sweep.cut.records_ms, sweep.cut.audit_ms, d.sessions, d.payment_ops, d.carts,
               d.settlements, d.quarantined_carts, d.audit_log, sweep.batches, sweep.pages_before.bytes(),
               after.bytes(), after.free_bytes());
}

}  // namespace passgate::controller
