#include "controller/settlement/entry_hold.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"

namespace passgate::controller {

EntryHold::EntryHold(EntryHoldSettings settings, db::PaymentQueue& queue, PaymentDrainer& drainer, Clock& clock)
    : settings_(std::move(settings)), queue_(queue), drainer_(drainer), clock_(clock) {}

void EntryHold::place(const std::string& session_id, Done done) {
  db::NewPaymentOp op;
  op.session_id = session_id;
  op.op = std::string(to_string(PaymentOpKind::preauth));
  op.amount_minor = settings_.amount_minor;
  op.currency = settings_.currency;
  op.alert_on_failure = false;  // a decline at the gate is answered by the denial itself
  auto id = queue_.enqueue(op, unix_millis(clock_.wall_now()));
  if (!id) {
    spdlog::error("event=entry_hold_queue_failed session={} detail={}", session_id, log_value(id.error().message));
    return done(HoldVerdict::unavailable);
  }
  drainer_.send_now(*id, settings_.timeout, [this, op_id = *id, session_id, done = std::move(done)](const PaymentOutcome& outcome) {
    on_outcome(op_id, session_id, outcome, done);
  });
}

void EntryHold::on_outcome(std::int64_t op_id, const std::string& session_id, const PaymentOutcome& outcome,
                           const Done& done) {
  switch (outcome.kind) {
    case PaymentOutcomeKind::succeeded:
      return done(HoldVerdict::placed);
    case PaymentOutcomeKind::declined:
      spdlog::info("event=entry_hold_declined session={} op_id={} reason={}", session_id, op_id,
                   log_value(outcome.decline_code));
      return done(HoldVerdict::declined);
    case PaymentOutcomeKind::rejected:
    case PaymentOutcomeKind::unverified:
      if (auto flagged = queue_.set_alert(op_id, true); !flagged) {
        spdlog::error("event=payment_alert_failed session={} op_id={} detail={}", session_id, op_id,
                      log_value(flagged.error().message));
      }
      spdlog::error("event=entry_hold_rejected session={} op_id={} detail={} hint=\"check the gateway settings\"",
                    session_id, op_id, log_value(outcome.error));
      return done(HoldVerdict::unavailable);
    case PaymentOutcomeKind::retry_later:
    case PaymentOutcomeKind::unknown:
      break;
  }
  auto totals = queue_.totals();
  if (!totals) {
    spdlog::error("event=offline_limits_check_failed session={} detail={}", session_id,
                  log_value(totals.error().message));
    return done(HoldVerdict::unavailable);
  }
  // The oldest operation's age as the drainer's WallClockWatch measures it, after a look at the
  // clock: a step back of the wall clock does not make it younger.
  drainer_.notice_clock_step();
  const auto oldest_age_ms = drainer_.clock_watch().oldest_age_ms(*totals, unix_millis(clock_.wall_now()));
  if (auto exceeded =
          exceeded_offline_limit(settings_.limits, settings_.amount_minor, settings_.currency, *totals, oldest_age_ms)) {
    spdlog::warn("event=entry_hold_unknown session={} op_id={} verdict=offline_limit detail={}", session_id, op_id,
                 log_value(*exceeded));
    return done(HoldVerdict::offline_limit);
  }
  if (auto flagged = queue_.set_alert(op_id, true); !flagged) {
    spdlog::error("event=payment_alert_failed session={} op_id={} detail={}", session_id, op_id,
                  log_value(flagged.error().message));
  }
  spdlog::warn("event=entry_hold_unknown session={} op_id={} verdict=admitted_offline detail={}", session_id, op_id,
               log_value(outcome.error.empty() ? "HTTP " + std::to_string(outcome.http_status) : outcome.error));
  done(HoldVerdict::placed_offline);
}

}  // namespace passgate::controller
