// OutboxSender: the one drainer of the tracking-engine outbox, one message at a time. Sends
// the oldest message it may send (db::Outbox::sendable: a session's own messages in order,
// sessions independent of each other), removes it when the engine acknowledges it, and
// otherwise sends the same bytes again later. Single-threaded, on the event loop.
//
// Failures:
// - The engine unreachable (no answer, a time-out, a 5xx): nothing is sent until a backoff
//   (exponential, jittered, capped; it grows with each failure in a row) has passed, then
//   the same message again. Retried without limit: an engine that is down refuses nothing.
// - An answer outside the contract (a 4xx the contract does not name for that message):
//   that message waits its own backoff while the others go on, after a short pause (it
//   grows with each other message rejected in a row: an engine that rejects everything is
//   asked at most once per backoff cap). Rejected messages are retried only when no other
//   message is waiting, the one due soonest first. After kMaxRejections such answers, if the
//   engine accepted (2xx) some other message meanwhile (so it is this message the engine refuses,
//   not everything), the message becomes a dead letter: logged (event=outbox_dead_letter),
//   counted, shown by `passgatectl status` and `passgatectl outbox`, and left for an
//   operator to send again or drop. It holds back only its own session's later messages.
//
// Time: while it runs, the sender waits on the monotonic clock only, so a wall clock that
// steps (a board without a clock battery, an NTP correction) neither stalls nor hurries a
// retry. The next attempt's wall time is still stored with each failure, for operators and
// for the next start: a message that failed before a restart waits for its stored time,
// but never longer than the backoff after its failures (a longer stored wait can only come
// from a clock step: the backoff is then waited for afresh), whatever the wall clock says.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "controller/settlement/retry_backoff.hpp"
#include "ports/tracking_port.hpp"
#include "db/outbox.hpp"

namespace passgate::controller {

class OutboxSender {
 public:
  // Answers outside the contract before a message may become a dead letter.
  static constexpr int kMaxRejections = 5;

  OutboxSender(db::Outbox& outbox, TrackingPort& tracking, TimerService& timers, Clock& clock,
               Millis request_timeout, RetryPolicy retry = {});

  // Something may be waiting (a message was queued, an operator sent a dead letter again,
  // or the daemon started): sends the next message now if the sender is idle or waits only
  // for messages the engine rejected. While an attempt is in flight, nothing (its answer
  // carries on). While it waits out a backoff after the engine was unreachable, or a wait
  // carried over from before a restart, the next attempt is brought forward to `first`
  // (RetryPolicy) after the failed attempt, or at once if that has passed: a gate in use
  // then finds an engine that is back within a moment rather than up to 1.5 x cap. Only once
  // per backoff: when that early attempt fails too, kicks leave the next wait alone, so a
  // gate that kicks with every passage during an outage adds at most one attempt per
  // backoff. The pause after an answer outside the contract is not cut short either.
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
  // Messages this sender made dead letters since it started.
  [[nodiscard]] std::int64_t dead_lettered() const { return dead_lettered_; }
  // Delay before attempt number `attempts + 1` after `attempts` failures (with jitter).
  [[nodiscard]] Millis backoff(int attempts);

 private:
  // Nothing is sent before `due` (monotonic clock).
  struct EngineWait {
    SteadyTime due;
    std::optional<SteadyTime> due_on_kick;  // where a kick brings `due` forward to; none: kicks leave it
    bool probe = false;                     // a kick brought `due` forward (an early probe)
  };
  // A message the engine answered outside the contract, in this run.
  struct Rejected {
    SteadyTime due;                      // its own next attempt
    std::int64_t accepted_before = 0;    // accepted_ at its first rejection in this run
    std::int64_t rejected_at = -1;       // delivered_ at its latest rejection
  };
  // Messages with a wait of their own that the sender tracks at most (the engine refusing
  // everything); past it, the one due soonest is forgotten (sent again sooner, no harm).
  static constexpr std::size_t kMaxRejectedTracked = 1024;

  void send_next();
  // The first sendable message not waiting for its own retry; `later`: the soonest such wait.
  [[nodiscard]] Result<std::optional<db::OutboxItem>> next_message(SteadyTime now, std::optional<SteadyTime>& later);
  // A wait carried over from before this start for `item` (once per run), if any.
  [[nodiscard]] bool resume_stored_wait(const db::OutboxItem& item, SteadyTime now);
  void on_reply(const db::OutboxItem& item, const HttpReply& reply, bool probe);
  // `accepted_status`: the engine answered 2xx.
  void on_done(const db::OutboxItem& item, const std::optional<std::string>& refused_session, bool accepted_status);
  // The engine answered outside the contract: a wait of its own, or a dead letter.
  // Returns the pause before anything is sent.
  [[nodiscard]] Millis on_rejected(const db::OutboxItem& item, const std::string& why, SteadyTime now);
  // Calls send_next() after `delay` (replacing any earlier wake).
  void wake_in(Millis delay);

  db::Outbox& outbox_;
  TrackingPort& tracking_;
  TimerService& timers_;
  Clock& clock_;
  Millis request_timeout_;
  RetryBackoff backoff_;
  bool in_flight_ = false;
  bool resumed_ = false;  // the wait stored before this start was looked at
  std::unique_ptr<Timer> wake_;
  std::optional<EngineWait> engine_wait_;
  std::map<std::int64_t, Rejected> rejected_;  // by message id
  int failures_in_a_row_ = 0;     // failed attempts since the engine last accepted a message
  int rejected_in_a_row_ = 0;     // distinct messages rejected since then
  std::int64_t delivered_ = 0;
  std::int64_t accepted_ = 0;  // messages the engine took with a 2xx (not a 403, 409 or 404)
  std::int64_t failed_attempts_ = 0;
  std::int64_t dead_lettered_ = 0;
  OpenRefused on_open_refused_;
};

}  // namespace passgate::controller
