// CardEntryRunner: polling the reader, the tap, confirming, step 6 and the admission.
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/admission/anti_passback.hpp"
#include "controller/card_entry/attempt_record.hpp"
#include "controller/card_entry/card_session.hpp"
#include "controller/card_entry/runner.hpp"

namespace passgate::controller {

void CardEntryRunner::poll() { terminal_.read_reader(attempt_, bind(&CardEntryRunner::on_poll)); }

void CardEntryRunner::on_poll(TerminalOutcome o) {
  note_answer(o, true);
  using K = TerminalOutcomeKind;
  switch (o.kind) {
    case K::succeeded:
    case K::in_progress:
      failures_ = 0;
      if (o.action.on_this_intent && o.action.status == "in_progress") {
        set_phase(Phase::armed);
        return after(poll_interval(), &CardEntryRunner::poll);
      }
      if (o.action.on_this_intent && o.action.status == "succeeded") {
        if (settings_.collect_confirm_split && o.card && !o.card->fingerprint.empty()) return on_tap(o.card->fingerprint);
        if (!settings_.collect_confirm_split) {
          // process_payment_intent finished: step 6 decides; the card is checked once held.
          set_phase(Phase::tapped);
          tapped_ = true;
          auth_timer_ = timers_.start(settings_.auth_timeout, [this] { auth_timed_out(); });
          return read_intent();
        }
      }
      // No action of ours runs on the reader: the PaymentIntent says what happened.
      return terminal_.read_intent(attempt_, bind(&CardEntryRunner::on_idle_intent));
    case K::reader_failed:
      spdlog::info("event=card_tap_failed lane={} session={} detail={}", settings_.lane, attempt_.session_id,
                   log_value(o.error));
      tell(CardDecision{false, attempt_.session_id, CardDenial::tap_failed});
      return terminal_.read_intent(attempt_, bind(&CardEntryRunner::on_idle_intent));
    case K::declined:
      declined_ = true;
      tapped_ = true;
      return deny(CardDenial::payment_declined, "declined: " + o.decline_code);
    case K::busy:
      return cancel_other_action();
    case K::offline:
      set_phase(Phase::reader_off);
      return after(settings_.poll_slow, &CardEntryRunner::poll);
    case K::unknown:
      if (o.http_status == 0 || o.http_status >= 500) return after(retry_delay(o), &CardEntryRunner::poll);
      return terminal_.read_intent(attempt_, bind(&CardEntryRunner::on_idle_intent));
    case K::retry_later:
    case K::rejected:
    case K::unverified:
      return after(retry_delay(o), &CardEntryRunner::poll);
  }
}

void CardEntryRunner::on_idle_intent(TerminalOutcome o) {
  note_answer(o, false);
  using K = TerminalOutcomeKind;
  if (o.kind == K::succeeded || o.kind == K::in_progress) {
    failures_ = 0;
    if (o.intent_status == "requires_payment_method") return next_try();  // nothing read: collect again
    if (o.kind == K::in_progress || o.intent_status == "processing") {
      return after(settings_.poll_fast, &CardEntryRunner::poll);
    }
    // A card collected unseen, a hold nobody confirmed, an intent canceled elsewhere: nobody
    // was admitted with it, so it ends voided.
    spdlog::warn("event=card_attempt_unexpected lane={} session={} intent_status={}", settings_.lane,
                 attempt_.session_id, log_value(o.intent_status));
    return abandon("unexpected_intent");
  }
  if (o.kind == K::rejected || o.kind == K::unverified) {
    turn_off("terminal_refused");
    next_arm_delay_ = backoff_.delay(++failures_);
    return abandon("terminal_refused");
  }
  after(retry_delay(o), &CardEntryRunner::poll);
}

void CardEntryRunner::cancel_other_action() {
  terminal_.cancel_action(attempt_, bind(&CardEntryRunner::on_other_cancelled));
}

void CardEntryRunner::on_other_cancelled(TerminalOutcome o) {
  note_answer(o, true);
  using K = TerminalOutcomeKind;
  switch (o.kind) {
    case K::succeeded:
      // The other action is gone; the busy answer is stored under this try's key: a new try.
      return next_try();
    case K::retry_later:
      return after(retry_delay(o), &CardEntryRunner::cancel_other_action);
    case K::unknown:
      if (o.http_status == 0 || o.http_status >= 500) {
        return after(retry_delay(o), &CardEntryRunner::cancel_other_action);
      }
      return after(poll_interval(), &CardEntryRunner::poll);
    case K::offline:
      set_phase(Phase::reader_off);
      return after(settings_.poll_slow, &CardEntryRunner::poll);
    default:
      return after(retry_delay(o), &CardEntryRunner::poll);
  }
}

void CardEntryRunner::on_tap(const std::string& fingerprint) {
  set_phase(Phase::tapped);
  tapped_ = true;
  auth_timer_ = timers_.start(settings_.auth_timeout, [this] { auth_timed_out(); });
  auto digests = hasher_.digests(fingerprint);
  if (!digests) return deny(CardDenial::terminal_unavailable, "cannot hash the card: " + digests.error().message);
  hashes_ = std::move(*digests);
  if (Status s = attempts_.mark_tapped(attempt_.session_id, hashes_.front(), now_ms()); !s) {
    return database_failed("record the tap", s.error());
  }
  spdlog::info("event=card_tapped lane={} session={}", settings_.lane, attempt_.session_id);
  if (!card_may_enter(hashes_)) return;
  send_confirm();
}

bool CardEntryRunner::card_may_enter(const std::vector<std::string>& hashes) {
  if (anti_passback_checks(settings_.anti_passback)) {
    auto open = attempts_.open_session_of_card(hashes, attempt_.session_id);
    if (!open) {
      database_failed("check anti-passback", open.error());
      return false;
    }
    switch (anti_passback_verdict(settings_.anti_passback, open->has_value())) {
      case PassbackVerdict::pass:
        break;
      case PassbackVerdict::overridden:
        spdlog::warn("event=anti_passback_overridden lane={} session={} open_session={} "
                     "detail=\"the card still has a session open at this store; admitted anyway (anti_passback soft)\"",
                     settings_.lane, attempt_.session_id, **open);
        break;
      case PassbackVerdict::refuse:
        deny(CardDenial::card_in_session, "the card has session " + **open + " open");
        return false;
    }
  }
  auto listed = blocklist_.find(hashes);
  if (!listed) {
    database_failed("read the blocklist", listed.error());
    return false;
  }
  if (*listed) {
    // Which session's unsettled payment keeps the card listed, for the operator (passgatectl
    // queue lists that session's dead letters); never the fingerprint or its hash.
    deny(CardDenial::shopper_blocked,
         "the card is on the blocklist for session " + (*listed)->session_id + " (" + (*listed)->reason +
             "), listed since " + format_rfc3339_ms(WallTime{std::chrono::milliseconds{(*listed)->since_ms}}));
    return false;
  }
  return true;
}

void CardEntryRunner::send_confirm() {
  set_phase(Phase::confirming);
  terminal_.confirm(attempt_, bind(&CardEntryRunner::on_confirm));
}

void CardEntryRunner::on_confirm(TerminalOutcome o) {
  note_answer(o, true);
  using K = TerminalOutcomeKind;
  switch (o.kind) {
    case K::succeeded:
    case K::in_progress:
      if (o.action.status == "succeeded") return read_intent();
      return after(settings_.poll_fast, &CardEntryRunner::poll_confirm);
    case K::declined:
      declined_ = true;
      return deny(CardDenial::payment_declined, "declined: " + o.decline_code);
    case K::busy:
      return after(settings_.poll_fast, &CardEntryRunner::poll_confirm);  // possibly ours, replayed
    case K::retry_later:
      return after(retry_delay(o), &CardEntryRunner::send_confirm);
    default:
      return read_intent();  // unknown: the PaymentIntent decides
  }
}

void CardEntryRunner::poll_confirm() { terminal_.read_reader(attempt_, bind(&CardEntryRunner::on_confirm_poll)); }

void CardEntryRunner::on_confirm_poll(TerminalOutcome o) {
  note_answer(o, true);
  using K = TerminalOutcomeKind;
  switch (o.kind) {
    case K::succeeded:
    case K::in_progress:
      if (o.action.on_this_intent && o.action.status == "in_progress") {
        return after(settings_.poll_fast, &CardEntryRunner::poll_confirm);
      }
      return read_intent();
    case K::declined:
      declined_ = true;
      return deny(CardDenial::payment_declined, "declined: " + o.decline_code);
    case K::retry_later:
      return after(retry_delay(o), &CardEntryRunner::poll_confirm);
    default:
      return read_intent();
  }
}

void CardEntryRunner::read_intent() {
  set_phase(Phase::resolving);
  terminal_.read_intent(attempt_, bind(&CardEntryRunner::on_intent));
}

void CardEntryRunner::on_intent(TerminalOutcome o) {
  note_answer(o, false);
  using K = TerminalOutcomeKind;
  switch (o.kind) {
    case K::succeeded:
    case K::in_progress:
      if (o.intent_status == "requires_capture") {
        if (o.amount_capturable == attempt_.hold_minor && o.card && !o.card->fingerprint.empty()) return on_held(o);
        return deny(CardDenial::terminal_unavailable, "held, but not the hold's amount or without its card");
      }
      if (o.kind == K::in_progress || o.intent_status == "processing" || o.intent_status == "requires_action") {
        return after(settings_.poll_fast, &CardEntryRunner::read_intent);
      }
      // requires_payment_method or requires_confirmation: nothing is held. canceled: final.
      return deny(declined_ ? CardDenial::payment_declined : CardDenial::terminal_unavailable,
                  "nothing held: " + o.intent_status);
    case K::declined:
      declined_ = true;
      return deny(CardDenial::payment_declined, "declined: " + o.decline_code);
    case K::rejected:
    case K::unverified:
      return deny(CardDenial::terminal_unavailable, "the PaymentIntent cannot be read: " + o.error);
    default:
      return after(retry_delay(o), &CardEntryRunner::read_intent);  // auth_timeout bounds it
  }
}

void CardEntryRunner::on_held(const TerminalOutcome& o) {
  const std::string& sid = attempt_.session_id;
  auto digests = hasher_.digests(o.card->fingerprint);
  if (!digests) return deny(CardDenial::terminal_unavailable, "cannot hash the card: " + digests.error().message);
  db::HeldCard card{.fingerprint_hash = digests->front(),
                    .generated_card = {},
                    .brand = o.card->brand,
                    .last4 = o.card->last4,
                    .incremental_authorization_supported = o.card->incremental_authorization_supported,
                    .capture_before_s = o.card->capture_before};
  if (o.card->card_saved()) {
    auto sealed = seal_reference(sealer_, o.card->generated_card, sid);
    if (!sealed) return database_failed("seal the saved card", sealed.error());
    card.generated_card = std::move(*sealed);
  }
  if (Status held = attempts_.mark_held(sid, card, now_ms()); !held) {
    if (held.error().code == "fingerprint_mismatch") {
      return deny(CardDenial::terminal_unavailable, "the held card is not the card tapped");
    }
    return database_failed("record the hold", held.error());
  }
  if (!settings_.collect_confirm_split) {
    hashes_ = std::move(*digests);
    if (!card_may_enter(hashes_)) return;
  }
  const bool refuse_open_card = settings_.anti_passback == AntiPassback::hard;
  if (Status admitted = attempts_.admit(sid, card_session(settings_.gate, sid, settings_.lane, card.fingerprint_hash,
                                                          clock_.wall_now()),
                                        now_ms(), refuse_open_card);
      !admitted) {
    if (admitted.error().code == "card_in_session") return deny(CardDenial::card_in_session, admitted.error().message);
    if (admitted.error().code == "shopper_blocked") return deny(CardDenial::shopper_blocked, admitted.error().message);
    return database_failed("admit", admitted.error());
  }
  spdlog::info("event=card_entry_admitted lane={} session={}", settings_.lane, sid);
  tapped_ = false;
  tell(CardDecision{true, sid, CardDenial::terminal_unavailable});
  finished(Millis{0});
}

void CardEntryRunner::auth_timed_out() {
  if (phase_ != Phase::tapped && phase_ != Phase::confirming && phase_ != Phase::resolving) return;
  deny(CardDenial::terminal_unavailable, "no outcome within auth_timeout");
}

void CardEntryRunner::tell(CardDecision decision) {
  timers_.post([this, alive = std::weak_ptr<bool>(alive_), decision = std::move(decision)] {
    if (!alive.expired() && decide_) decide_(decision);
  });
}

}  // namespace passgate::controller
