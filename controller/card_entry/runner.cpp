// CardEntryRunner: its course and timers, status, and arming (steps 1-3).
#include "controller/card_entry/runner.hpp"

#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/card_entry/attempt_record.hpp"

namespace passgate::controller {

namespace {

std::string_view phase_name(int phase) {
  static constexpr std::string_view kNames[] = {"idle",  "recovering", "arming",    "collecting", "armed",
                                                "reader_off", "tapped", "confirming", "resolving", "abandoning"};
  return kNames[phase];
}

}  // namespace

CardEntryRunner::CardEntryRunner(CardEntrySettings settings, PaymentTerminal& terminal,
                                 db::CardAttemptStore& attempts, db::CardBlocklist& blocklist,
                                 const crypto::PaymentSealer& sealer, const crypto::CardFingerprintHasher& hasher,
                                 Clock& clock, TimerService& timers, Decide decide)
    : settings_(std::move(settings)),
      terminal_(terminal),
      attempts_(attempts),
      blocklist_(blocklist),
      sealer_(sealer),
      hasher_(hasher),
      clock_(clock),
      timers_(timers),
      decide_(std::move(decide)),
      backoff_(RetryPolicy{settings_.retry_first, settings_.retry_cap}) {
  status_ = CardEntryStatus{false, "starting", std::string(phase_name(0))};
}

CardEntryRunner::~CardEntryRunner() = default;

void CardEntryRunner::start() {
  started_ = true;
  turn_off("starting");
  recover();
}

void CardEntryRunner::set_presence(bool present) {
  presence_ = present;
  // Someone stepped in while the next poll is a slow one away: poll soon.
  if (present && waiting_for_ == &CardEntryRunner::poll) after(settings_.poll_fast, &CardEntryRunner::poll);
}

PaymentTerminal::Callback CardEntryRunner::bind(Handler handler) {
  return [this, alive = std::weak_ptr<bool>(alive_), course = course_, handler](TerminalOutcome o) {
    if (alive.expired() || course != course_) return;
    (this->*handler)(std::move(o));
  };
}

void CardEntryRunner::change_course() {
  ++course_;
  step_timer_.reset();
  waiting_for_ = nullptr;
}

void CardEntryRunner::after(Millis delay, void (CardEntryRunner::*next)()) {
  waiting_for_ = next;
  step_timer_ = timers_.start(delay, [this, course = course_, next] {
    if (course != course_) return;
    waiting_for_ = nullptr;
    (this->*next)();
  });
}

Millis CardEntryRunner::retry_delay(const TerminalOutcome& o) {
  const Millis backoff = backoff_.delay(++failures_);
  if (o.retry_after && *o.retry_after > Millis{0}) return std::min(*o.retry_after, Millis{24 * 3600 * 1000});
  return backoff;
}

Millis CardEntryRunner::poll_interval() const { return presence_ ? settings_.poll_fast : settings_.poll_slow; }

std::int64_t CardEntryRunner::now_ms() const { return unix_millis(clock_.wall_now()); }

void CardEntryRunner::set_phase(Phase phase) {
  phase_ = phase;
  status_.phase = std::string(phase_name(static_cast<int>(phase)));
}

void CardEntryRunner::turn_on() {
  if (status_.enabled) return;
  if (paused_.empty()) spdlog::info("event=card_entry_on lane={} was={}", settings_.lane, status_.reason);
  status_.enabled = true;
  status_.reason.clear();
  tell_status();
}

void CardEntryRunner::turn_off(const std::string& reason) {
  if (!status_.enabled && status_.reason == reason) return;
  if (paused_.empty()) spdlog::warn("event=card_entry_off lane={} reason={}", settings_.lane, reason);
  status_.enabled = false;
  status_.reason = reason;
  tell_status();
}

CardEntryStatus CardEntryRunner::status() const {
  if (paused_.empty()) return status_;
  return CardEntryStatus{false, paused_, status_.phase};
}

void CardEntryRunner::tell_status() {
  // While paused the lane's card entry stays off for the pause's reason, whatever the reader says.
  if (paused_.empty() && status_changed_) status_changed_(status_);
}

void CardEntryRunner::note_answer(const TerminalOutcome& o, bool reader_step) {
  using K = TerminalOutcomeKind;
  if (o.kind == K::offline) return turn_off("reader_offline");
  if (o.kind == K::unknown && (o.http_status == 0 || o.http_status >= 500)) return turn_off("terminal_unreachable");
  if (o.kind == K::retry_later || o.kind == K::rejected || o.kind == K::unverified) return;
  // The reader is back only when it says so itself.
  if (status_.reason == "reader_offline" && !(reader_step && o.reader_status == "online")) return;
  turn_on();
}

void CardEntryRunner::database_failed(const std::string& what, const Error& error) {
  spdlog::error("event=card_entry_database_failed lane={} session={} detail={}", settings_.lane,
                attempt_.session_id, log_value("cannot " + what + ": " + error.message));
  turn_off("database");
  if (tapped_) tell(CardDecision{false, attempt_.session_id, CardDenial::terminal_unavailable});
  tapped_ = false;
  change_course();
  auth_timer_.reset();
  rearm_timer_.reset();
  // What is on disk decides: the lane's unfinished attempts are resolved from there.
  after(backoff_.delay(++failures_), &CardEntryRunner::recover);
}

void CardEntryRunner::arm() {
  change_course();
  if (!paused_.empty()) return set_phase(Phase::idle);  // resume() arms
  attempt_ = TerminalAttempt{};
  hashes_.clear();
  tapped_ = false;
  declined_ = false;
  const std::string sid = new_uuid_v4();
  if (Status armed = attempts_.arm(new_card_attempt(settings_, sid), now_ms()); !armed) {
    return database_failed("arm the lane", armed.error());
  }
  attempt_ = TerminalAttempt{.session_id = sid,
                             .gate_id = settings_.gate.gate_id,
                             .lane = settings_.lane,
                             .reader_id = settings_.reader_id,
                             .currency = settings_.currency,
                             .hold_minor = settings_.hold_minor,
                             .customer = {},
                             .intent_id = {},
                             .try_counter = 0};
  armed_at_ = clock_.steady_now();
  rearm_timer_ = timers_.start(settings_.rearm_interval, [this] { rearm_due(); });
  spdlog::info("event=card_attempt_armed lane={} session={}", settings_.lane, sid);
  set_phase(Phase::arming);
  send_customer();
}

void CardEntryRunner::send_customer() { terminal_.create_customer(attempt_, bind(&CardEntryRunner::on_customer)); }

void CardEntryRunner::on_customer(TerminalOutcome o) {
  note_answer(o, false);
  using K = TerminalOutcomeKind;
  if (o.kind == K::succeeded) {
    failures_ = 0;
    auto sealed = seal_reference(sealer_, o.customer, attempt_.session_id);
    if (!sealed) return database_failed("seal the customer", sealed.error());
    if (Status s = attempts_.record_customer(attempt_.session_id, *sealed); !s) {
      return database_failed("record the customer", s.error());
    }
    attempt_.customer = std::move(o.customer);
    return send_hold();
  }
  if (o.kind == K::rejected || o.kind == K::unverified) {
    spdlog::error("event=card_attempt_refused lane={} session={} step=create_customer detail={}", settings_.lane,
                  attempt_.session_id, log_value(o.error));
    turn_off("terminal_refused");
    next_arm_delay_ = backoff_.delay(++failures_);
    return abandon("terminal_refused");
  }
  after(retry_delay(o), &CardEntryRunner::send_customer);  // the same request, the same key
}

void CardEntryRunner::send_hold() { terminal_.create_hold(attempt_, bind(&CardEntryRunner::on_hold)); }

void CardEntryRunner::on_hold(TerminalOutcome o) {
  note_answer(o, false);
  using K = TerminalOutcomeKind;
  if (o.kind == K::succeeded && !o.intent_id.empty()) {
    failures_ = 0;
    auto sealed = seal_reference(sealer_, o.intent_id, attempt_.session_id);
    if (!sealed) return database_failed("seal the PaymentIntent", sealed.error());
    if (Status s = attempts_.record_intent(attempt_.session_id, *sealed); !s) {
      return database_failed("record the PaymentIntent", s.error());
    }
    attempt_.intent_id = std::move(o.intent_id);
    return send_collect();
  }
  if (o.kind == K::rejected || o.kind == K::unverified || o.kind == K::succeeded) {
    spdlog::error("event=card_attempt_refused lane={} session={} step=create_hold detail={}", settings_.lane,
                  attempt_.session_id, log_value(o.error));
    turn_off("terminal_refused");
    next_arm_delay_ = backoff_.delay(++failures_);
    return abandon("terminal_refused");
  }
  after(retry_delay(o), &CardEntryRunner::send_hold);  // the same request, the same key
}

void CardEntryRunner::send_collect() {
  set_phase(Phase::collecting);
  if (settings_.collect_confirm_split) {
    terminal_.collect(attempt_, bind(&CardEntryRunner::on_collect));
  } else {
    terminal_.process(attempt_, bind(&CardEntryRunner::on_collect));
  }
}

void CardEntryRunner::on_collect(TerminalOutcome o) {
  using K = TerminalOutcomeKind;
  switch (o.kind) {
    case K::succeeded:
    case K::in_progress:
    case K::reader_failed:
    case K::declined:
    case K::offline:
      return on_poll(std::move(o));  // the reader as the collect left it
    case K::busy:
      note_answer(o, true);
      return poll();  // whose action it is decides
    case K::retry_later:
      note_answer(o, true);
      return after(retry_delay(o), &CardEntryRunner::send_collect);
    case K::unknown:
      note_answer(o, true);
      // No answer: the same request again (its key replays it if it ran). An answer that is
      // no success (a reader timeout) is stored under the key: read the reader, then a new try.
      if (o.http_status == 0 || o.http_status >= 500) return after(retry_delay(o), &CardEntryRunner::send_collect);
      return poll();
    case K::rejected:
    case K::unverified:
      spdlog::error("event=card_attempt_refused lane={} session={} step=collect detail={}", settings_.lane,
                    attempt_.session_id, log_value(o.error));
      turn_off("terminal_refused");
      next_arm_delay_ = backoff_.delay(++failures_);
      return abandon("terminal_refused");
  }
}

void CardEntryRunner::next_try() {
  if (!settings_.collect_confirm_split) return abandon("reader_reset");  // process has one key only
  const int n = attempt_.try_counter;
  const db::CardAttemptKeys keys = card_attempt_keys(attempt_.session_id, n + 1);
  if (Status s = attempts_.next_try(attempt_.session_id, n, keys.collect, keys.cancel_action); !s) {
    return database_failed("start the next try", s.error());
  }
  attempt_.try_counter = n + 1;
  send_collect();
}

void CardEntryRunner::rearm_due() {
  const bool idle = phase_ == Phase::arming || phase_ == Phase::collecting || phase_ == Phase::armed ||
                    phase_ == Phase::reader_off;
  if (!idle) return;
  if (presence_) {
    // Someone may be about to tap: look again shortly.
    rearm_timer_ = timers_.start(settings_.poll_slow, [this] { rearm_due(); });
    return;
  }
  spdlog::info("event=card_attempt_rearm lane={} session={}", settings_.lane, attempt_.session_id);
  abandon("rearm");
}

}  // namespace passgate::controller
