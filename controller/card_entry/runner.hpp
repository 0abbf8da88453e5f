// CardEntryRunner: one entry lane's card-tap attempts (docs/card-entry.md), driven through the
// PaymentTerminal port (ports/payment_terminal.hpp) and recorded in the CardAttemptStore
// (db/card_attempt_store.hpp) before each step they enable, so that money moves exactly once:
//   - start(): every attempt of the lane a restart left unfinished is resolved first (abandoned,
//     the reader's action cancelled, its PaymentIntent voided, recorded voided); then the lane
//     arms: a new session id with every key stored, customer, hold, collect on the reader, each
//     answer stored before the next request. Every POST is resent with its same key
//     (retry_later after its Retry-After; an unknown answer again, or resolved by reading).
//   - while armed the reader is polled: poll_fast while set_presence(true), else poll_slow; an
//     attempt idle for rearm_interval is abandoned and the lane re-armed (not while someone
//     stands in the lane).
//   - a tap: the fingerprint's hash is recorded, anti-passback ([entry] anti_passback, shared
//     with app entry) and the blocklist are checked, the hold is confirmed (or processed), and
//     only a PaymentIntent read as requires_capture with amount_capturable = the hold is
//     admitted: CardAttemptStore::admit commits the session, then `decide` says admit. Any
//     other end says deny(reason); the attempt is then abandoned and its hold voided.
//   - card entry turns off (status()) while the reader is offline or the API does not answer,
//     and on again with its next answer. Nothing here touches QR entry.
//   - pause(reason) (the gate's fire alarm) turns card entry off with `reason` and takes no tap:
//     an armed attempt is abandoned (the reader's collect cancelled, its PaymentIntent voided),
//     a tap being confirmed is denied lane_unavailable and its hold voided, never admitted; no
//     new attempt arms until resume().
// An attempt not recorded as admitted is never admitted afterwards. Single-threaded, on the
// event loop; the port's callbacks may outlive the runner (they are then ignored). Destroying
// the runner stops it; what it left unfinished the next start() resolves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "controller/card_entry/decision.hpp"
#include "controller/card_entry/settings.hpp"
#include "controller/settlement/retry_backoff.hpp"
#include "crypto/card_fingerprint.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "ports/payment_terminal.hpp"

namespace passgate::controller {

class CardEntryRunner {
 public:
  using Decide = std::function<void(CardDecision)>;
  using StatusChanged = std::function<void(const CardEntryStatus&)>;

  // `decide` is called (on the loop, never inside a call of the lane's) once per tap that ends:
  // admitted, or denied; and deny(tap_failed) for a tap to repeat. Everything given must
  // outlive the runner.
  CardEntryRunner(CardEntrySettings settings, PaymentTerminal& terminal, db::CardAttemptStore& attempts,
                  db::CardBlocklist& blocklist, const crypto::PaymentSealer& sealer,
                  const crypto::CardFingerprintHasher& hasher, Clock& clock, TimerService& timers, Decide decide);
  ~CardEntryRunner();
  CardEntryRunner(const CardEntryRunner&) = delete;
  CardEntryRunner& operator=(const CardEntryRunner&) = delete;

  // Resolves the lane's unfinished attempts, then arms. Call once.
  void start();
  // The lane's outer beam: someone stands in the lane (fast polls, no re-arming).
  void set_presence(bool present);
  // Card entry off with `reason` ("fire_alarm") until resume(): what is under way ends (armed:
  // abandoned; a tap being confirmed: denied lane_unavailable) and voided; nothing arms. Call
  // on the loop, never from inside a safety reaction: it may write to the database.
  void pause(const std::string& reason);
  // Card entry back: the lane arms again (or goes on ending what it was ending, then arms);
  // before start(), only the pause ends.
  void resume();
  // On, or off and why (a pause first), and the phase.
  [[nodiscard]] CardEntryStatus status() const;
  // Called whenever status() changes.
  void on_status_changed(StatusChanged changed) { status_changed_ = std::move(changed); }
  // The attempt under way ("" between attempts): its session id, for logs and tests.
  [[nodiscard]] const std::string& session_id() const { return attempt_.session_id; }

 private:
  enum class Phase { idle, recovering, arming, collecting, armed, reader_off, tapped, confirming, resolving, abandoning };
  using Handler = void (CardEntryRunner::*)(TerminalOutcome);

  // --- runner.cpp: course, timers, status, arming
  // A callback for the port that reaches `handler` only if the runner still exists and has
  // not changed course since (a new attempt, an abandon, an auth timeout).
  [[nodiscard]] PaymentTerminal::Callback bind(Handler handler);
  void change_course();
  void after(Millis delay, void (CardEntryRunner::*next)());
  [[nodiscard]] Millis retry_delay(const TerminalOutcome& o);
  [[nodiscard]] Millis poll_interval() const;
  [[nodiscard]] std::int64_t now_ms() const;
  void set_phase(Phase phase);
  void turn_on();
  void turn_off(const std::string& reason);
  void tell_status();
  // What an answer says about the reader and the API (status).
  void note_answer(const TerminalOutcome& o, bool reader_step);
  // A database write failed: deny a waiting shopper, then resolve everything from disk again.
  void database_failed(const std::string& what, const Error& error);
  void arm();
  void send_customer();
  void on_customer(TerminalOutcome o);
  void send_hold();
  void on_hold(TerminalOutcome o);
  void send_collect();
  void on_collect(TerminalOutcome o);
  void next_try();
  void rearm_due();

  // --- runner_tap.cpp: polling, the tap, confirming, step 6, the admission
  void poll();
  void on_poll(TerminalOutcome o);
  void on_idle_intent(TerminalOutcome o);
  void cancel_other_action();
  void on_other_cancelled(TerminalOutcome o);
  void on_tap(const std::string& fingerprint);
  [[nodiscard]] bool card_may_enter(const std::vector<std::string>& hashes);
  void send_confirm();
  void on_confirm(TerminalOutcome o);
  void poll_confirm();
  void on_confirm_poll(TerminalOutcome o);
  void read_intent();
  void on_intent(TerminalOutcome o);
  void on_held(const TerminalOutcome& o);
  void auth_timed_out();
  void tell(CardDecision decision);

  // --- runner_abandon.cpp: giving up, voiding, start-up recovery
  // The shopper is turned away with `reason` (recorded, told), then the attempt abandoned.
  void deny(CardDenial reason, const std::string& why);
  // Nobody is told: `reason` (rearm, restart, terminal_refused, ...).
  void abandon(const std::string& reason);
  // The attempt is abandoning on disk: cancel the reader's action, void, mark voided.
  void wind_up();
  void on_wind_up_reader(TerminalOutcome o);
  // The hold's creation was sent but its answer not recorded: its key replays the PaymentIntent.
  void adopt_hold();
  void on_adopted_hold(TerminalOutcome o);
  void send_cancel_action();
  void on_cancel_action(TerminalOutcome o);
  void send_void();
  void on_void(TerminalOutcome o);
  void check_void();
  void on_void_check(TerminalOutcome o);
  void mark_voided();
  // The attempt is final: the next one arms (after `delay`).
  void finished(Millis delay);
  void recover();
  void recover_next();

  CardEntrySettings settings_;
  PaymentTerminal& terminal_;
  db::CardAttemptStore& attempts_;
  db::CardBlocklist& blocklist_;
  const crypto::PaymentSealer& sealer_;
  const crypto::CardFingerprintHasher& hasher_;
  Clock& clock_;
  TimerService& timers_;
  Decide decide_;
  StatusChanged status_changed_;
  RetryBackoff backoff_;

  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::uint64_t course_ = 0;  // bumped whenever an answer under way no longer matters
  Phase phase_ = Phase::idle;
  CardEntryStatus status_;              // the reader's and the API's view (a pause is on top)
  std::string paused_;                  // why card entry is paused ("" while not)
  bool started_ = false;
  bool presence_ = false;
  TerminalAttempt attempt_;             // the attempt under way (session_id "" if none)
  std::vector<std::string> hashes_;     // the tapped card's hashes, the current key's first
  bool tapped_ = false;                 // a shopper tapped and waits for a decision
  bool declined_ = false;               // the card declined (the denial when nothing is held)
  SteadyTime armed_at_{};
  int failures_ = 0;                    // answers in a row that asked to wait, for the backoff
  Millis next_arm_delay_{0};            // before the next attempt arms (after a refusal)
  std::vector<std::string> to_recover_;  // session ids left unfinished, oldest first
  std::unique_ptr<Timer> step_timer_;   // the next poll or resend
  void (CardEntryRunner::*waiting_for_)() = nullptr;  // what step_timer_ will call
  std::unique_ptr<Timer> auth_timer_;   // tap to a known outcome
  std::unique_ptr<Timer> rearm_timer_;  // the armed attempt goes stale
};

}  // namespace passgate::controller
