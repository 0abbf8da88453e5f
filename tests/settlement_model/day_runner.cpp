// run_day (day_runner.hpp): a StoreDay holds what outlives the gate's crashes (the database
// file, the gateway, the reference model) and plays each step on the gate running now.
#include "tests/settlement_model/day_runner.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <utility>

#include "common/time_format.hpp"
#include "controller/settlement/dead_letters.hpp"
#include "tests/settlement_model/card_holds.hpp"
#include "tests/settlement_model/fresh_database.hpp"
#include "tests/settlement_model/invariant_support.hpp"
#include "tests/settlement_model/store_invariants.hpp"
#include "tests/settlement_model/store_steps.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::model {

namespace {

constexpr const char* kSettledPreauthNotRetried = "a settled session's preauth is not retried";
constexpr const char* kNothingAfterUnverifiedCharge = "nothing sent while an unverified charge waits";
constexpr const char* kHarnessCallsWork = "the gate's own calls work";
constexpr const char* kRetryIsNewAttempt = "an operator's retry of a declined charge is a new attempt under a new key";
constexpr const char* kDeadlineBelievedIffPlausible = "a hold's read is believed iff its capture_before is plausible";

const WallTime kDayStart{std::chrono::seconds{1'795'000'000}};
constexpr Millis kKeyMemory{std::chrono::hours{24}};  // how long the gateway keeps idempotency keys
constexpr Millis kRecordingCrashWithin{20000};
constexpr Millis kWindDownRound{2000};
constexpr int kWindDownRounds = 300;  // ten minutes: the queue must drain within them
constexpr int kQuietRoundsAtEnd = 3;

crypto::PaymentSealer model_sealer(const std::vector<std::string>& keys) {
  auto sealer = crypto::PaymentSealer::from_keys(keys);
  if (!sealer.ok()) throw std::runtime_error("cannot make the sealer: " + sealer.error().message);
  return std::move(sealer).value();
}

std::vector<db::PaymentOpRecord> dead_letters(db::PaymentQueue& queue) {
  auto failed = queue.in_states({db::PaymentOpState::declined, db::PaymentOpState::dead});
  if (!failed.ok()) throw std::runtime_error("cannot read the dead letters: " + failed.error().message);
  std::vector<db::PaymentOpRecord> letters;
  std::copy_if(failed->begin(), failed->end(), std::back_inserter(letters),
               [](const db::PaymentOpRecord& op) { return db::is_dead_letter(op.state, op.alert); });
  return letters;
}

class StoreDay {
 public:
  explicit StoreDay(bool store) : sealer_(model_sealer(keys_)) {
    shop_.store = store;
    gateway_.before_send = [this](const passgate::PaymentRequest& request) { check_sent(request); };
    gateway_.network_now_ms = [this] { return gate_ ? unix_millis(gate_->vt.wall_now()) - wall_steps_ms_ : 0; };
    // The simulator dates intents and holds by the network's clock too (their created and
    // capture_before, which the gate's read of a hold checks against each other).
    gateway_.ledger.set_clock([this] { return gateway_.network_now_ms() / 1000; });
    copy_fresh_database(dir_ / "gate.db");
    restart(kDayStart);
    install_plan_log(*gate_->database);
  }

  void play(const Step& step) {
    switch (step.kind) {
      case Step::Kind::admit: admit(step); break;
      case Step::Kind::cart: publish_cart(step); break;
      case Step::Kind::cancel: cancel(step); break;
      case Step::Kind::fault: queue_fault(step); break;
      case Step::Kind::time: gate_->vt.advance(Millis{step.amount}); break;
      case Step::Kind::wall:
        gate_->vt.set_wall(gate_->vt.wall_now() + Millis{step.amount});
        wall_steps_ms_ += step.amount;
        break;
      case Step::Kind::crash: crash(Millis{step.amount}); break;
      case Step::Kind::crash_recording: crash_before_record(Millis{step.amount}); break;
      case Step::Kind::retry: operator_acts(step, true); break;
      case Step::Kind::write_off: operator_acts(step, false); break;
      case Step::Kind::tap: tap(step); break;
      case Step::Kind::reload: reload(step.pick); break;
      case Step::Kind::admit_unverified: admit(step); break;
      case Step::Kind::store: store_answers(step); break;
      case Step::Kind::hours: hours_pass(Millis{step.amount}); break;
      case Step::Kind::store_removed: remove_store(); break;
      case Step::Kind::charge_cart:
        if (auto v = operator_charges_cart(*gate_, shop_, step.pick)) notice(std::move(*v));
        break;
    }
    gate_->vt.run_ready();
    gate_->on_event();
    gate_->vt.run_ready();
    lapse_due_holds(gateway_);  // what the invariants look at is the ledger as of now
    note_wall();
  }

  // Faults stop; time runs on until the gate has been quiet a few rounds (or the limit).
  // Operations a backward clock step scheduled hours ahead are not waited for round by round:
  // the wall clock is moved on to when they are due, as those hours passing would.
  // With [store], etcd answers again first; a cart still waiting for a claim then is released
  // by the claim wait: the hours to it pass, and time runs on again until the gate is quiet.
  std::optional<Violation> wind_down() {
    gateway_.faults.clear();
    if (shop_.store) set_store_answering(*gate_, world_, true);
    if (auto v = run_until_quiet()) return v;
    if (const std::int64_t left_ms = claim_wait_left_ms(*gate_, shop_); left_ms > 0) {
      hours_pass(Millis{left_ms});
      if (auto v = run_until_quiet()) return v;
    }
    return check_day_end(evidence());
  }

  [[nodiscard]] DayEvidence evidence() { return DayEvidence{shop_, gateway_, *gate_}; }
  [[nodiscard]] const std::optional<Violation>& noticed() const { return noticed_; }

 private:
  std::optional<Violation> run_until_quiet() {
    int quiet_rounds = 0;
    for (int round = 0; round < kWindDownRounds && quiet_rounds < kQuietRoundsAtEnd; ++round) {
      gate_->vt.advance(kWindDownRound);
      gate_->on_event();
      gate_->vt.run_ready();
      lapse_due_holds(gateway_);
      note_wall();
      if (noticed_) return noticed_;
      if (auto v = check_every_step(evidence())) return v;
      quiet_rounds = quiet(evidence()) && store_quiet() ? quiet_rounds + 1 : 0;
      skip_to_far_due_operations();
    }
    return std::nullopt;
  }

  void note_wall() { shop_.latest_wall_s = std::max(shop_.latest_wall_s, gate_->now_ms() / 1000); }

  // With [store] answering: nothing owed to it any more.
  bool store_quiet() {
    if (!shop_.store || world_.down) return true;
    const auto owed = read(gate_->owed.summary(0), "what the gate owes its store");
    return owed.claims == 0 && owed.releases == 0;
  }

  void restart(WallTime wall) {
    gate_ = std::make_unique<GateProcess>(dir_ / "gate.db", wall, gateway_, shop_, sealer_,
                                          shop_.store ? &world_ : nullptr);
    gate_->start();
  }

  // Hours pass while the loop sleeps (the gateway forgets its keys after a day).
  void hours_pass(Millis hours) {
    gate_->vt.elapse(hours);
    if (hours >= kKeyMemory) gateway_.forget_keys();
  }

  // The gate's etcd answers from now on, or not; Resolution::double_use: the other array
  // admitted the session's token first.
  void store_answers(const Step& step) {
    ModelSession* session = shop_.find(step.session);
    if (step.resolution == Resolution::double_use && session) other_array_admits(*gate_, world_, *session);
    if (shop_.store) set_store_answering(*gate_, world_, step.resolution != Resolution::unreachable);
  }

  // A restart with [store] removed from the config.
  void remove_store() {
    if (!shop_.store) return;
    shop_.store = false;
    crash(Millis{0});
  }

  // Retries wait 1 ms and a 429 pauses for 1 s: a pending operation due more than a round
  // ahead by the wall clock is one a backward clock step put off.
  void skip_to_far_due_operations() {
    auto pending = gate_->queue.in_states({db::PaymentOpState::pending});
    if (!pending.ok()) return;
    const std::int64_t horizon_ms = gate_->now_ms() + kWindDownRound.count();
    std::optional<std::int64_t> far_due;
    for (const db::PaymentOpRecord& op : *pending) {
      if (op.next_attempt_at_ms > horizon_ms && (!far_due || op.next_attempt_at_ms < *far_due))
        far_due = op.next_attempt_at_ms;
    }
    if (far_due) gate_->vt.set_wall(gate_->vt.wall_now() + Millis{*far_due - gate_->now_ms()});
  }

  // kill -9, down for `down`, restart on the same file.
  void crash(Millis down) {
    const WallTime wall = gate_->vt.wall_now() + down;
    gate_->save_store(world_);  // etcd keeps what it has
    gate_.reset();
    if (down >= kKeyMemory) gateway_.forget_keys();
    shop_.cancel_admitting();
    restart(wall);
  }

  // The gate's loop runs one call at a time until a gateway answer has reached it (at most
  // kRecordingCrashWithin on), and is killed before it turns again.
  void crash_before_record(Millis down) {
    const std::uint64_t answered = gate_->gateway.answered();
    const SteadyTime until = gate_->vt.steady_now() + kRecordingCrashWithin;
    while (gate_->gateway.answered() == answered) {
      const auto left = std::chrono::duration_cast<Millis>(until - gate_->vt.steady_now());
      if (!gate_->vt.run_next(left)) break;
    }
    crash(down);
  }

  // An app shopper's entry; unverified (Step::Kind::admit_unverified, with [store]): etcd did not
  // answer, and stays silent until a store_answers step.
  void admit(const Step& step) {
    ModelSession* session = shop_.add_session(step.session, step.amount, step.card, step.engine);
    if (!session) return;
    if (step.kind == Step::Kind::admit_unverified && shop_.store) {
      session->unverified = true;
      session->token_end_s = gate_->now_ms() / 1000 + kTokenLifeS;
      set_store_answering(*gate_, world_, false);
    }
    gate_->admit(*session, [this, id = session->id](Fate fate) { shop_.find(id)->fate = fate; });
  }

  // A card shopper at the entry lane's terminal: the hold placed, the attempt admitted or
  // (a card with an open session, or blocklisted) denied and its hold voided at once.
  void tap(const Step& step) {
    ModelSession* session = shop_.add_card_session(step.session, step.amount, step.card_tap);
    if (!session) return;
    const PlacedHold hold = place_card_hold(gateway_, session->id, step.amount, step.card_tap);
    session->hold_intent = hold.intent_id;
    const Deadline said = step.card_tap.deadline;
    if ((said == Deadline::told || said == Deadline::untold) != hold.not_believed.empty()) {
      notice(Violation{kDeadlineBelievedIffPlausible,
                       "the read of the hold of " + session->id + " (" + to_code(step) + ") was " +
                           (hold.not_believed.empty() ? "believed" : "not believed: " + hold.not_believed)});
    }
    if (step.card_tap.rest == Card::declined) gateway_.declining_sessions.insert(session->id);
    session->fate = gate_->admit_card(*session, hold);
    if (session->fate != Fate::denied) return;
    void_card_hold(gateway_, session->id, hold);
    gate_->finish_abandon(session->id);
  }

  // SIGHUP. Which sealing keys the new config names (pick / 3): the same; a new current key,
  // the previous ones kept; or a new current key alone (refused while a payment reference in
  // use needs a previous one: then nothing of the reload applies).
  void reload(int pick) {
    std::vector<std::string> keys = keys_;
    const int rotation = (pick / 3) % 3;
    if (rotation > 0) {
      std::string key = std::to_string(++rotations_);
      keys.insert(keys.begin(), std::string(32 - key.size(), 'r') + key);
      if (rotation == 2) keys.resize(1);
    }
    crypto::PaymentSealer staged = model_sealer(keys);
    if (!gate_->reload(pick, staged)) return;
    sealer_ = std::move(staged);
    keys_ = std::move(keys);
  }

  void publish_cart(const Step& step) {
    ModelSession* session = shop_.find(step.session);
    if (session && session->fate != Fate::admitting) shop_.publish_cart(*session, step.amount);
  }

  void cancel(const Step& step) {
    ModelSession* session = shop_.find(step.session);
    if (!session || session->fate != Fate::open || session->first_cart) return;
    gate_->cancel(session->id);
    session->fate = Fate::cancelled;
  }

  void queue_fault(const Step& step) {
    if (step.session == 0) return gateway_.faults.push_back(QueuedFault{"", step.fault});
    if (const ModelSession* session = shop_.find(step.session))
      gateway_.faults.push_back(QueuedFault{session->id, step.fault});
  }

  // passgatectl queue retry | write-off of the dead letter `step.pick` names; the daemon then
  // runs the planner and wakes the drainer (play() does after every step).
  void operator_acts(const Step& step, bool retry) {
    const auto letters = dead_letters(gate_->queue);
    if (letters.empty()) return;
    const db::PaymentOpRecord op = step.pick == kNewestDeadLetter
                                       ? letters.back()  // (listed by id)
                                       : letters[static_cast<std::size_t>(step.pick) % letters.size()];
    const controller::DeadLetterAction action{op.id, db::AuditActor("model-operator"), gate_->now_ms()};
    if (!retry) {
      const bool written_off = controller::write_off_dead_letter(gate_->queue, action, "the model's operator").ok();
      if (written_off && (op.op == "charge" || op.op == "capture")) shop_.find(op.session_id)->cart_op_written_off = true;
      return;
    }
    if (step.funds == Funds::restored) gateway_.funds_restored.insert(op.session_id);
    auto settlement = gate_->store.settlement(op.session_id);
    const bool settled = settlement.ok() && settlement->has_value();
    const auto retried = controller::retry_dead_letter(gate_->queue, action);
    if (auto v = check_double_use_retry(*gate_, op, retried)) notice(std::move(*v));
    if (!retried.ok()) return;
    if (op.op == "preauth" && settled) {
      notice(Violation{kSettledPreauthNotRetried,
                       "the operator's retry of " + op.idempotency_key + " was accepted after the session was settled"});
    }
    check_retried(op, *retried);
  }

  // docs/operations.md, "passgatectl queue retry": a declined charge is replaced by a new
  // pending operation, a copy of it under "<its first key>:retry<n+1>"; any other dead letter
  // is pending again under its own key.
  void check_retried(const db::PaymentOpRecord& was, const controller::RetriedDeadLetter& retried) {
    const auto now = read(gate_->queue.find(was.id), "operation " + std::to_string(was.id));
    const auto retried_as = [&](const std::string& what) {
      notice(Violation{kRetryIsNewAttempt, "the operator's retry of " + text_of(was) + " " + what + "; it is now " +
                                               (now ? text_of(*now) : std::string("gone"))});
    };
    if (was.op != "charge" || was.state != db::PaymentOpState::declined) {
      if (retried.new_attempt_id || !now || now->state != db::PaymentOpState::pending ||
          now->idempotency_key != was.idempotency_key) {
        retried_as("did not make it pending again under its own key");
      }
      return;
    }
    const std::string key =
        first_key(was.idempotency_key) + ":retry" + std::to_string(retry_number(was.idempotency_key) + 1);
    const auto attempt = retried.new_attempt_id
                             ? read(gate_->queue.find(*retried.new_attempt_id), "the new attempt")
                             : std::optional<db::PaymentOpRecord>();
    const bool copied = attempt && attempt->state == db::PaymentOpState::pending && attempt->idempotency_key == key &&
                        attempt->session_id == was.session_id && attempt->op == was.op &&
                        attempt->amount_minor == was.amount_minor && attempt->currency == was.currency;
    if (!copied || !now || now->replaced_by != retried.new_attempt_id) {
      retried_as("did not make one new attempt under " + key + " replacing it" +
                 (attempt ? " (it made " + text_of(*attempt) + ")" : std::string()));
    }
  }

  // Before a request reaches the gateway: nothing is sent for a session whose charge got an
  // unverified answer until the operator has acted on it (but that charge itself, retried).
  void check_sent(const passgate::PaymentRequest& request) {
    auto ops = gate_->queue.for_session(request.session_id);
    if (!ops.ok()) throw std::runtime_error("cannot read the operations of " + request.session_id);
    for (const db::PaymentOpRecord& op : *ops) {
      const bool unverified = op.op == "charge" && op.state == db::PaymentOpState::dead &&
                              gateway_.lied_keys.count(op.idempotency_key) > 0;
      if (unverified && request.idempotency_key != op.idempotency_key) {
        notice(Violation{kNothingAfterUnverifiedCharge,
                         request.idempotency_key + " was sent while " + op.idempotency_key +
                             " (its answer misstated the amount: money may have moved) waits for the operator"});
      }
    }
  }

  void notice(Violation violation) {
    if (!noticed_) noticed_ = std::move(violation);
  }

  // The gate's wall clock steps so far: the network's clock is the gate's less them.
  std::int64_t wall_steps_ms_ = 0;
  test::TempDir dir_;
  std::vector<std::string> keys_{std::string(32, 'm')};  // the sealing keys, the current one first
  int rotations_ = 0;
  crypto::PaymentSealer sealer_;
  ShopModel shop_;
  GatewaySide gateway_;
  StoreWorld world_;  // the store's etcd, with [store]
  std::optional<Violation> noticed_;
  std::unique_ptr<GateProcess> gate_;  // last: dies first, while what it uses still lives
};

}  // namespace

DayResult run_day(const std::vector<Step>& steps) {
  std::size_t at = 0;
  try {
    StoreDay day(runs_store(steps));
    for (; at < steps.size(); ++at) {
      day.play(steps[at]);
      if (day.noticed()) return DayResult{day.noticed(), at};
      if (auto v = check_every_step(day.evidence())) return DayResult{v, at};
    }
    return DayResult{day.wind_down(), steps.size()};
  } catch (const std::exception& e) {
    return DayResult{Violation{kHarnessCallsWork, e.what()}, at};
  }
}

}  // namespace passgate::model
