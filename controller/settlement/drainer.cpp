#include "controller/settlement/drainer.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "db/sqlite_error.hpp"
#include "ports/payment_intent_match.hpp"
#include "controller/settlement/charge_reference.hpp"
#include "controller/settlement/hold_check.hpp"
#include "controller/settlement/search_verdict.hpp"

namespace passgate::controller {

namespace {

// An increment the gateway refused as the design means it can be (the hold does not support
// it, or no longer requires_capture): settled by the next row like a declined one. Any other
// refusal (401, 403, 404, another 400: the gate's own fault) stays a dead letter for an operator.
bool increment_refused_by_design(const db::PaymentOpRecord& op, const PaymentOutcome& outcome) {
  return op.op == "increment" && outcome.http_status == 400 &&
         (outcome.error_code == "incremental_authorization_not_supported" ||
          outcome.error_code == "payment_intent_unexpected_state");
}

PaymentOutcome failed_locally(PaymentOutcomeKind kind, std::string error) {
  PaymentOutcome outcome;
  outcome.kind = kind;
  outcome.error = std::move(error);
  return outcome;
}

// What a `done` waiting for an outcome that is not committed is told (`why`: the reason).
// A success is not reported before it is durable: unknown until then. A decline, a refusal or
// an unverified answer is passed as it is (each makes the entry deny, and a denial moves no
// money), and an unknown or retry-later outcome is unknown anyway.
PaymentOutcome told_uncommitted(const PaymentOutcome& outcome, std::string why) {
  if (outcome.kind != PaymentOutcomeKind::succeeded) return outcome;
  return failed_locally(PaymentOutcomeKind::unknown, std::move(why));
}

// An operation not sent because all sending is paused after a 429 for another `left`: retried
// once the pause is over (never a 429 itself, so it does not lengthen the pause).
PaymentOutcome paused(Millis left) {
  PaymentOutcome outcome = failed_locally(PaymentOutcomeKind::retry_later,
                                          "not sent: every send is paused after a 429 from the gateway, for another " +
                                              std::to_string(left.count()) + " ms");
  outcome.retry_after = left;
  return outcome;
}

// An entry hold not sent because its entry was denied here and the denial (or the grant's
// cancel) waits for the database: looked at again later (hold_back_entries_of).
PaymentOutcome not_sent_denied() {
  return failed_locally(PaymentOutcomeKind::retry_later, "not sent: its entry was denied (the denial waits for the database)");
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
  if ((kind == PaymentOpKind::preauth || kind == PaymentOpKind::charge) && op.op_key_sent) {
    request.op_key = operation_key(op.session_id, op.idempotency_key);
  }
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
  stopped_ = false;
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
  stopped_ = true;
  wake_.reset();
  // Outcomes already here are kept (recorded) before the rest goes back to pending; those a
  // row refused are tried once more, alone, whatever their wait.
  record_refused(clock_.steady_now(), true);
  record_arrived({});
  auto pending = queue_.resume_in_flight(now_ms());
  if (!pending) return pending.error();
  in_flight_.clear();
  arrived_.clear();  // any left were in flight, now pending: resent with the same key
  refused_.clear();
  refused_backoff_.clear();
  held_claims_.clear();
  denied_holds_.clear();
  return *pending;
}

void PaymentDrainer::kick() {
  if (started_) timers_.post([this] { pump(); });
}

void PaymentDrainer::pump() {
  // A pump posted before stop() runs after it: a stopped drainer sends nothing.
  if (!started_) return;
  notice_clock_step();
  const SteadyTime now = clock_.steady_now();
  // Outcomes a row refused are recorded alone, first (their slots are then free below).
  record_refused(now, false);
  // (paused_until_ stays once the pause is over: when the last pause ended.)
  if (paused_until_ && now < *paused_until_) {
    record_arrived({});
    return schedule_wake(std::chrono::duration_cast<Millis>(*paused_until_ - now));
  }
  // The slots that the outcomes to record free are claimed again in the same transaction.
  int slots = settings_.max_in_flight - static_cast<int>(in_flight_.size()) + slots_freed_by(arrived_);
  // Claims a row refused before are made alone, first (they have waited longest), and never
  // in the shared batch below.
  slots -= claim_held(now, slots);
  review_denied_holds(now);
  std::vector<db::PaymentOpRecord> claims;
  bool paced_out = false;
  if (slots > 0) {
    auto due = queue_.due(now_ms(), slots + static_cast<int>(held_claims_.size() + denied_holds_.size()));
    if (!due) {
      spdlog::error("event=payment_queue_read_failed detail={}", log_value(due.error().message));
    } else {
      std::erase_if(*due, [this, now](const db::PaymentOpRecord& op) {
        if (held_claims_.holds(op.id) || denied_holds_.holds(op.id)) return true;
        if (!entry_denied(op)) return false;
        hold_back_entry(op, now);
        return true;
      });
      if (static_cast<int>(due->size()) > slots) due->resize(static_cast<std::size_t>(slots));
      const int paced = pacer_.take(now, static_cast<int>(due->size()));
      claims.assign(due->begin(), due->begin() + paced);
      paced_out = paced < static_cast<int>(due->size());  // the rest when the pace allows: still due then
    }
  }
  record_arrived(claims);
  if (paced_out) return schedule_wake(pacer_.wait(now).value_or(kMinWake));
  schedule_wake();
}

void PaymentDrainer::schedule_wake(std::optional<Millis> delay) {
  Millis wait = delay.value_or(settings_.idle_poll);
  const bool room = static_cast<int>(in_flight_.size()) < settings_.max_in_flight;
  if (!delay && room) {
    // (An operation whose claim a row refused, or an entry hold held back, is not waited
    // for here, but below.)
    std::vector<std::int64_t> except = held_claims_.ids();
    const std::vector<std::int64_t> denied = denied_holds_.ids();
    except.insert(except.end(), denied.begin(), denied.end());
    if (auto next = queue_.next_due_at(except); next && next->has_value()) {
      // On time for the next operation; one already due but not sent (the database failed)
      // is looked at again after kMinWake.
      const Millis until_due{**next - now_ms()};
      wait = until_due > Millis{0} ? std::min(until_due, settings_.idle_poll) : kMinWake;
    }
  }
  // On time for the first row to try again alone: a refused outcome, or a held-back claim
  // when one could be made (a free slot, no pause or pace to wait for).
  const SteadyTime now = clock_.steady_now();
  const auto until = [now](SteadyTime at) { return std::max(kMinWake, std::chrono::ceil<Millis>(at - now)); };
  if (auto next = refused_backoff_.next()) wait = std::min(wait, until(*next));
  if (!delay && room) {
    if (auto next = held_claims_.next()) wait = std::min(wait, until(*next));
    if (auto next = denied_holds_.next()) wait = std::min(wait, until(*next));
  }
  wake_ = timers_.start(wait, [this] {
    wake_.reset();
    pump();
  });
}

Millis PaymentDrainer::rate_limit_pause(std::optional<Millis> retry_after) const {
  const RetryPolicy& policy = settings_.retry;
  // retry_initial_ms doubled for each 429 in a row before this one (at most retry_max_ms),
  // or the Retry-After if that is longer; never past retry_max_ms.
  const Millis asked = std::max({retry_after.value_or(Millis{0}), backoff_.base(consecutive_429s_), policy.first});
  return std::min(asked, policy.cap);
}

std::optional<Millis> PaymentDrainer::pause_left() const {
  if (!paused_until_) return std::nullopt;
  const SteadyTime now = clock_.steady_now();
  if (now >= *paused_until_) return std::nullopt;
  return std::chrono::ceil<Millis>(*paused_until_ - now);
}

void PaymentDrainer::send_now(std::int64_t id, Millis timeout, Done done) {
  const auto tell_soon = [this, &done](PaymentOutcome outcome) {
    timers_.post([done = std::move(done), outcome = std::move(outcome)] { done(outcome); });
  };
  // Neither a stopped drainer nor one paused after a 429 sends anything: the operation stays
  // pending, untouched, and the queue sends it later like any other.
  if (stopped_) return tell_soon(failed_locally(PaymentOutcomeKind::unknown, "not sent: the payment drainer is stopped"));
  if (auto left = pause_left()) return tell_soon(paused(*left));
  auto found = queue_.find(id);
  if (!found || !found->has_value() || (*found)->state != db::PaymentOpState::pending) {
    const std::string why = !found ? found.error().message : "payment operation " + std::to_string(id) + " is not pending";
    return tell_soon(failed_locally(PaymentOutcomeKind::unknown, why));
  }
  if (auto marked = queue_.mark_in_flight((*found)->id, now_ms()); !marked) {
    spdlog::error("event=payment_start_failed {} detail={}", op_fields(**found), log_value(marked.error().message));
    return tell_soon(failed_locally(PaymentOutcomeKind::unknown, marked.error().message));
  }
  dispatch(**found, timeout, std::move(done));
}

void PaymentDrainer::dispatch(const db::PaymentOpRecord& op, Millis timeout, Done done) {
  const std::int64_t now = now_ms();
  in_flight_.insert(op.id);
  ++counters_.attempts;
  if (!done && entry_denied(op)) {
    // (Never claimed so by pump() or claim_held(): this is for one denied since its claim.)
    // Before any lookup too: a lookup that goes unanswered would count as a possible run.
    return finish_local(op, not_sent_denied(), done);
  }
  if (needs_lookup(op, now)) {
    // The lookup may be followed at once by the send: it takes that request's place in the pace too.
    if (!done) pacer_.take_extra(clock_.steady_now());
    spdlog::info("event=payment_lookup {} first_attempt_s_ago={} "
                 "detail=\"looking it up at the gateway before resending\"",
                 op_fields(op), std::max<std::int64_t>(0, now - op.first_attempt_at_ms) / 1000);
    gateway_.search_session(op.session_id, timeout, [this, op, timeout, done, sent_at = clock_.steady_now()](
                                                        PaymentOutcome search) {
      const bool final_kind = search.kind == PaymentOutcomeKind::unverified ||
                              search.kind == PaymentOutcomeKind::declined || search.kind == PaymentOutcomeKind::rejected;
      if (final_kind) {
        // A lookup moves no money, and its failure says nothing of the operation: it is
        // looked up again later (a refused lookup, e.g. a revoked key, waits like a time-out).
        search.error = "the gateway's answer to the lookup cannot be used (HTTP " + std::to_string(search.http_status) +
                       (search.error.empty() ? std::string() : ": " + search.error) + "); it is looked up again";
        search.kind = PaymentOutcomeKind::unknown;
      }
      if (search.kind != PaymentOutcomeKind::succeeded) return finish(op, search, done, sent_at);
      adopt_or_send(op, timeout, done, search, sent_at);
    });
    return;
  }
  send(op, timeout, std::move(done));
}

void PaymentDrainer::adopt_or_send(const db::PaymentOpRecord& op, Millis timeout, Done done,
                                   const PaymentOutcome& search, SteadyTime sent_at) {
  const auto kind = payment_op_from_string(op.op);
  if (!kind) return finish_local(op, failed_locally(PaymentOutcomeKind::rejected, "unknown operation '" + op.op + "'"), done);
  int legacy_charges = 0;  // (a charge first sent without op_key: its session's charges sent so)
  if (*kind == PaymentOpKind::charge && !op.op_key_sent) {
    auto ops = queue_.for_session(op.session_id);
    if (!ops) {
      return finish(op, failed_locally(PaymentOutcomeKind::unknown, "the charges of its session could not be read: " +
                                                                        ops.error().message + "; it is looked up again"),
                    done, sent_at);
    }
    legacy_charges = static_cast<int>(std::count_if(ops->begin(), ops->end(), [](const db::PaymentOpRecord& o) {
      return o.op == "charge" && !o.op_key_sent;
    }));
  }
  const SearchVerdict verdict =
      search_verdict(request_of(op, *kind, settings_.gate_id), search.found, legacy_charges);
  PaymentOutcome found;
  found.http_status = search.http_status;
  switch (verdict.kind) {
    case SearchVerdict::Kind::send:
      if (!done && entry_denied(op)) {
        // Denied (its denial or cancel waiting for the database) while the lookup was under way.
        return finish_local(op, not_sent_denied(), done);
      }
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
    case SearchVerdict::Kind::unverified: {
      const bool on_hold_to_use = op.op == "capture" || op.op == "increment";
      const bool hold_gone = on_hold_to_use && verdict.intent && verdict.intent->status == "canceled" &&
                             verdict.intent->amount_received == 0;
      const auto card = hold_gone ? card_session(op.session_id) : std::nullopt;
      if (hold_gone && !card) {
        // Whether the hold is a card's cannot be told now: looked up again later, as a send
        // whose session cannot be read is sent again (not a dead letter for a failed read).
        found.kind = PaymentOutcomeKind::unknown;
        found.error = "the hold found by search is canceled and the " + op.op +
                      "'s session could not be read; it is looked up again";
        break;
      }
      if (card && card->card) {
        // A card hold that lapsed (or was cancelled) before this capture or increment, found by
        // the lookup before a resend: followed up as when a capture is refused and the hold read.
        PaymentOutcome refused = failed_locally(PaymentOutcomeKind::declined, "the hold found by search is canceled");
        refused.http_status = search.http_status;
        PaymentOutcome read;
        read.kind = PaymentOutcomeKind::succeeded;
        read.http_status = search.http_status;
        read.intent = verdict.intent;
        return finish_hold_checked(op, refused, read, done, sent_at, *card);
      }
      found.kind = PaymentOutcomeKind::unverified;
      found.intent = verdict.intent;
      found.error = verdict.reason + "; " + std::string(kUnverifiedConsequence);
      break;
    }
  }
  finish(op, found, done, sent_at);
}

void PaymentDrainer::send(const db::PaymentOpRecord& op, Millis timeout, Done done) {
  // What may reach here after sending stopped: the send that follows a lookup answered after
  // stop() or during the pause after a 429 (a claim is never made then, nor send_now's).
  if (stopped_) {
    return finish_local(op, failed_locally(PaymentOutcomeKind::unknown, "not sent: the payment drainer is stopped"), done);
  }
  if (auto left = pause_left()) return finish_local(op, paused(*left), done);
  const auto kind = payment_op_from_string(op.op);
  if (!kind) return finish_local(op, failed_locally(PaymentOutcomeKind::rejected, "unknown operation '" + op.op + "'"), done);
  PaymentRequest request = request_of(op, *kind, settings_.gate_id);
  if (*kind == PaymentOpKind::preauth || *kind == PaymentOpKind::charge) {
    auto reference = charge_reference(sessions_, card_attempts_, sealer_, op.session_id);
    if (!reference) {
      const bool later = reference.error().code == "unreadable";
      std::string why = reference.error().code == "unreadable" || reference.error().code == "no_reference"
                            ? reference.error().message
                            : "cannot open the sealed payment reference: " + reference.error().message;
      return finish_local(op, failed_locally(later ? PaymentOutcomeKind::unknown : PaymentOutcomeKind::rejected,
                                             std::move(why)),
                          done);
    }
    request.customer = std::move(reference->customer);
    request.payment_method = std::move(reference->payment_method);
  }
  gateway_.execute(request, timeout, [this, op, timeout, done, sent_at = clock_.steady_now()](PaymentOutcome outcome) {
    if (needs_hold_check(op, outcome)) {
      const auto card = card_session(op.session_id);
      if (!card) {
        // Whether its hold is a card's cannot be told now: not recorded failed (a card's would
        // never be followed up); sent again with its key, then looked at again.
        PaymentOutcome later = outcome;
        later.kind = PaymentOutcomeKind::unknown;
        later.error = "the " + op.op + " failed (" + outcome.error + ") and its session could not be read";
        return finish(op, later, done, sent_at);
      }
      if (card->card) return check_hold(op, outcome, timeout, done, sent_at, *card);
    }
    finish(op, outcome, done, sent_at);
  });
}

std::optional<PaymentDrainer::CardSession> PaymentDrainer::card_session(const std::string& session_id) const {
  if (card_attempts_ == nullptr) return CardSession{};
  auto attempt = card_attempts_->find(session_id);
  if (!attempt) return std::nullopt;
  if (!attempt->has_value() || (*attempt)->state != db::CardAttemptState::admitted) return CardSession{};
  return CardSession{true, (*attempt)->card.capture_before_s, (*attempt)->held_at_ms};
}

void PaymentDrainer::check_hold(const db::PaymentOpRecord& op, const PaymentOutcome& failed, Millis timeout,
                                const Done& done, SteadyTime sent_at, const CardSession& card) {
  note_reachability(failed);
  if (!done) pacer_.take_extra(clock_.steady_now());  // the read takes a request's place in the pace
  spdlog::info("event=payment_hold_check {} status={} outcome={} detail=\"reading its hold before deciding\"",
               op_fields(op), failed.http_status, to_string(failed.kind));
  gateway_.read_intent(op.session_id, op.intent_id, timeout,
                       [this, op, failed, done, sent_at, card](PaymentOutcome read) {
                         // (The read was paced like a send.)
                         if (read.http_status == 429) rate_limited(read.retry_after, sent_at);
                         finish_hold_checked(op, failed, read, done, sent_at, card);
                       });
}

void PaymentDrainer::finish_hold_checked(const db::PaymentOpRecord& op, const PaymentOutcome& failed,
                                         const PaymentOutcome& read, const Done& done, SteadyTime sent_at,
                                         const CardSession& card) {
  const HoldCheckVerdict verdict =
      hold_check_verdict(op, failed, read, HoldWatch{now_ms(), card.capture_before_s, card.held_at_ms});
  if (verdict.hold_canceled) {
    spdlog::warn("event=payment_hold_canceled {} next=replace detail=\"the hold lapsed or was cancelled with nothing "
                 "received: settlement charges its amount to the saved card, or leaves it unpaid without one\"",
                 op_fields(op));
  }
  finish(op, verdict.outcome, done, sent_at, verdict.hold_canceled);
}

void PaymentDrainer::finish_local(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done) {
  complete(op, outcome, done);
}

void PaymentDrainer::finish(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done,
                            SteadyTime sent_at, bool hold_canceled) {
  note_reachability(outcome);
  if (outcome.http_status == 429) {
    rate_limited(outcome.retry_after, sent_at);
  } else if (outcome.http_status != 0 && (!pause_began_at_ || sent_at > *pause_began_at_)) {
    // An answer to a request sent after the last pause began (so after it ended: nothing is
    // sent during one) ends the run of 429s: the next one pauses from retry_initial_ms again.
    // One sent before it says nothing of the limit now. (Not "after paused_until_": a late
    // 429 of the same burst may have moved that past requests sent since.)
    consecutive_429s_ = 0;
  }
  complete(op, outcome, done, hold_canceled);
}

void PaymentDrainer::rate_limited(std::optional<Millis> retry_after, SteadyTime sent_at) {
  const SteadyTime now = clock_.steady_now();
  Millis pause{0};
  if (pause_began_at_ && sent_at <= *pause_began_at_) {
    // Sent before the pause under way (or the last one) began: the same burst of 429s. It
    // neither doubles the pause nor counts again; its Retry-After may only lengthen it.
    if (!retry_after) return;
    pause = std::min(*retry_after, settings_.retry.cap);
  } else {
    consecutive_429s_ = std::min(consecutive_429s_ + 1, 64);  // (the doubling stops at the cap long before)
    pause = rate_limit_pause(retry_after);
    pause_began_at_ = now;
    spdlog::warn("event=payment_rate_limited status=429 pause_ms={} in_a_row={} detail=\"pausing all sends\"",
                 pause.count(), consecutive_429s_);
  }
  const SteadyTime until = now + pause;
  if (!paused_until_ || until > *paused_until_) paused_until_ = until;  // a shorter Retry-After never shortens a pause
}

void PaymentDrainer::complete(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done,
                              bool hold_canceled) {
  arrived_.push_back(arrived(op, outcome, done));
  arrived_.back().write.hold_canceled = hold_canceled;
  if (record_posted_) return;
  record_posted_ = true;
  timers_.post([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;  // the drainer is gone (a test's crash): nothing was recorded
    record_posted_ = false;
    if (started_) return pump();  // records, and claims the slots it frees in the same commit
    record_arrived({});
  });
}

PaymentDrainer::Arrived PaymentDrainer::arrived(const db::PaymentOpRecord& op, const PaymentOutcome& outcome,
                                                const Done& done) {
  const std::int64_t now = now_ms();
  Arrived a{op, outcome, db::OutcomeWrite{}, Millis{0}, done};
  const bool refused_by_design = outcome.kind == PaymentOutcomeKind::rejected && increment_refused_by_design(op, outcome);
  if (refused_by_design) {
    // Declined as far as settlement goes: recorded, logged and counted so (its error, with what
    // the read of its hold said, is what passgatectl shows).
    a.outcome.kind = PaymentOutcomeKind::declined;
    a.outcome.decline_code = outcome.error_code;
  }
  db::OutcomeWrite& w = a.write;
  w.id = op.id;
  w.finished_at_ms = now;
  w.more_attempts = std::max(0, outcome.sends - 1);  // this dispatch's first send counted when it went in flight
  // Not run at the gateway: a request never written (refused here, no connection), or written
  // once and answered 429 (the contract's "rate limited": retried with the same key).
  w.maybe_executed = !(outcome.sends == 0 || (outcome.sends == 1 && outcome.http_status == 429));
  switch (a.outcome.kind) {
    case PaymentOutcomeKind::succeeded:
      w.to = db::OutcomeWrite::To::succeeded;
      w.intent_id = outcome.intent ? outcome.intent->id : op.intent_id;
      break;
    case PaymentOutcomeKind::declined:
      w.to = db::OutcomeWrite::To::declined;
      w.text = "declined: " + (refused_by_design || a.outcome.decline_code.empty() ? outcome.error
                                                                                  : a.outcome.decline_code);
      break;
    case PaymentOutcomeKind::rejected:
      // (After more than one send it is a dead letter whatever alert_on_failure said.)
      w.to = db::OutcomeWrite::To::dead;
      w.text = outcome.error;
      break;
    case PaymentOutcomeKind::unverified:
      w.to = db::OutcomeWrite::To::unverified;
      w.text = outcome.error;
      w.intent_id = outcome.intent ? outcome.intent->id : std::string();
      break;
    case PaymentOutcomeKind::retry_later:
    case PaymentOutcomeKind::unknown: {
      // `op` as read before it went in flight; this dispatch's sends are attempts too.
      Millis delay = backoff_.delay(op.attempts + std::max(1, outcome.sends));
      if (outcome.http_status == 429) {
        // The pause of every send is the gateway's, sized on its own (rate_limited(), when the
        // answer came: it needs no commit, it holds back and starts nothing), never on this
        // operation's history; this operation itself waits for the longer of the two.
        delay = std::max(delay, pause_left().value_or(Millis{0}));
      } else if (outcome.kind == PaymentOutcomeKind::retry_later && outcome.retry_after) {
        // What the gateway asks for (a 409's Retry-After) is honoured up to the backoff's cap
        // (retry_max_ms), and never shortens the backoff (a date already past).
        delay = std::max(delay, std::min(*outcome.retry_after, settings_.retry.cap));
      }
      w.to = db::OutcomeWrite::To::retry;
      w.text = !outcome.error.empty() ? outcome.error : "HTTP " + std::to_string(outcome.http_status);
      w.next_attempt_at_ms = now + delay.count();
      a.delay = delay;
      break;
    }
  }
  return a;
}

void PaymentDrainer::record_arrived(const std::vector<db::PaymentOpRecord>& claims) {
  if (arrived_.empty() && claims.empty()) return;
  std::vector<Arrived> batch = std::move(arrived_);
  arrived_.clear();
  db::DrainBatch writes;
  writes.outcomes.reserve(batch.size());
  for (const Arrived& a : batch) writes.outcomes.push_back(a.write);
  for (const db::PaymentOpRecord& op : claims) writes.claims.push_back(op.id);
  writes.claimed_at_ms = now_ms();
  auto statuses = queue_.commit_batch(writes);
  if (statuses) return committed(std::move(batch), *statuses, claims);
  if (!db::database_wide(statuses.error())) return record_apart(std::move(batch), claims, statuses.error());
  // Nothing of the batch was written, and nothing else would be now: each outcome's operation
  // is still in flight and keeps its slot, recorded again on the next wake (or resent with its
  // key after a restart); each claimed one is still pending, still due.
  if (!claims.empty()) {
    spdlog::error("event=payment_start_failed count={} first_op_id={} detail={}", claims.size(), claims.front().id,
                  log_value(statuses.error().message));
  }
  const std::vector<std::string> why(batch.size(), statuses.error().message);
  tell(hold_back(std::move(batch), why));
}

int PaymentDrainer::slots_freed_by(const std::vector<Arrived>& outcomes) const {
  std::set<std::int64_t> freed;
  for (const Arrived& a : outcomes)
    if (in_flight_.count(a.op.id) > 0) freed.insert(a.op.id);
  return static_cast<int>(freed.size());
}

void PaymentDrainer::record_apart(std::vector<Arrived> batch, std::vector<db::PaymentOpRecord> claims,
                                  const Error& why) {
  spdlog::warn("event=payment_batch_split outcomes={} claims={} detail={}", batch.size(), claims.size(),
               log_value(why.message));
  std::vector<Arrived> recorded_ones;
  std::vector<Status> statuses;
  std::vector<Arrived> refused;  // by their own row
  std::vector<std::string> refused_why;
  std::vector<Arrived> kept;  // by the whole database
  std::vector<std::string> kept_why;
  std::optional<Error> wide;  // a write failed for the whole database: the rest is not tried
  for (Arrived& a : batch) {
    auto one = wide ? Result<std::vector<Status>>(*wide) : queue_.record_outcomes({a.write});
    if (one) {
      statuses.push_back(std::move(one->front()));
      recorded_ones.push_back(std::move(a));
      continue;
    }
    if (db::database_wide(one.error())) wide = one.error();
    (wide ? kept_why : refused_why).push_back(one.error().message);
    (wide ? kept : refused).push_back(std::move(a));
  }
  // Only the slots freed for good are claimed: an outcome still unrecorded keeps its own.
  const auto room = std::max<std::ptrdiff_t>(
      0, settings_.max_in_flight - static_cast<std::ptrdiff_t>(in_flight_.size()) + slots_freed_by(recorded_ones));
  if (static_cast<std::ptrdiff_t>(claims.size()) > room) claims.resize(static_cast<std::size_t>(room));
  std::vector<db::PaymentOpRecord> claimed;
  if (wide && !claims.empty()) {
    spdlog::error("event=payment_start_failed count={} first_op_id={} detail={}", claims.size(), claims.front().id,
                  log_value(wide->message));
  } else if (!claims.empty()) {
    claimed = claim_apart(claims);
  }
  // Back in front of anything that arrives meanwhile, before a callback below can add to it.
  auto to_tell = hold_back(std::move(kept), kept_why);
  auto refused_tell = refuse(std::move(refused), refused_why);
  to_tell.insert(to_tell.end(), std::make_move_iterator(refused_tell.begin()), std::make_move_iterator(refused_tell.end()));
  committed(std::move(recorded_ones), statuses, claimed);
  tell(std::move(to_tell));
}

std::vector<db::PaymentOpRecord> PaymentDrainer::claim_apart(const std::vector<db::PaymentOpRecord>& claims) {
  std::vector<std::int64_t> ids;
  ids.reserve(claims.size());
  for (const db::PaymentOpRecord& op : claims) ids.push_back(op.id);
  const std::int64_t now = now_ms();
  auto all = queue_.mark_in_flight(ids, now);
  if (all) return claims;
  if (db::database_wide(all.error())) {
    spdlog::error("event=payment_start_failed count={} first_op_id={} detail={}", claims.size(), claims.front().id,
                  log_value(all.error().message));
    return {};
  }
  std::vector<db::PaymentOpRecord> claimed;
  for (const db::PaymentOpRecord& op : claims) {
    const Status one = claims.size() == 1 ? all : queue_.mark_in_flight(op.id, now);
    if (one) {
      claimed.push_back(op);
    } else if (db::database_wide(one.error())) {
      spdlog::error("event=payment_start_failed {} detail={}", op_fields(op), log_value(one.error().message));
    } else {
      // Its own row refused it: claimed alone from now on, after a growing wait.
      const Millis wait = held_claims_.failed(op.id, clock_.steady_now(), backoff_);
      spdlog::error("event=payment_start_failed {} next=retry_alone retry_in_ms={} detail={}", op_fields(op),
                    wait.count(), log_value(one.error().message));
    }
  }
  return claimed;
}

void PaymentDrainer::not_recorded(Arrived& a, const std::string& why, const std::string& next,
                                  std::vector<Telling>& to_tell) {
  spdlog::error("event=payment_record_failed {} outcome={} next={} detail={}", op_fields(a.op),
                to_string(a.outcome.kind), next, log_value(why));
  if (a.done) {
    to_tell.push_back({std::exchange(a.done, nullptr), told_uncommitted(a.outcome, "the outcome is not recorded yet: " + why)});
  }
}

std::vector<PaymentDrainer::Telling> PaymentDrainer::hold_back(std::vector<Arrived> kept,
                                                               const std::vector<std::string>& why) {
  std::vector<Telling> to_tell;
  for (std::size_t i = 0; i < kept.size(); ++i) not_recorded(kept[i], why[i], "retry", to_tell);
  kept.insert(kept.end(), std::make_move_iterator(arrived_.begin()), std::make_move_iterator(arrived_.end()));
  arrived_ = std::move(kept);
  return to_tell;
}

std::vector<PaymentDrainer::Telling> PaymentDrainer::refuse(std::vector<Arrived> refused,
                                                            const std::vector<std::string>& why) {
  std::vector<Telling> to_tell;
  const SteadyTime now = clock_.steady_now();
  for (std::size_t i = 0; i < refused.size(); ++i) {
    const Millis wait = refused_backoff_.failed(refused[i].op.id, now, backoff_);
    not_recorded(refused[i], why[i], "retry_alone retry_in_ms=" + std::to_string(wait.count()), to_tell);
    refused_.push_back(std::move(refused[i]));
  }
  return to_tell;
}

void PaymentDrainer::record_refused(SteadyTime now, bool all) {
  if (refused_.empty()) return;
  std::vector<Arrived> waiting;
  std::vector<Arrived> recorded_ones;
  std::vector<Status> statuses;
  std::vector<Telling> to_tell;  // (their `done`s were told when they were first refused)
  std::optional<Error> wide;     // a write failed for the whole database: the rest waits too
  for (Arrived& a : refused_) {
    if (!all && refused_backoff_.waiting(a.op.id, now)) {
      waiting.push_back(std::move(a));
      continue;
    }
    auto one = wide ? Result<std::vector<Status>>(*wide) : queue_.record_outcomes({a.write});
    if (one) {
      refused_backoff_.forget(a.op.id);
      statuses.push_back(std::move(one->front()));
      recorded_ones.push_back(std::move(a));
      continue;
    }
    if (db::database_wide(one.error())) wide = one.error();
    const Millis wait = refused_backoff_.failed(a.op.id, now, backoff_);
    not_recorded(a, one.error().message, "retry_alone retry_in_ms=" + std::to_string(wait.count()), to_tell);
    waiting.push_back(std::move(a));
  }
  refused_ = std::move(waiting);
  tell(std::move(to_tell));
  if (!recorded_ones.empty()) committed(std::move(recorded_ones), statuses, {});
}

int PaymentDrainer::claim_held(SteadyTime now, int room) {
  int claimed = 0;
  for (const std::int64_t id : held_claims_.due(now)) {
    if (claimed >= room) break;
    auto found = queue_.find(id);
    if (!found) {
      spdlog::error("event=payment_queue_read_failed detail={}", log_value(found.error().message));
      break;
    }
    const std::optional<db::PaymentOpRecord>& op = *found;
    if (!op || op->state != db::PaymentOpState::pending || op->next_attempt_at_ms > now_ms()) {
      held_claims_.forget(id);  // no longer waiting to be claimed (or not due yet: due() finds it then)
      continue;
    }
    // Chained after another operation, it goes only once that one is final, as due() says:
    // an operator may have retried the predecessor since this claim was held back.
    if (op->after_op_id) {
      auto before = queue_.find(*op->after_op_id);
      if (!before) {
        spdlog::error("event=payment_queue_read_failed detail={}", log_value(before.error().message));
        break;
      }
      if (before->has_value() && !db::is_final((*before)->state)) {
        held_claims_.forget(id);  // due() finds it once its predecessor is final
        continue;
      }
    }
    if (entry_denied(*op)) {
      held_claims_.forget(id);
      hold_back_entry(*op, now);
      continue;
    }
    if (pacer_.take(now, 1) == 0) break;
    if (auto marked = queue_.mark_in_flight(id, now_ms()); !marked) {
      const Millis wait = held_claims_.failed(id, now, backoff_);
      spdlog::error("event=payment_start_failed {} next=retry_alone retry_in_ms={} detail={}", op_fields(*op),
                    wait.count(), log_value(marked.error().message));
      continue;
    }
    held_claims_.forget(id);
    ++claimed;
    dispatch(*op, settings_.request_timeout, nullptr);
  }
  return claimed;
}

bool PaymentDrainer::entry_denied(const db::PaymentOpRecord& op) const {
  return op.op == "preauth" && entry_denied_ && entry_denied_(op.session_id);
}

void PaymentDrainer::hold_back_entry(const db::PaymentOpRecord& op, SteadyTime now) {
  const bool first = !denied_holds_.holds(op.id);
  const Millis wait = denied_holds_.failed(op.id, now, backoff_);
  if (first) {
    spdlog::info("event=payment_held_back {} look_again_in_ms={} "
                 "detail=\"not sent: its entry was denied (the denial waits for the database)\"",
                 op_fields(op), wait.count());
  }
}

void PaymentDrainer::review_denied_holds(SteadyTime now) {
  for (const std::int64_t id : denied_holds_.due(now)) {
    auto found = queue_.find(id);
    if (!found) {
      spdlog::error("event=payment_queue_read_failed detail={}", log_value(found.error().message));
      (void)denied_holds_.failed(id, now, backoff_);  // looked at again later, still unclaimed
      continue;
    }
    const std::optional<db::PaymentOpRecord>& op = *found;
    if (op && op->state == db::PaymentOpState::pending && entry_denied(*op)) {
      (void)denied_holds_.failed(id, now, backoff_);
    } else {
      denied_holds_.forget(id);  // finished (its denial written) or its entry no longer denied
    }
  }
}

void PaymentDrainer::tell(std::vector<Telling> to_tell) {
  for (const Telling& t : to_tell) t.done(t.outcome);
}

void PaymentDrainer::committed(std::vector<Arrived> batch, const std::vector<Status>& statuses,
                               const std::vector<db::PaymentOpRecord>& claims) {
  // Their slots are free before a claim takes one: a claim may be of an operation whose
  // outcome from before a stop is in this batch, not recorded (it was pending again).
  for (const Arrived& a : batch) in_flight_.erase(a.op.id);
  // The claimed operations go out first, before any callback below can act.
  for (const db::PaymentOpRecord& op : claims) dispatch(op, settings_.request_timeout, nullptr);
  bool final_recorded = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Arrived& a = batch[i];
    if (statuses[i]) {
      final_recorded = final_recorded || a.write.to != db::OutcomeWrite::To::retry;
      recorded(a);
      continue;
    }
    // No longer in flight in the database (e.g. sent back to pending by stop()): this outcome
    // is not recorded, and what the database says stands (a pending operation is resent with
    // its same key).
    spdlog::error("event=payment_record_failed {} outcome={} next=none detail={}", op_fields(a.op),
                  to_string(a.outcome.kind), log_value(statuses[i].error().message));
    if (a.done) a.done(told_uncommitted(a.outcome, statuses[i].error().message));
  }
  // An operation chained after one now final is due only now (the claim above was read before).
  if (final_recorded) kick();
}

void PaymentDrainer::recorded(const Arrived& a) {
  const db::PaymentOpRecord& op = a.op;
  const PaymentOutcome& outcome = a.outcome;
  counters_.attempts += a.write.more_attempts;
  const bool log_info = spdlog::should_log(spdlog::level::info);
  switch (outcome.kind) {
    case PaymentOutcomeKind::succeeded:
      ++counters_.succeeded;
      if (log_info) spdlog::info("event=payment_succeeded {} replayed={}", op_fields(op), outcome.replayed);
      break;
    case PaymentOutcomeKind::declined:
      ++counters_.declined;
      spdlog::warn("event=payment_declined {} reason={} next=dead_letter", op_fields(op), log_value(outcome.decline_code));
      break;
    case PaymentOutcomeKind::rejected:
      ++counters_.dead;
      spdlog::error("event=payment_rejected {} detail={} next=dead_letter", op_fields(op), log_value(outcome.error));
      break;
    case PaymentOutcomeKind::unverified:
      ++counters_.unverified;
      spdlog::error("event=payment_unverified {} status={} detail={} next=dead_letter", op_fields(op),
                    outcome.http_status, log_value(outcome.error));
      break;
    case PaymentOutcomeKind::retry_later:
    case PaymentOutcomeKind::unknown:
      ++counters_.retried;
      if (log_info) {
        spdlog::info("event=payment_retry {} outcome={} attempt={} retry_in_ms={} detail={}", op_fields(op),
                     to_string(outcome.kind), op.attempts + std::max(1, outcome.sends), a.delay.count(),
                     log_value(a.write.text));
      }
      break;
  }
  if (a.done) a.done(outcome);
  report_final(op.id, outcome.kind);
}

void PaymentDrainer::report_final(std::int64_t id, PaymentOutcomeKind kind) {
  const bool final_outcome = kind == PaymentOutcomeKind::succeeded || kind == PaymentOutcomeKind::declined ||
                             kind == PaymentOutcomeKind::rejected || kind == PaymentOutcomeKind::unverified;
  if (final_outcome && on_final_) {
    if (auto now_final = queue_.find(id); now_final && now_final->has_value()) on_final_(**now_final);
  }
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
