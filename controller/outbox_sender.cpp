#include "controller/outbox_sender.hpp"

#include <algorithm>
#include <chrono>
#include <spdlog/spdlog.h>

#include "common/log_excerpt.hpp"
#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/tracking_answers.hpp"
#include "controller/tracking_messages.hpp"

namespace passgate::controller {

OutboxSender::OutboxSender(db::Outbox& outbox, TrackingPort& tracking, TimerService& timers, Clock& clock,
                           Millis request_timeout, RetryPolicy retry)
    : outbox_(outbox),
      tracking_(tracking),
      timers_(timers),
      clock_(clock),
      request_timeout_(request_timeout),
      backoff_(retry) {}

void OutboxSender::kick() {
  if (in_flight_) return;
  if (!wake_) {
    send_front();
    return;
  }
  if (!wait_ || !wait_->due_on_kick) return;
  const SteadyTime now = clock_.steady_now();
  const SteadyTime due = std::max(*wait_->due_on_kick, now);
  if (due >= wait_->due) return;
  wait_->due = due;
  wait_->probe = true;
  wake_in(std::chrono::ceil<Millis>(due - now));
}

Millis OutboxSender::backoff(int attempts) { return backoff_.delay(attempts); }

void OutboxSender::wake_in(Millis delay) {
  wake_ = timers_.start(delay, [this] {
    wake_.reset();
    send_front();
  });
}

Millis OutboxSender::wait_before(const db::OutboxItem& item) {
  const SteadyTime now = clock_.steady_now();
  if (wait_ && wait_->message_id == item.id) {
    return std::max(Millis{0}, std::chrono::ceil<Millis>(wait_->due - now));
  }
  // Never tried, or tried by this sender (its wait is over): due now.
  if (item.attempts == 0 || item.id == last_tried_id_) return Millis{0};
  // It failed before this start: its next attempt was stored in wall time, which may have
  // stepped since (a clock that ran ahead and was corrected would put it hours away).
  const std::int64_t stored = item.next_attempt_at_ms - unix_millis(clock_.wall_now());
  const Millis wait{std::clamp<std::int64_t>(stored, 0, backoff_.policy().cap.count())};
  if (wait > Millis{0}) {
    spdlog::info("event=outbox_retry_resumed message_id={} attempts={} retry_in_ms={} stored_in_ms={}", item.id,
                 item.attempts, wait.count(), stored);
  }
  wait_ = Wait{.message_id = item.id, .due = now + wait, .due_on_kick = now};
  return wait;
}

void OutboxSender::send_front() {
  auto front = outbox_.front();
  if (!front.ok()) {
    spdlog::error("event=outbox_read_failed next=retry detail={}", log_value(front.error().message));
    wait_.reset();
    wake_in(backoff_.policy().cap);
    return;
  }
  if (!front.value()) {  // empty
    wait_.reset();
    return;
  }
  db::OutboxItem item = std::move(*front.value());
  if (const Millis wait = wait_before(item); wait > Millis{0}) {
    wake_in(wait);
    return;
  }
  const bool probe = wait_ && wait_->message_id == item.id && wait_->probe;
  wait_.reset();
  last_tried_id_ = item.id;
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
  bool done = answer == TrackingAnswer::accepted;
  if (answer == TrackingAnswer::refused) {
    spdlog::warn("event=outbox_refused message_id={} kind={} status=403 next=dropped "
                 "detail=\"the tracking engine refused a session admitted offline (shopper blocked)\"",
                 item.id, log_value(m.kind));
    done = true;
  } else if (answer == TrackingAnswer::conflict) {
    spdlog::error("event=outbox_conflict message_id={} kind={} target={} status=409 body={} next=dropped "
                  "detail=\"conflicts with what the tracking engine has; this is a gate bug\"",
                  item.id, log_value(m.kind), log_value(m.target), log_value(log_excerpt(reply.body)));
    done = true;
  }
  const std::optional<std::string> refused_session =
      answer == TrackingAnswer::refused && m.kind == "session_open" && on_open_refused_
          ? session_of_open_body(m.body)
          : std::nullopt;
  if (done) {
    // A refused open request leaves the outbox together with what it means for its session.
    const Status removed =
        refused_session ? on_open_refused_(item.id, *refused_session) : outbox_.remove(item.id);
    if (!removed.ok()) {
      spdlog::error("event=outbox_remove_failed message_id={} next=resend detail={}", item.id,
                    log_value(removed.error().message));
      wake_in(backoff_.policy().first);
      return;
    }
    ++delivered_;
    send_front();
    return;
  }
  ++failed_attempts_;
  const std::string why = reply.status == 0 ? reply.error
                                            : "HTTP " + std::to_string(reply.status) + ": " + log_excerpt(reply.body);
  const Millis delay = backoff(item.attempts + 1);
  if (answer == TrackingAnswer::unreachable) {
    spdlog::info("event=outbox_unreachable message_id={} kind={} target={} retry_in_ms={} detail={}", item.id,
                 log_value(m.kind), log_value(m.target), delay.count(), log_value(why));
  } else {
    spdlog::error("event=outbox_unexpected_reply message_id={} kind={} target={} retry_in_ms={} detail={}", item.id,
                  log_value(m.kind), log_value(m.target), delay.count(), log_value(why));
  }
  // The wait itself runs on the monotonic clock; the wall time is stored for operators and
  // for the next start (see wait_before()).
  const auto next_at = unix_millis(clock_.wall_now()) + delay.count();
  if (auto recorded = outbox_.record_failure(item.id, next_at, why); !recorded.ok()) {
    spdlog::error("event=outbox_record_failed message_id={} detail={}", item.id, log_value(recorded.error().message));
  }
  // A kick may bring the next attempt forward once per backoff: not after an early probe
  // that failed too (a busy gate kicks with every passage; the engine may be struggling).
  const SteadyTime now = clock_.steady_now();
  wait_ = Wait{.message_id = item.id,
               .due = now + delay,
               .due_on_kick = answer == TrackingAnswer::unreachable && !probe
                                  ? std::optional<SteadyTime>(now + backoff_.policy().first)
                                  : std::nullopt};
  wake_in(delay);
}

}  // namespace passgate::controller
