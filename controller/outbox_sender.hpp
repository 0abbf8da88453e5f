// OutboxSender: the one drainer of the tracking-engine outbox. Sends the oldest message,
// removes it when the engine acknowledges it, and otherwise retries the same bytes with
// exponential backoff and jitter (capped), so messages arrive in order, at least once.
// Single-threaded, on the event loop.
//
// Time: while it runs, the sender waits out its backoffs on the monotonic clock only, so a
// wall clock that steps (a board without a clock battery, an NTP correction) neither stalls
// nor hurries a retry. The next attempt's wall time is still stored with each failure, for
// operators and for the next start: a message that failed before a restart waits for its
// stored time, but never longer than the backoff cap, whatever the wall clock says now.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "controller/retry_backoff.hpp"
#include "controller/tracking_port.hpp"
#include "db/outbox.hpp"

namespace passgate::controller {

class OutboxSender {
 public:
  OutboxSender(db::Outbox& outbox, TrackingPort& tracking, TimerService& timers, Clock& clock,
               Millis request_timeout, RetryPolicy retry = {});

  // Something may be waiting (a message was queued, or the daemon started): sends the oldest
  // message now if the sender is idle. While an attempt is in flight, nothing (its answer
  // carries on). While it waits out a backoff after the engine was unreachable (no answer or
  // a 5xx), or a wait carried over from before a restart, the next attempt is brought
  // forward to `first` (RetryPolicy) after the failed attempt, or at once if that has passed:
  // a gate in use then finds an engine that is back within a moment rather than up to
  // 1.5 x cap. Only once per backoff: when that early attempt fails too, kicks leave the
  // next wait alone, so a gate that kicks with every passage during an outage adds at most
  // one attempt per backoff. A wait after an answer outside the contract (the engine is up
  // and said something else) is not cut short: new messages do not change that answer.
  void kick();
  // When the tracking engine refused (403) a queued open request (a 409, the engine already
  // having the session, leaves it billable):
  // takes the message out of the outbox itself, with what the refusal means for its session,
  // in one transaction (message id, session id); an error keeps the message, sent again.
  using OpenRefused = std::function<Status(std::int64_t message_id, const std::string& session_id)>;
  void set_on_open_refused(OpenRefused refused) { on_open_refused_ = std::move(refused); }
  // A config reload: the bound on each request from the next one on.
  void set_request_timeout(Millis timeout) { request_timeout_ = timeout; }
  [[nodiscard]] std::int64_t delivered() const { return delivered_; }
  [[nodiscard]] std::int64_t failed_attempts() const { return failed_attempts_; }
  // Delay before attempt number `attempts + 1` after `attempts` failures (with jitter).
  [[nodiscard]] Millis backoff(int attempts);

 private:
  // The wait before the front message's next attempt, on the monotonic clock.
  struct Wait {
    std::int64_t message_id = 0;
    SteadyTime due;
    std::optional<SteadyTime> due_on_kick;  // where a kick brings `due` forward to; none: kicks leave it
    bool probe = false;                     // a kick brought `due` forward (an early probe)
  };

  void send_front();
  // How long `item` must still wait; sets wait_ for a message that failed before this start.
  Millis wait_before(const db::OutboxItem& item);
  // `probe`: the attempt was brought forward by a kick.
  void on_reply(const db::OutboxItem& item, const HttpReply& reply, bool probe);
  // Calls send_front() after `delay` (replacing any earlier wake).
  void wake_in(Millis delay);

  db::Outbox& outbox_;
  TrackingPort& tracking_;
  TimerService& timers_;
  Clock& clock_;
  Millis request_timeout_;
  RetryBackoff backoff_;
  bool in_flight_ = false;
  std::unique_ptr<Timer> wake_;
  std::optional<Wait> wait_;
  std::optional<std::int64_t> last_tried_id_;  // the message this sender last sent
  std::int64_t delivered_ = 0;
  std::int64_t failed_attempts_ = 0;
  OpenRefused on_open_refused_;
};

}  // namespace passgate::controller
