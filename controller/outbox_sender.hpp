// OutboxSender: the one drainer of the tracking-engine outbox. Sends the oldest message,
// removes it when the engine acknowledges it, and otherwise retries the same bytes with
// exponential backoff and jitter (capped), so messages arrive in order, at least once.
// Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
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

  // Something may be waiting: send it now unless a send or a backoff is under way.
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
  void send_front();
  void on_reply(const db::OutboxItem& item, const HttpReply& reply);
  void retry_in(Millis delay);

  db::Outbox& outbox_;
  TrackingPort& tracking_;
  TimerService& timers_;
  Clock& clock_;
  Millis request_timeout_;
  RetryBackoff backoff_;
  bool in_flight_ = false;
  std::unique_ptr<Timer> wake_;
  std::int64_t delivered_ = 0;
  std::int64_t failed_attempts_ = 0;
  OpenRefused on_open_refused_;
};

}  // namespace passgate::controller
