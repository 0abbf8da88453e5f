// CardEntryRunner: giving an attempt up (deny, abandon, a pause), ending its PaymentIntent
// canceled, and the start-up resolution of what a restart left unfinished.
#include <spdlog/spdlog.h>

#include <utility>

#include "common/log_value.hpp"
#include "controller/card_entry/attempt_record.hpp"
#include "controller/card_entry/runner.hpp"

namespace passgate::controller {

void CardEntryRunner::pause(const std::string& reason) {
  if (paused_ == reason) return;
  const bool was_paused = !paused_.empty();
  paused_ = reason;
  spdlog::warn("event=card_entry_off lane={} reason={} session={}", settings_.lane, reason, attempt_.session_id);
  if (status_changed_) status_changed_(status());
  // Resolving from disk after a database failure: it arms nothing while paused.
  if (was_paused || waiting_for_ == &CardEntryRunner::recover) return;
  switch (phase_) {
    case Phase::arming:
    case Phase::collecting:
    case Phase::armed:
    case Phase::reader_off:
      // The reader's collect is cancelled and the PaymentIntent voided: no tap can be confirmed.
      return abandon(reason);
    case Phase::tapped:
    case Phase::confirming:
    case Phase::resolving:
      // Whatever the confirm does, nobody is admitted with it: a hold it placed is voided.
      return deny(CardDenial::lane_unavailable, "card entry paused: " + reason);
    case Phase::idle:
    case Phase::recovering:
    case Phase::abandoning:
      return;  // it ends without arming
  }
}

void CardEntryRunner::resume() {
  if (paused_.empty()) return;
  const std::string was = std::exchange(paused_, {});
  if (status_.enabled) {
    spdlog::info("event=card_entry_on lane={} was={}", settings_.lane, was);
  } else {
    spdlog::warn("event=card_entry_off lane={} reason={}", settings_.lane, status_.reason);
  }
  if (status_changed_) status_changed_(status_);
  if (started_ && phase_ == Phase::idle && waiting_for_ == nullptr) arm();
}

void CardEntryRunner::deny(CardDenial reason, const std::string& why) {
  change_course();
  auth_timer_.reset();
  spdlog::info("event=card_entry_denied lane={} session={} reason={} detail={}", settings_.lane,
               attempt_.session_id, to_string(reason), log_value(why));
  tell(CardDecision{false, attempt_.session_id, reason});
  tapped_ = false;
  if (Status s = attempts_.deny(attempt_.session_id, std::string(to_string(reason)), now_ms());
      !s && s.error().code != "wrong_state") {
    return database_failed("record the denial", s.error());
  }
  wind_up();
}

void CardEntryRunner::abandon(const std::string& reason) {
  change_course();
  auth_timer_.reset();
  if (Status s = attempts_.abandon(attempt_.session_id, reason, now_ms()); !s && s.error().code != "wrong_state") {
    return database_failed("abandon the attempt", s.error());
  }
  wind_up();
}

void CardEntryRunner::wind_up() {
  change_course();
  set_phase(Phase::abandoning);
  rearm_timer_.reset();
  // The record decides: only an attempt abandoning on disk is voided, never an admitted one.
  auto found = attempts_.find(attempt_.session_id);
  if (!found) return database_failed("read the attempt", found.error());
  if (!*found || db::is_final((*found)->state)) return finished(next_arm_delay_);
  if ((*found)->state != db::CardAttemptState::abandoning) {
    return database_failed("wind up the attempt", make_error("wrong_state", "it is not abandoning"));
  }
  // The PaymentIntent is recorded before any collect: without it no reader ever saw it, so
  // nothing can be held. One may exist all the same (its answer lost): it is voided too.
  if (attempt_.intent_id.empty()) return attempt_.customer.empty() ? mark_voided() : adopt_hold();
  terminal_.read_reader(attempt_, bind(&CardEntryRunner::on_wind_up_reader));
}

void CardEntryRunner::adopt_hold() { terminal_.create_hold(attempt_, bind(&CardEntryRunner::on_adopted_hold)); }

void CardEntryRunner::on_adopted_hold(TerminalOutcome o) {
  note_answer(o, false);
  using K = TerminalOutcomeKind;
  if (o.kind == K::succeeded && !o.intent_id.empty()) {
    attempt_.intent_id = std::move(o.intent_id);  // in memory only: the attempt is abandoning
    return check_void();
  }
  if (o.kind == K::rejected || o.kind == K::unverified) return mark_voided();  // nothing was made
  after(retry_delay(o), &CardEntryRunner::adopt_hold);
}

void CardEntryRunner::on_wind_up_reader(TerminalOutcome o) {
  note_answer(o, true);
  const bool ours_runs = (o.kind == TerminalOutcomeKind::succeeded || o.kind == TerminalOutcomeKind::in_progress) &&
                         o.action.on_this_intent && o.action.status == "in_progress";
  if (ours_runs) return send_cancel_action();
  check_void();
}

void CardEntryRunner::send_cancel_action() {
  terminal_.cancel_action(attempt_, bind(&CardEntryRunner::on_cancel_action));
}

void CardEntryRunner::on_cancel_action(TerminalOutcome o) {
  note_answer(o, true);
  using K = TerminalOutcomeKind;
  const bool unanswered = o.kind == K::unknown && (o.http_status == 0 || o.http_status >= 500);
  if (o.kind == K::retry_later || unanswered) return after(retry_delay(o), &CardEntryRunner::send_cancel_action);
  check_void();  // the void ends the PaymentIntent whatever the reader does
}

void CardEntryRunner::check_void() {
  terminal_.read_intent(attempt_, bind(&CardEntryRunner::on_void_check));
}

void CardEntryRunner::on_void_check(TerminalOutcome o) {
  note_answer(o, false);
  using K = TerminalOutcomeKind;
  if (o.kind != K::succeeded && o.kind != K::in_progress) return after(retry_delay(o), &CardEntryRunner::check_void);
  if (o.intent_status == "canceled") return mark_voided();
  if (o.intent_status == "succeeded") {
    // Captured, though never admitted: only a person can put that right.
    spdlog::critical("event=card_attempt_captured_unadmitted lane={} session={}", settings_.lane, attempt_.session_id);
    turn_off("terminal_refused");
    return after(settings_.retry_cap, &CardEntryRunner::check_void);
  }
  if (o.kind == K::in_progress || o.intent_status == "processing") {
    return after(retry_delay(o), &CardEntryRunner::check_void);
  }
  failures_ = 0;
  send_void();
}

void CardEntryRunner::send_void() { terminal_.void_intent(attempt_, bind(&CardEntryRunner::on_void)); }

void CardEntryRunner::on_void(TerminalOutcome o) {
  note_answer(o, false);
  using K = TerminalOutcomeKind;
  if (o.kind == K::succeeded) return mark_voided();
  if (o.kind == K::retry_later) return after(retry_delay(o), &CardEntryRunner::send_void);
  // Unknown or refused: look the PaymentIntent up before any further void.
  after(retry_delay(o), &CardEntryRunner::check_void);
}

void CardEntryRunner::mark_voided() {
  if (Status s = attempts_.mark_voided(attempt_.session_id, now_ms()); !s) {
    return database_failed("record the void", s.error());
  }
  spdlog::info("event=card_attempt_voided lane={} session={}", settings_.lane, attempt_.session_id);
  finished(next_arm_delay_);
}

void CardEntryRunner::finished(Millis delay) {
  change_course();
  auth_timer_.reset();
  rearm_timer_.reset();
  attempt_ = TerminalAttempt{};
  tapped_ = false;
  next_arm_delay_ = Millis{0};
  set_phase(Phase::idle);
  if (!to_recover_.empty()) return after(Millis{0}, &CardEntryRunner::recover_next);
  after(delay, &CardEntryRunner::arm);
}

void CardEntryRunner::recover() {
  change_course();
  set_phase(Phase::recovering);
  to_recover_.clear();
  auto unfinished = attempts_.unfinished();
  if (!unfinished) return database_failed("read the unfinished attempts", unfinished.error());
  for (const db::CardAttemptRecord& r : *unfinished) {
    if (r.lane == settings_.lane) to_recover_.push_back(r.session_id);
  }
  recover_next();
}

void CardEntryRunner::recover_next() {
  if (to_recover_.empty()) return arm();
  const std::string sid = to_recover_.front();
  to_recover_.erase(to_recover_.begin());
  auto found = attempts_.find(sid);
  if (!found) return database_failed("read the attempt", found.error());
  if (!*found || db::is_final((*found)->state)) return recover_next();
  auto attempt = terminal_attempt_of(**found, settings_, sealer_);
  if (!attempt) return database_failed("open the attempt's references", attempt.error());
  attempt_ = std::move(*attempt);
  spdlog::info("event=card_attempt_recovering lane={} session={} state={}", settings_.lane, sid,
               db::to_string((*found)->state));
  if ((*found)->state != db::CardAttemptState::abandoning) return abandon("restart");
  wind_up();
}

}  // namespace passgate::controller
