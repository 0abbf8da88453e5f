#include "controller/settlement/drainer.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "ports/payment_intent_match.hpp"
#include "controller/settlement/search_verdict.hpp"

namespace passgate::controller {

namespace {

PaymentOutcome failed_locally(PaymentOutcomeKind kind, std::string error) {
  PaymentOutcome outcome;
  outcome.kind = kind;
  outcome.error = std::move(error);
  return outcome;
}

// The wait before looking again at an operation that is due but could not be sent, so a
// database that keeps failing does not turn the drainer into a busy loop.
constexpr Millis kMinWake{20};

// The key=value fields naming `op` in a log line. Never its idempotency key.
std::string op_fields(const db::PaymentOpRecord& op) {
  return "op_id=" + std::to_string(op.id) + " session=" + log_value(op.session_id) + " op=" + log_value(op.op) +
         " amount_minor=" + std::to_string(op.amount_minor) + " currency=" + log_value(op.currency);
}

// The request that `op` (of `kind`) sends, without the payment reference.
PaymentRequest request_of(const db::PaymentOpRecord& op, PaymentOpKind kind, const std::string& gate_id) {
  PaymentRequest request;
  request.op = kind;
  request.idempotency_key = op.idempotency_key;
  request.session_id = op.session_id;
  request.gate_id = gate_id;
  request.amount_minor = op.amount_minor;
  request.currency = op.currency;
  request.intent_id = op.intent_id;
  return request;
}

// What a search found for `op`, as its outcome: the found PaymentIntent must match the
// request as a direct answer would (ports/payment_intent_match.hpp).
PaymentOutcome adopted_outcome(const db::PaymentOpRecord& op, const PaymentIntentView& intent, const std::string& gate_id) {
  PaymentOutcome adopted;
  adopted.kind = PaymentOutcomeKind::succeeded;
  adopted.intent = intent;
  const auto kind = payment_op_from_string(op.op);
  const auto mismatches = kind ? intent_mismatches(request_of(op, *kind, gate_id), intent) : std::vector<IntentMismatch>{};
  if (!mismatches.empty()) {
    // Amounts and currency codes are shown; any other value the search returned is not (it
    // is not redacted of secrets here, and may carry a reference).
    const auto shown = [](std::string_view got) -> std::string {
      const bool amount = !got.empty() && got.size() <= 20 &&
                          std::all_of(got.begin(), got.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
      const bool currency = got.size() == 3 &&
                            std::all_of(got.begin(), got.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
      return amount || currency ? std::string(got) : std::string("(a value from the search, not shown)");
    };
    adopted.kind = PaymentOutcomeKind::unverified;
    adopted.error = "the PaymentIntent found by search is not the outcome of this " + op.op + ": " +
                    describe_mismatches(mismatches, shown) + "; " + std::string(kUnverifiedConsequence);
  }
  return adopted;
}

}  // namespace

PaymentDrainer::PaymentDrainer(DrainerSettings settings, db::PaymentQueue& queue, db::SessionStore& sessions,
                               const crypto::PaymentSealer& sealer, PaymentGateway& gateway, db::GateStatus& status,
                               TimerService& timers, Clock& clock)
    : settings_(std::move(settings)),
      queue_(queue),
      sessions_(sessions),
      sealer_(sealer),
      gateway_(gateway),
      status_(status),
      timers_(timers),
      clock_(clock),
      backoff_(settings_.retry),
      pacer_(settings_.max_requests_per_second),
      clock_watch_(status, queue, clock) {}

std::int64_t PaymentDrainer::now_ms() const { return unix_millis(clock_.wall_now()); }

Status PaymentDrainer::start() {
  auto resumed = queue_.resume_in_flight(now_ms());
  if (!resumed) return resumed.error();
  if (*resumed > 0) {
    spdlog::warn("event=payments_resumed in_flight={} "
                 "detail=\"in flight at the last stop; resending each with its same key\"",
                 *resumed);
  }
  started_ = true;
  pump();
  return {};
}

void PaymentDrainer::reconfigure(DrainerSettings settings) {
  settings_ = std::move(settings);
  backoff_ = RetryBackoff(settings_.retry);
  pacer_.set_rate(settings_.max_requests_per_second);
  kick();
}

Result<int> PaymentDrainer::stop() {
  started_ = false;
  wake_.reset();
  auto pending = queue_.resume_in_flight(now_ms());
  if (!pending) return pending.error();
  in_flight_.clear();
  return *pending;
}

void PaymentDrainer::kick() {
  if (started_) timers_.post([this] { pump(); });
}

void PaymentDrainer::pump() {
  // A pump posted before stop() runs after it: a stopped drainer sends nothing.
  if (!started_) return;
  for (auto it = unrecorded_.begin(); it != unrecorded_.end();) {
    if (record(it->second.first, it->second.second)) {
      const std::int64_t op_id = it->first;
      const PaymentOutcomeKind kind = it->second.second.kind;
      it = unrecorded_.erase(it);
      report_final(op_id, kind);
    } else {
      ++it;
    }
  }
  notice_clock_step();
  if (paused_until_) {
    const auto now = clock_.steady_now();
    if (now < *paused_until_) return schedule_wake(std::chrono::duration_cast<Millis>(*paused_until_ - now));
    paused_until_.reset();
  }
  const int slots = settings_.max_in_flight - static_cast<int>(in_flight_.size());
  if (slots > 0) {
    auto due = queue_.due(now_ms(), slots);
    if (!due) {
      spdlog::error("event=payment_queue_read_failed detail={}", log_value(due.error().message));
    } else {
      const auto now = clock_.steady_now();
      const int paced = pacer_.take(now, static_cast<int>(due->size()));
      for (int i = 0; i < paced; ++i) dispatch((*due)[static_cast<std::size_t>(i)], settings_.request_timeout, nullptr);
      // The rest when the pace allows: they are still due then.
      if (paced < static_cast<int>(due->size())) return schedule_wake(pacer_.wait(now).value_or(kMinWake));
    }
  }
  schedule_wake();
}

void PaymentDrainer::schedule_wake(std::optional<Millis> delay) {
  Millis wait = delay.value_or(settings_.idle_poll);
  if (!delay && static_cast<int>(in_flight_.size()) < settings_.max_in_flight) {
    if (auto next = queue_.next_due_at(); next && next->has_value()) {
      // On time for the next operation; one already due but not sent (the database failed)
      // is looked at again after kMinWake.
      const Millis until_due{**next - now_ms()};
      wait = until_due > Millis{0} ? std::min(until_due, settings_.idle_poll) : kMinWake;
    }
  }
  wake_ = timers_.start(wait, [this] {
    wake_.reset();
    pump();
  });
}

void PaymentDrainer::send_now(std::int64_t id, Millis timeout, Done done) {
  auto found = queue_.find(id);
  if (!found || !found->has_value() || (*found)->state != db::PaymentOpState::pending) {
    const std::string why = !found ? found.error().message : "payment operation " + std::to_string(id) + " is not pending";
    timers_.post([done = std::move(done), why] { done(failed_locally(PaymentOutcomeKind::unknown, why)); });
    return;
  }
  dispatch(**found, timeout, std::move(done));
}

void PaymentDrainer::dispatch(const db::PaymentOpRecord& op, Millis timeout, Done done) {
  const std::int64_t now = now_ms();
  if (auto marked = queue_.mark_in_flight(op.id, now); !marked) {
    spdlog::error("event=payment_start_failed {} detail={}", op_fields(op), log_value(marked.error().message));
    if (done) timers_.post([done = std::move(done), why = marked.error().message] {
      done(failed_locally(PaymentOutcomeKind::unknown, why));
    });
    return;
  }
  in_flight_.insert(op.id);
  ++counters_.attempts;
  if (needs_lookup(op, now)) {
    // The lookup may be followed at once by the send: it takes that request's place in the pace too.
    if (!done) pacer_.take_extra(clock_.steady_now());
    spdlog::info("event=payment_lookup {} first_attempt_s_ago={} "
                 "detail=\"looking it up at the gateway before resending\"",
                 op_fields(op), std::max<std::int64_t>(0, now - op.first_attempt_at_ms) / 1000);
    gateway_.search_session(op.session_id, timeout, [this, op, timeout, done](PaymentOutcome search) {
      const bool final_kind = search.kind == PaymentOutcomeKind::unverified ||
                              search.kind == PaymentOutcomeKind::declined || search.kind == PaymentOutcomeKind::rejected;
      if (final_kind) {
        // A lookup moves no money, and its failure says nothing of the operation: it is
        // looked up again later (a refused lookup, e.g. a revoked key, waits like a time-out).
        search.error = "the gateway's answer to the lookup cannot be used (HTTP " + std::to_string(search.http_status) +
                       (search.error.empty() ? std::string() : ": " + search.error) + "); it is looked up again";
        search.kind = PaymentOutcomeKind::unknown;
      }
      if (search.kind != PaymentOutcomeKind::succeeded) return finish(op, search, done);
      adopt_or_send(op, timeout, done, search);
    });
    return;
  }
  send(op, timeout, std::move(done));
}

void PaymentDrainer::adopt_or_send(const db::PaymentOpRecord& op, Millis timeout, Done done,
                                   const PaymentOutcome& search) {
  const auto kind = payment_op_from_string(op.op);
  if (!kind) return finish_local(op, failed_locally(PaymentOutcomeKind::rejected, "unknown operation '" + op.op + "'"), done);
  const SearchVerdict verdict = search_verdict(request_of(op, *kind, settings_.gate_id), search.found);
  PaymentOutcome found;
  found.http_status = search.http_status;
  switch (verdict.kind) {
    case SearchVerdict::Kind::send:
      return send(op, timeout, std::move(done));
    case SearchVerdict::Kind::adopt:
      found = adopted_outcome(op, *verdict.intent, settings_.gate_id);
      found.http_status = search.http_status;
      ++counters_.adopted;
      spdlog::info("event=payment_adopted {} detail=\"already happened at the gateway\"", op_fields(op));
      break;
    case SearchVerdict::Kind::declined:
      found.kind = PaymentOutcomeKind::declined;
      found.error = "declined (found by search)";
      break;
    case SearchVerdict::Kind::poll:
      found.kind = PaymentOutcomeKind::unknown;  // looked up again after the backoff
      found.error = verdict.reason;
      break;
    case SearchVerdict::Kind::unverified:
      found.kind = PaymentOutcomeKind::unverified;
      found.intent = verdict.intent;
      found.error = verdict.reason + "; " + std::string(kUnverifiedConsequence);
      break;
  }
  finish(op, found, done);
}

void PaymentDrainer::send(const db::PaymentOpRecord& op, Millis timeout, Done done) {
  const auto kind = payment_op_from_string(op.op);
  if (!kind) return finish_local(op, failed_locally(PaymentOutcomeKind::rejected, "unknown operation '" + op.op + "'"), done);
  PaymentRequest request = request_of(op, *kind, settings_.gate_id);
  if (*kind == PaymentOpKind::preauth || *kind == PaymentOpKind::charge) {
    auto session = sessions_.find(op.session_id);
    if (!session) {
      return finish_local(op, failed_locally(PaymentOutcomeKind::unknown, "cannot read the session: " + session.error().message), done);
    }
    if (!session->has_value() || (*session)->pay_sealed.empty()) {
      return finish_local(op, failed_locally(PaymentOutcomeKind::rejected, "the session has no payment reference"), done);
    }
    auto reference = crypto::open_payment_reference(
        sealer_, crypto::SealedValue{(*session)->pay_key_id, (*session)->pay_sealed}, op.session_id);
    if (!reference) {
      return finish_local(op, failed_locally(PaymentOutcomeKind::rejected,
                                       "cannot open the sealed payment reference: " + reference.error().message),
                    done);
    }
    request.customer = std::move(reference->customer);
    request.payment_method = std::move(reference->payment_method);
  }
  gateway_.execute(request, timeout, [this, op, done](PaymentOutcome outcome) { finish(op, outcome, done); });
}

void PaymentDrainer::finish_local(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done) {
  complete(op, outcome, done);
}

void PaymentDrainer::finish(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done) {
  note_reachability(outcome);
  complete(op, outcome, done);
}

void PaymentDrainer::complete(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done) {
  in_flight_.erase(op.id);
  count_resends(op, outcome);
  const bool recorded = record(op, outcome).ok();
  if (!recorded) unrecorded_[op.id] = {op, outcome};
  if (done) done(outcome);
  if (recorded) report_final(op.id, outcome.kind);
  kick();
}

void PaymentDrainer::count_resends(const db::PaymentOpRecord& op, const PaymentOutcome& outcome) {
  const int resends = outcome.sends - 1;
  if (resends <= 0) return;
  counters_.attempts += resends;
  if (auto counted = queue_.add_attempts(op.id, resends); !counted) {
    spdlog::warn("event=payment_attempts_count_failed {} sends={} detail={}", op_fields(op), outcome.sends,
                 log_value(counted.error().message));
  }
}

void PaymentDrainer::report_final(std::int64_t id, PaymentOutcomeKind kind) {
  const bool final_outcome = kind == PaymentOutcomeKind::succeeded || kind == PaymentOutcomeKind::declined ||
                             kind == PaymentOutcomeKind::rejected || kind == PaymentOutcomeKind::unverified;
  if (final_outcome && on_final_) {
    if (auto now_final = queue_.find(id); now_final && now_final->has_value()) on_final_(**now_final);
  }
}

Status PaymentDrainer::record(const db::PaymentOpRecord& op, const PaymentOutcome& outcome) {
  const std::int64_t now = now_ms();
  // `op` as read before it went in flight; this dispatch's sends are attempts too.
  const int attempts = op.attempts + std::max(1, outcome.sends);
  Status recorded;
  switch (outcome.kind) {
    case PaymentOutcomeKind::succeeded:
      recorded = queue_.mark_succeeded(op.id, outcome.intent ? outcome.intent->id : op.intent_id, now);
      if (recorded) {
        ++counters_.succeeded;
        spdlog::info("event=payment_succeeded {} replayed={}", op_fields(op), outcome.replayed);
      }
      break;
    case PaymentOutcomeKind::declined:
      recorded = queue_.mark_declined(op.id, "declined: " + (outcome.decline_code.empty() ? outcome.error : outcome.decline_code), now);
      if (recorded) {
        ++counters_.declined;
        spdlog::warn("event=payment_declined {} reason={} next=dead_letter", op_fields(op),
                     log_value(outcome.decline_code));
      }
      break;
    case PaymentOutcomeKind::rejected:
      // (After more than one send it is a dead letter whatever alert_on_failure said.)
      recorded = queue_.mark_dead(op.id, outcome.error, now);
      if (recorded) {
        ++counters_.dead;
        spdlog::error("event=payment_rejected {} detail={} next=dead_letter", op_fields(op), log_value(outcome.error));
      }
      break;
    case PaymentOutcomeKind::unverified:
      recorded = queue_.mark_unverified(op.id, outcome.error, outcome.intent ? outcome.intent->id : std::string(), now);
      if (recorded) {
        ++counters_.unverified;
        spdlog::error("event=payment_unverified {} status={} detail={} next=dead_letter", op_fields(op),
                      outcome.http_status, log_value(outcome.error));
      }
      break;
    case PaymentOutcomeKind::retry_later:
    case PaymentOutcomeKind::unknown: {
      Millis delay = backoff_.delay(attempts);
      // What the gateway asks for is honoured up to the backoff's cap (retry_max_ms): no answer
      // stops payments for longer (a proxy's "Retry-After: 86400"), and none shortens the
      // backoff (a date already past).
      if (outcome.kind == PaymentOutcomeKind::retry_later && outcome.retry_after) {
        delay = std::max(delay, std::min(*outcome.retry_after, settings_.retry.cap));
      }
      if (outcome.http_status == 429) {
        const Millis pause = delay;
        const SteadyTime until = clock_.steady_now() + pause;
        if (!paused_until_ || until > *paused_until_) paused_until_ = until;  // a shorter Retry-After never shortens a pause
        spdlog::warn("event=payment_rate_limited status=429 pause_ms={} detail=\"pausing all sends\"", pause.count());
      }
      const std::string why = !outcome.error.empty() ? outcome.error : "HTTP " + std::to_string(outcome.http_status);
      recorded = queue_.mark_retry(op.id, now + delay.count(), why);
      if (recorded) {
        ++counters_.retried;
        spdlog::info("event=payment_retry {} outcome={} attempt={} retry_in_ms={} detail={}", op_fields(op),
                     to_string(outcome.kind), attempts, delay.count(), log_value(why));
      }
      break;
    }
  }
  if (!recorded) {
    spdlog::error("event=payment_record_failed {} outcome={} next=retry detail={}", op_fields(op),
                  to_string(outcome.kind), log_value(recorded.error().message));
  }
  return recorded;
}

bool PaymentDrainer::needs_lookup(const db::PaymentOpRecord& op, std::int64_t now) const {
  if (op.first_attempt_at_ms == 0) return false;  // never sent: nothing to find
  if (Millis{now - op.first_attempt_at_ms} > settings_.search_after) return true;
  // The wall clock cannot vouch for its age: it stepped back since (or before) that attempt.
  if (op.first_attempt_at_ms > now) return true;
  const auto unreliable = clock_watch_.unreliable_before_ms();
  return unreliable && op.first_attempt_at_ms <= *unreliable;
}

void PaymentDrainer::notice_clock_step() {
  std::optional<ClockStepBack> stepped_back;
  (void)clock_watch_.now_ms(stepped_back);
  if (stepped_back) on_clock_stepped_back(*stepped_back);
}

void PaymentDrainer::on_clock_stepped_back(const ClockStepBack& step) {
  // No wait the drainer schedules is longer than the backoff's cap plus its jitter.
  const std::int64_t longest = settings_.retry.cap.count() * 3 / 2;
  auto moved = queue_.bring_forward(step.now_ms + longest);
  if (!moved) {
    spdlog::error("event=payment_queue_write_failed detail={}", log_value(moved.error().message));
  } else if (*moved > 0) {
    spdlog::info("event=payment_retries_brought_forward count={} due_within_ms={}", *moved, longest);
  }
}

void PaymentDrainer::note_reachability(const PaymentOutcome& outcome) {
  const bool reachable = outcome.http_status != 0 && outcome.http_status < 500;
  if (reachable_ == reachable) return;
  reachable_ = reachable;
  if (reachable) {
    spdlog::info("event=gateway_reachable");
  } else {
    spdlog::warn("event=gateway_unreachable status={} detail={}", outcome.http_status,
                 log_value(outcome.http_status == 0 ? outcome.error : "HTTP " + std::to_string(outcome.http_status)));
  }
  if (auto published = status_.set("gateway", reachable ? "reachable" : "unreachable", now_ms()); !published)
    spdlog::warn("event=gateway_status_publish_failed detail={}", log_value(published.error().message));
}

}  // namespace passgate::controller
