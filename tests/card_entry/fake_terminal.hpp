// FakeTerminal: the terminal API and one reader as a small in-memory model behind the
// PaymentTerminal port, for the card-entry tests: customers, PaymentIntents with the contract's
// statuses, the reader's action, idempotent replay of every POST answer by its key, the
// contract's test cards (tap()) and faults (offline, busy, api_down, drop_response, delay,
// 409/429, confirm left processing). Answers arrive later on the virtual loop, never inside a
// call. Every POST is logged with its key; `before_post` lets a test check the database then.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "ports/payment_terminal.hpp"

namespace passgate::test {

struct FakeCard {
  std::string fingerprint = "fp_visa_4242";
  std::string decline_code;  // "": approves
  bool wallet = false;       // no saved card
};
inline FakeCard card(std::string fingerprint, std::string decline_code = {}, bool wallet = false) {
  return FakeCard{std::move(fingerprint), std::move(decline_code), wallet};
}

class FakeTerminal final : public PaymentTerminal {
 public:
  struct Intent {
    std::string id, session_id, status = "requires_payment_method";
    std::int64_t amount = 0, capturable = 0;
    std::optional<FakeCard> card;
  };
  struct Action {
    std::string type, intent_id, status;  // status: in_progress, succeeded, failed
    bool declined = false;
    std::string fingerprint;
  };
  struct Post {
    TerminalStep step;
    std::string key, session_id;
  };

  explicit FakeTerminal(VirtualTime& vt) : vt_(vt) {}

  // Faults (the contract's simulator faults, switchable at any time).
  bool offline = false;          // the reader
  bool busy_other = false;       // another PaymentIntent's action occupies the reader
  bool api_down = false;         // every request 503, nothing done
  bool drop_next_post = false;   // the next POST is done, its answer lost
  int retry_later_next = 0;      // the next POSTs answer 429 (Retry-After 1 s), nothing done
  bool confirm_stays_processing = false;  // a confirm leaves the PaymentIntent processing
  Millis delay{0};               // every answer this late
  std::function<void(const Post&)> before_post;

  std::vector<Post> posts;
  std::map<std::string, Intent> intents;         // by id
  std::map<std::string, int> holds_of_session;   // PaymentIntents created per session id
  std::optional<Action> action;
  int reads_of_reader = 0;

  // A card presented to the reader: only a collect (or process) in progress takes it.
  bool tap(const FakeCard& card) {
    if (offline || !action || action->status != "in_progress" || action->type == "confirm_payment_intent") return false;
    Intent& pi = intents.at(action->intent_id);
    if (action->type == "collect_payment_method") {
      action->status = "succeeded";
      action->fingerprint = card.fingerprint;
      pi.status = "requires_confirmation";
      pi.card = card;
    } else {
      pi.card = card;
      authorize(pi, card);
    }
    return true;
  }
  // The shopper cancels or removes the card: the collect fails without a card error.
  bool cancel_tap() {
    if (!action || action->status != "in_progress" || action->type == "confirm_payment_intent") return false;
    action->status = "failed";
    return true;
  }
  // A confirm left processing finishes: held (or declined).
  void finish_processing() {
    for (auto& [id, pi] : intents) {
      if (pi.status == "processing" && pi.card) authorize(pi, *pi.card);
    }
  }
  [[nodiscard]] int posts_of(TerminalStep step) const {
    int n = 0;
    for (const Post& p : posts) n += p.step == step ? 1 : 0;
    return n;
  }
  [[nodiscard]] int posts_of(TerminalStep step, const std::string& session_id) const {
    int n = 0;
    for (const Post& p : posts) n += p.step == step && p.session_id == session_id ? 1 : 0;
    return n;
  }
  [[nodiscard]] const Intent* intent_of(const std::string& session_id) const {
    for (const auto& [id, pi] : intents) {
      if (pi.session_id == session_id) return &pi;
    }
    return nullptr;
  }

  void create_customer(const TerminalAttempt& a, Callback done) override {
    post(TerminalStep::create_customer, a, std::move(done), [&a] {
      TerminalOutcome o = ok();
      o.customer = "cus_" + a.session_id;
      return o;
    });
  }
  void create_hold(const TerminalAttempt& a, Callback done) override {
    post(TerminalStep::create_hold, a, std::move(done), [this, &a] {
      if (a.customer.empty()) return fail(TerminalOutcomeKind::rejected, 400);
      Intent pi;
      pi.id = "pi_" + std::to_string(intents.size() + 1);
      pi.session_id = a.session_id;
      pi.amount = a.hold_minor;
      intents[pi.id] = pi;
      ++holds_of_session[a.session_id];
      return intent_view(pi);
    });
  }
  void collect(const TerminalAttempt& a, Callback done) override { start_action(TerminalStep::collect, a, std::move(done)); }
  void process(const TerminalAttempt& a, Callback done) override { start_action(TerminalStep::process, a, std::move(done)); }
  void confirm(const TerminalAttempt& a, Callback done) override {
    post(TerminalStep::confirm, a, std::move(done), [this, &a] {
      if (offline) return fail(TerminalOutcomeKind::offline, 400);
      auto it = intents.find(a.intent_id);
      if (it == intents.end() || it->second.status != "requires_confirmation" || !action ||
          action->intent_id != a.intent_id) {
        return fail(TerminalOutcomeKind::rejected, 400);
      }
      action = started("confirm_payment_intent", a.intent_id);
      if (confirm_stays_processing) {
        it->second.status = "processing";
      } else {
        authorize(it->second, *it->second.card);
      }
      return reader_view(a);
    });
  }
  void cancel_action(const TerminalAttempt& a, Callback done) override {
    post(TerminalStep::cancel_action, a, std::move(done), [this, &a] {
      if (offline) return fail(TerminalOutcomeKind::offline, 400);
      busy_other = false;
      if (action && action->status == "in_progress") action->status = "failed";
      return reader_view(a);
    });
  }
  void read_reader(const TerminalAttempt& a, Callback done) override {
    ++reads_of_reader;
    answer(std::move(done), down() ? *down() : reader_view(a));
  }
  void read_intent(const TerminalAttempt& a, Callback done) override {
    if (auto d = down()) return answer(std::move(done), *d);
    auto it = intents.find(a.intent_id);
    answer(std::move(done), it == intents.end() ? fail(TerminalOutcomeKind::rejected, 404) : intent_view(it->second));
  }
  void void_intent(const TerminalAttempt& a, Callback done) override {
    post(TerminalStep::void_intent, a, std::move(done), [this, &a] {
      auto it = intents.find(a.intent_id);
      if (it == intents.end() || it->second.status == "canceled" || it->second.status == "succeeded" ||
          it->second.status == "processing") {
        return fail(TerminalOutcomeKind::rejected, 400);
      }
      it->second.status = "canceled";
      it->second.capturable = 0;
      if (action && action->intent_id == a.intent_id && action->status == "in_progress") action->status = "failed";
      return intent_view(it->second);
    });
  }
  void increment(const TerminalAttempt& a, std::int64_t, Callback done) override {
    post(TerminalStep::increment, a, std::move(done), [] { return fail(TerminalOutcomeKind::rejected, 400); });
  }

 private:
  static Action started(std::string type, std::string intent_id) {
    Action a;
    a.type = std::move(type);
    a.intent_id = std::move(intent_id);
    a.status = "in_progress";
    return a;
  }
  static TerminalOutcome ok() {
    TerminalOutcome o;
    o.kind = TerminalOutcomeKind::succeeded;
    o.http_status = 200;
    o.sends = 1;
    return o;
  }
  static TerminalOutcome fail(TerminalOutcomeKind kind, int status) {
    TerminalOutcome o;
    o.kind = kind;
    o.http_status = status;
    o.error = "fake " + std::to_string(status);
    return o;
  }
  [[nodiscard]] std::optional<TerminalOutcome> down() const {
    if (api_down) return fail(TerminalOutcomeKind::unknown, 503);
    return std::nullopt;
  }
  static TerminalCard card_of(const FakeCard& c) {
    return TerminalCard{.fingerprint = c.fingerprint,
                        .generated_card = c.wallet ? "" : "pm_" + c.fingerprint,
                        .brand = "visa",
                        .last4 = "4242",
                        .incremental_authorization_supported = true,
                        .capture_before = 1'795'600'000};
  }
  void authorize(Intent& pi, const FakeCard& card) {
    const bool declined = !card.decline_code.empty();
    pi.status = declined ? "requires_payment_method" : "requires_capture";
    pi.capturable = declined ? 0 : pi.amount;
    if (action && action->intent_id == pi.id) {
      action->status = declined ? "failed" : "succeeded";
      action->declined = declined;
    }
  }
  TerminalOutcome intent_view(const Intent& pi) const {
    TerminalOutcome o = ok();
    o.kind = pi.status == "processing" ? TerminalOutcomeKind::in_progress : TerminalOutcomeKind::succeeded;
    o.intent_id = pi.id;
    o.intent_status = pi.status;
    o.amount = pi.amount;
    o.amount_capturable = pi.capturable;
    if (pi.card && pi.status != "requires_payment_method") o.card = card_of(*pi.card);
    return o;
  }
  TerminalOutcome reader_view(const TerminalAttempt& a) const {
    TerminalOutcome o = ok();
    o.reader_status = offline ? "offline" : "online";
    if (offline) {
      o.kind = TerminalOutcomeKind::offline;
      o.reader_status = "offline";
      return o;
    }
    if (busy_other) return fail(TerminalOutcomeKind::busy, 200);
    if (!action || a.intent_id.empty() || action->intent_id != a.intent_id) {
      if (a.intent_id.empty()) return o;
      o.kind = TerminalOutcomeKind::unknown;  // no action of ours
      return o;
    }
    o.action = ReaderActionView{action->type, action->status, true};
    if (action->status == "in_progress") o.kind = TerminalOutcomeKind::in_progress;
    if (action->status == "failed") {
      o.kind = action->declined ? TerminalOutcomeKind::declined
               : action->type == "collect_payment_method" ? TerminalOutcomeKind::reader_failed
                                                          : TerminalOutcomeKind::unknown;
      if (action->declined) o.decline_code = "card_declined";
    }
    if (action->status == "succeeded" && action->type == "collect_payment_method") {
      o.card = TerminalCard{};
      o.card->fingerprint = action->fingerprint;
    }
    return o;
  }
  void start_action(TerminalStep step, const TerminalAttempt& a, Callback done) {
    post(step, a, std::move(done), [this, step, &a] {
      if (offline) return fail(TerminalOutcomeKind::offline, 400);
      if (busy_other || (action && action->status == "in_progress" && action->intent_id != a.intent_id)) {
        return fail(TerminalOutcomeKind::busy, 400);
      }
      auto it = intents.find(a.intent_id);
      if (it == intents.end() || it->second.status != "requires_payment_method") {
        return fail(TerminalOutcomeKind::rejected, 400);
      }
      action = started(step == TerminalStep::collect ? "collect_payment_method" : "process_payment_intent", a.intent_id);
      TerminalOutcome o = reader_view(a);
      o.kind = TerminalOutcomeKind::succeeded;
      return o;
    });
  }
  template <class Run>
  void post(TerminalStep step, const TerminalAttempt& a, Callback done, Run run) {
    Post p{step, terminal_idempotency_key(step, a), a.session_id};
    if (before_post) before_post(p);
    posts.push_back(p);
    if (auto d = down()) return answer(std::move(done), *d);
    if (retry_later_next > 0) {
      --retry_later_next;
      TerminalOutcome o = fail(TerminalOutcomeKind::retry_later, 429);
      o.retry_after = Millis{1000};
      return answer(std::move(done), o);
    }
    TerminalOutcome o;
    if (auto it = replays_.find(p.key); it != replays_.end()) {
      o = it->second;
      o.replayed = true;
    } else {
      o = run();
      replays_[p.key] = o;
    }
    if (drop_next_post) {
      drop_next_post = false;
      o = fail(TerminalOutcomeKind::unknown, 0);
    }
    answer(std::move(done), o);
  }
  void answer(Callback done, TerminalOutcome o) {
    if (delay > Millis{0}) {
      delayed_.push_back(vt_.start(delay, [done = std::move(done), o = std::move(o)] { done(o); }));
    } else {
      vt_.post([done = std::move(done), o = std::move(o)] { done(o); });
    }
  }

  VirtualTime& vt_;
  std::map<std::string, TerminalOutcome> replays_;  // by Idempotency-Key
  std::vector<std::unique_ptr<Timer>> delayed_;
};

}  // namespace passgate::test
