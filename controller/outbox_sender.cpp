#include "controller/outbox_sender.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include "common/time_format.hpp"

namespace passgate::controller {

namespace {

bool acknowledged(int status) { return status == 200 || status == 201 || status == 202; }

}  // namespace

OutboxSender::OutboxSender(db::Outbox& outbox, TrackingPort& tracking, TimerService& timers, Clock& clock,
                           Millis request_timeout, RetryPolicy retry)
    : outbox_(outbox),
      tracking_(tracking),
      timers_(timers),
      clock_(clock),
      request_timeout_(request_timeout),
      backoff_(retry) {}

void OutboxSender::kick() {
  if (in_flight_ || wake_) return;
  send_front();
}

Millis OutboxSender::backoff(int attempts) { return backoff_.delay(attempts); }

void OutboxSender::retry_in(Millis delay) {
  wake_ = timers_.start(delay, [this] {
    wake_.reset();
    send_front();
  });
}

void OutboxSender::send_front() {
  auto front = outbox_.front();
  if (!front.ok()) {
    spdlog::error("outbox: cannot read the next message: {}; retrying", front.error().message);
    retry_in(backoff_.policy().cap);
    return;
  }
  if (!front.value()) return;  // empty
  db::OutboxItem item = std::move(*front.value());
  const auto now_ms = unix_millis(clock_.wall_now());
  if (item.next_attempt_at_ms > now_ms) {
    retry_in(Millis{item.next_attempt_at_ms - now_ms});
    return;
  }
  in_flight_ = true;
  const auto target = item.message.target;
  const auto body = item.message.body;
  tracking_.post_json(target, body, request_timeout_, [this, item = std::move(item)](HttpReply reply) {
    in_flight_ = false;
    on_reply(item, reply);
  });
}

void OutboxSender::on_reply(const db::OutboxItem& item, const HttpReply& reply) {
  const auto& m = item.message;
  bool done = acknowledged(reply.status);
  if (!done && m.kind == "session_open" && reply.status == 403) {
    spdlog::warn("outbox: the tracking engine refused a session admitted offline (shopper blocked); "
                 "message {} dropped as answered",
                 item.id);
    done = true;
  } else if (!done && reply.status == 409) {
    spdlog::error("outbox: {} {} conflicts with what the tracking engine has (409: {}); this is a gate bug, "
                  "message {} dropped as answered",
                  m.kind, m.target, reply.body, item.id);
    done = true;
  }
  if (done) {
    if (auto removed = outbox_.remove(item.id); !removed.ok()) {
      spdlog::error("outbox: delivered message {} could not be removed ({}); it will be sent again",
                    item.id, removed.error().message);
      retry_in(backoff_.policy().first);
      return;
    }
    ++delivered_;
    send_front();
    return;
  }
  ++failed_attempts_;
  const std::string why = reply.status == 0 ? reply.error
                                            : "HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 200);
  const Millis delay = backoff(item.attempts + 1);
  if (reply.unreachable()) {
    spdlog::info("outbox: tracking engine unreachable ({}); {} {} retried in {} ms", why, m.kind, m.target,
                 delay.count());
  } else {
    spdlog::error("outbox: unexpected answer to {} {}: {}; retried in {} ms", m.kind, m.target, why,
                  delay.count());
  }
  const auto next_at = unix_millis(clock_.wall_now()) + delay.count();
  if (auto recorded = outbox_.record_failure(item.id, next_at, why); !recorded.ok()) {
    spdlog::error("outbox: cannot record the failed attempt: {}", recorded.error().message);
  }
  retry_in(delay);
}

}  // namespace passgate::controller
