#include "controller/tracking/outbox_sender.hpp"

#include <algorithm>
#include <chrono>
#include <spdlog/spdlog.h>

#include "common/log_excerpt.hpp"
#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/tracking/answers.hpp"
#include "controller/tracking/messages.hpp"

namespace passgate::controller {

OutboxSender::OutboxSender(db::Outbox& outbox, TrackingPort& tracking, TimerService& timers, Clock& clock,
                           Millis request_timeout, RetryPolicy retry)
    : outbox_(outbox),
      tracking_(tracking),
      timers_(timers),
      clock_(clock),
      request_timeout_(request_timeout),
      backoff_(retry) {}

namespace {

// Sendable messages read per query (the messages skipped are at most the rejected ones
// tracked, kMaxRejectedTracked).
constexpr int kSendablePage = 32;

}  // namespace

void OutboxSender::kick() {
  if (in_flight_) return;
  if (!engine_wait_) {  // idle, or waiting only for messages the engine rejected
    send_next();
    return;
  }
  if (!engine_wait_->due_on_kick) return;
  const SteadyTime now = clock_.steady_now();
  const SteadyTime due = std::max(*engine_wait_->due_on_kick, now);
  if (due >= engine_wait_->due) return;
  engine_wait_->due = due;
  engine_wait_->probe = true;
  wake_in(std::chrono::ceil<Millis>(due - now));
}

Millis OutboxSender::backoff(int attempts) { return backoff_.delay(attempts); }

void OutboxSender::wake_in(Millis delay) {
  wake_ = timers_.start(delay, [this] {
    wake_.reset();
    send_next();
  });
}

Result<std::optional<db::OutboxItem>> OutboxSender::next_message(SteadyTime now, std::optional<SteadyTime>& later) {
  // The oldest message the engine has not rejected goes first; a rejected one only when no
  // other is waiting, the one due soonest, so rejected messages take turns and never starve
  // the rest.
  std::optional<db::OutboxItem> retry;
  std::optional<SteadyTime> retry_due;
  std::int64_t after = 0;
  for (;;) {
    auto page = outbox_.sendable(after, kSendablePage);
    if (!page) return page.error();
    for (auto& item : *page) {
      after = item.id;
      const auto r = rejected_.find(item.id);
      if (r == rejected_.end()) return std::optional<db::OutboxItem>(std::move(item));
      if (r->second.due > now) {
        if (!later || r->second.due < *later) later = r->second.due;
      } else if (!retry_due || r->second.due < *retry_due) {
        retry_due = r->second.due;
        retry = std::move(item);
      }
    }
    if (page->size() < static_cast<std::size_t>(kSendablePage)) return retry;
  }
}

bool OutboxSender::resume_stored_wait(const db::OutboxItem& item, SteadyTime now) {
  if (resumed_) return false;
  resumed_ = true;
  // Never tried, or rejected before (its wait was its own, not the engine's: sent now rather
  // than holding every session back).
  if (item.attempts == 0 || item.rejections > 0) return false;
  // It failed before this start: its next attempt was stored in wall time, which may have
  // stepped since (a clock that ran ahead and was corrected would put it hours away). A
  // stored wait longer than any backoff after its failures can only come from such a step:
  // then the backoff is waited for afresh.
  const std::int64_t stored = item.next_attempt_at_ms - unix_millis(clock_.wall_now());
  const Millis wait = stored > backoff_.longest(item.attempts).count() ? backoff(item.attempts)
                                                                       : Millis{std::max<std::int64_t>(stored, 0)};
  if (wait == Millis{0}) return false;
  spdlog::info("event=outbox_retry_resumed message_id={} attempts={} retry_in_ms={} stored_in_ms={}", item.id,
               item.attempts, wait.count(), stored);
  engine_wait_ = EngineWait{.due = now + wait, .due_on_kick = now};
  wake_in(wait);
  return true;
}

void OutboxSender::send_next() {
  if (in_flight_) return;
  const SteadyTime now = clock_.steady_now();
  if (engine_wait_ && engine_wait_->due > now) {
    wake_in(std::chrono::ceil<Millis>(engine_wait_->due - now));
    return;
  }
  const bool probe = engine_wait_ && engine_wait_->probe;
  engine_wait_.reset();
  std::optional<SteadyTime> later;
  auto next = next_message(now, later);
  if (!next.ok()) {
    spdlog::error("event=outbox_read_failed next=retry detail={}", log_value(next.error().message));
    wake_in(backoff_.policy().cap);
    return;
  }
  if (!*next) {  // empty, or every sendable message waits for its own retry
    if (later) {
      wake_in(std::chrono::ceil<Millis>(*later - now));
    } else {
      wake_.reset();
    }
    return;
  }
  db::OutboxItem item = std::move(**next);
  if (resume_stored_wait(item, now)) return;
  wake_.reset();
  in_flight_ = true;
  const auto target = item.message.target;
  const auto body = item.message.body;
  tracking_.post_json(target, body, request_timeout_, [this, probe, item = std::move(item)](HttpReply reply) {
    in_flight_ = false;
    on_reply(item, reply, probe);
  });
}

void OutboxSender::on_reply(const db::OutboxItem& item, const HttpReply& reply, bool probe) {
  const auto& m = item.message;
  const TrackingAnswer answer = read_outbox_answer(m.kind, reply);
  // Only a 2xx shows the engine takes messages (a proxy may answer 403, 404 or 409 to all).
  const bool two_xx = reply.status >= 200 && reply.status < 300;
  if (answer == TrackingAnswer::accepted) return on_done(item, std::nullopt, two_xx);
  if (answer == TrackingAnswer::refused) {
    spdlog::warn("event=outbox_refused message_id={} kind={} status=403 next=dropped "
                 "detail=\"the tracking engine refused a session admitted offline (shopper blocked)\"",
                 item.id, log_value(m.kind));
    // A refused open request leaves the outbox together with what it means for its session.
    return on_done(item, m.kind == "session_open" && on_open_refused_ ? session_of_open_body(m.body) : std::nullopt,
                   false);
  }
  if (answer == TrackingAnswer::conflict && m.kind == "cancel") {
    // Sending it again cannot change the engine's mind; the cart it finalizes for the session
    // is quarantined (the gate never bills a session it cancelled or denied).
    spdlog::error("event=outbox_cancel_conflict message_id={} target={} status=409 body={} next=dropped "
                  "detail=\"the tracking engine followed someone under a session the gate cancelled or denied (a "
                  "person passed the lane uncounted, or the engine made the session from a request the gate took "
                  "for failed); its cart will be quarantined, not charged: passgatectl queue\"",
                  item.id, log_value(m.target), log_value(log_excerpt(reply.body)));
    return on_done(item, std::nullopt, false);
  }
  if (answer == TrackingAnswer::conflict) {
    spdlog::error("event=outbox_conflict message_id={} kind={} target={} status=409 body={} next=dropped "
                  "detail=\"conflicts with what the tracking engine has; this is a gate bug\"",
                  item.id, log_value(m.kind), log_value(m.target), log_value(log_excerpt(reply.body)));
    return on_done(item, std::nullopt, false);
  }
  ++failed_attempts_;
  ++failures_in_a_row_;
  const std::string why = reply.status == 0 ? reply.error
                                            : "HTTP " + std::to_string(reply.status) + ": " + log_excerpt(reply.body);
  const SteadyTime now = clock_.steady_now();
  // Nothing more is sent for a while: the engine is down, or it answers outside the
  // contract (then only briefly, unless it rejects message after message).
  Millis pause = backoff(failures_in_a_row_);
  if (answer == TrackingAnswer::unreachable) {
    spdlog::info("event=outbox_unreachable message_id={} kind={} target={} retry_in_ms={} detail={}", item.id,
                 log_value(m.kind), log_value(m.target), pause.count(), log_value(why));
    // The wait itself runs on the monotonic clock; the wall time is stored for operators and
    // for the next start (see resume_stored_wait()).
    const auto next_at = unix_millis(clock_.wall_now()) + pause.count();
    if (auto recorded = outbox_.record_failure(item.id, next_at, why); !recorded.ok()) {
      spdlog::error("event=outbox_record_failed message_id={} detail={}", item.id, log_value(recorded.error().message));
    }
  } else {
    pause = on_rejected(item, why, now);
  }
  // A kick may bring the next attempt forward once per backoff: not after an early probe
  // that failed too (a busy gate kicks with every passage; the engine may be struggling),
  // nor after an answer outside the contract (the engine is up and said something else).
  engine_wait_ = EngineWait{.due = now + pause,
                            .due_on_kick = answer == TrackingAnswer::unreachable && !probe
                                               ? std::optional<SteadyTime>(now + backoff_.policy().first)
                                               : std::nullopt};
  wake_in(pause);
}

void OutboxSender::on_done(const db::OutboxItem& item, const std::optional<std::string>& refused_session,
                           bool accepted_status) {
  const Status removed = refused_session ? on_open_refused_(item.id, *refused_session) : outbox_.remove(item.id);
  if (!removed.ok()) {
    spdlog::error("event=outbox_remove_failed message_id={} next=resend detail={}", item.id,
                  log_value(removed.error().message));
    wake_in(backoff_.policy().first);
    return;
  }
  ++delivered_;
  if (!refused_session && accepted_status) ++accepted_;
  failures_in_a_row_ = 0;
  rejected_in_a_row_ = 0;
  rejected_.erase(item.id);
  send_next();
}

Millis OutboxSender::on_rejected(const db::OutboxItem& item, const std::string& why, SteadyTime now) {
  const auto& m = item.message;
  const int rejections = item.rejections + 1;
  const auto entry = rejected_.try_emplace(item.id, Rejected{.due = now, .accepted_before = accepted_}).first;
  if (entry->second.rejected_at != delivered_) ++rejected_in_a_row_;
  entry->second.rejected_at = delivered_;
  const Millis pause = backoff(rejected_in_a_row_);
  // Lasting: rejected again and again while the engine accepted other messages.
  if (rejections >= kMaxRejections && accepted_ > entry->second.accepted_before) {
    const Status dead = outbox_.make_dead_letter(item.id, unix_millis(clock_.wall_now()), why);
    if (dead.ok()) {
      rejected_.erase(entry);
      ++dead_lettered_;
      spdlog::error("event=outbox_dead_letter message_id={} kind={} session={} rejections={} detail={} "
                    "next=\"held for an operator: passgatectl outbox retry|drop {}\"",
                    item.id, log_value(m.kind), log_value(m.session_id), rejections, log_value(why), item.id);
      return pause;
    }
    spdlog::error("event=outbox_record_failed message_id={} detail={}", item.id, log_value(dead.error().message));
  }
  const Millis wait = backoff(rejections);
  entry->second.due = now + wait;
  spdlog::error("event=outbox_unexpected_reply message_id={} kind={} target={} rejections={} retry_in_ms={} detail={}",
                item.id, log_value(m.kind), log_value(m.target), rejections, wait.count(), log_value(why));
  const auto next_at = unix_millis(clock_.wall_now()) + wait.count();
  if (auto recorded = outbox_.record_failure(item.id, next_at, why, true); !recorded.ok()) {
    spdlog::error("event=outbox_record_failed message_id={} detail={}", item.id, log_value(recorded.error().message));
  }
  if (rejected_.size() > kMaxRejectedTracked) {
    auto soonest = rejected_.end();
    for (auto r = rejected_.begin(); r != rejected_.end(); ++r) {
      if (r != entry && (soonest == rejected_.end() || r->second.due < soonest->second.due)) soonest = r;
    }
    rejected_.erase(soonest);
  }
  return pause;
}

}  // namespace passgate::controller
