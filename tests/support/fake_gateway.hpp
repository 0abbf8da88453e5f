// FakeGateway: a PaymentGateway whose outcomes the test gives by hand (or automatically),
// delivered later on the virtual loop like the real client's. Records every request and the
// time-out it was given.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/virtual_time.hpp"
#include "ports/payment_gateway.hpp"

namespace passgate::test {

class FakeGateway final : public passgate::PaymentGateway {
 public:
  struct Call {
    passgate::PaymentRequest request;  // empty op for a search
    std::string searched_session;        // set for a search
    Callback done;
  };
  explicit FakeGateway(VirtualTime& vt) : vt_(vt) {}

  void execute(const passgate::PaymentRequest& request, std::chrono::milliseconds timeout, Callback done) override {
    sent.push_back(request);
    timeouts.push_back(timeout);
    calls.push_back(Call{request, {}, std::move(done)});
    if (auto_approve) approve_oldest();
  }
  void search_session(const std::string& session_id, std::chrono::milliseconds, Callback done) override {
    searches.push_back(session_id);
    calls.push_back(Call{{}, session_id, std::move(done)});
  }

  // The success a real gateway gives `request` (preauth, increment: requires_capture with
  // the amount capturable, charge and capture: succeeded, void: canceled).
  static passgate::PaymentOutcome approval(const passgate::PaymentRequest& request) {
    using passgate::PaymentOpKind;
    passgate::PaymentIntentView intent;
    intent.id = request.intent_id.empty() ? "pi_" + request.idempotency_key : request.intent_id;
    const bool held = request.op == PaymentOpKind::preauth || request.op == PaymentOpKind::increment;
    intent.status = held                                     ? "requires_capture"
                    : request.op == PaymentOpKind::void_hold ? "canceled"
                                                             : "succeeded";
    intent.amount = request.amount_minor;
    if (held) intent.amount_capturable = request.amount_minor;
    intent.session_id = request.session_id;
    intent.op = std::string(passgate::to_string(request.op));
    passgate::PaymentOutcome outcome;
    outcome.kind = passgate::PaymentOutcomeKind::succeeded;
    outcome.http_status = 200;
    outcome.intent = intent;
    return outcome;
  }
  static passgate::PaymentOutcome outcome(passgate::PaymentOutcomeKind kind, int http_status, std::string error = {}) {
    passgate::PaymentOutcome o;
    o.kind = kind;
    o.http_status = http_status;
    o.error = std::move(error);
    if (kind == passgate::PaymentOutcomeKind::declined) o.decline_code = "card_declined";
    if (kind == passgate::PaymentOutcomeKind::rejected) o.error_code = o.error;  // a test's error is its code
    return o;
  }

  // An answer to execute() is to a request written once, unless the test says otherwise
  // (`sends`), as the real client's is.
  void approve_oldest() { answer_oldest(approval(calls.front().request)); }
  void answer_oldest(passgate::PaymentOutcome o) {
    Call c = pop_front();
    if (c.searched_session.empty() && o.sends == 0) o.sends = 1;
    answer(std::move(c.done), std::move(o));
  }

  std::deque<Call> calls;                           // not yet answered
  std::vector<passgate::PaymentRequest> sent;     // every execute(), in order
  std::vector<std::chrono::milliseconds> timeouts;  // the time-out of each of `sent`
  std::vector<std::string> searches;                // every search_session(), in order
  bool auto_approve = false;

 private:
  Call pop_front() {
    Call c = std::move(calls.front());
    calls.pop_front();
    return c;
  }
  void answer(Callback done, passgate::PaymentOutcome o) {
    vt_.post([done = std::move(done), o = std::move(o)] { done(o); });
  }
  VirtualTime& vt_;
};

}  // namespace passgate::test
