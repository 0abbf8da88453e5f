// The gate's increment against the simulator: the request built as the gate's gateway client
// builds it (drivers/gateway_request.hpp) and the simulator's answer read as that client reads
// it (drivers/gateway_response.hpp), so the simulator answers what the gate's contract says:
// a raised hold that passes the client's checks, replayed for its key; 402 declined; 400
// refused (not supported, a hold no longer requires_capture); and the hold read after a lost
// answer showing whether it was applied (ports/payment_intent_match.hpp, increment_on_hold).
#include <catch2/catch.hpp>

#include "drivers/gateway_request.hpp"
#include "drivers/gateway_response.hpp"
#include "ports/payment_intent_match.hpp"
#include "tests/gateway_sim/terminal_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

// The gate's increment of session `sid`'s hold `intent_id` to `amount` (USD).
PaymentRequest gate_increment(const std::string& sid, const std::string& intent_id, std::int64_t amount) {
  PaymentRequest request;
  request.op = PaymentOpKind::increment;
  request.idempotency_key = sid + ":increment";
  request.session_id = sid;
  request.gate_id = "gate-a";
  request.amount_minor = amount;
  request.currency = "USD";
  request.intent_id = intent_id;
  return request;
}

// The simulator's answer as the client receives it (written once).
HttpReply received(const sim::GatewayReply& answered) {
  HttpReply reply;
  reply.status = answered.status;
  reply.body = answered.body;
  reply.sends = 1;
  if (answered.replayed) reply.headers.emplace_back("Idempotent-Replayed", "true");
  return reply;
}

// Sends `request` to the simulator's ledger as the client would, and reads the answer so.
PaymentOutcome sent_as_gate(TerminalFixture& f, const PaymentRequest& request) {
  auto spec = drivers::payment_http_request(request);
  REQUIRE(spec);
  std::optional<std::string> key;
  for (const auto& [name, value] : spec->headers)
    if (name == "Idempotency-Key") key = value;
  const sim::GatewayReply answered =
      f.ledger.handle(sim::GatewayRequest{"POST", spec->target, bearer(), key, spec->body});
  return drivers::classify_payment_reply(received(answered), request,
                                         {kApiKey, request.intent_id, request.idempotency_key},
                                         std::chrono::system_clock::now());
}

// Reads the hold as the client's read_intent does.
PaymentOutcome hold_read_as_gate(TerminalFixture& f, const PaymentRequest& request) {
  auto spec = drivers::intent_read_http_request(request.intent_id);
  REQUIRE(spec);
  return drivers::classify_read_reply(received(f.get(spec->target)), request.session_id, request.intent_id,
                                      {kApiKey, request.intent_id}, std::chrono::system_clock::now());
}

}  // namespace

TEST_CASE("simulator: the gate's increment raises the hold, passes the client's checks and is replayed for its key") {
  TerminalFixture f;
  const std::string id = f.attempt("s1")["id"];
  const PaymentRequest request = gate_increment("s1", id, 4500);
  const PaymentOutcome raised = sent_as_gate(f, request);
  CHECK(raised.kind == PaymentOutcomeKind::succeeded);
  REQUIRE(raised.intent);
  CHECK(raised.intent->amount_capturable == 4500);
  CHECK(raised.intent->status == "requires_capture");
  const PaymentOutcome again = sent_as_gate(f, request);
  CHECK(again.kind == PaymentOutcomeKind::succeeded);
  CHECK(again.replayed);
  CHECK(f.intent(id)["amount_capturable"] == 4500);
}

TEST_CASE("simulator: the gate's increment declined is 402 declined, not supported or on a hold gone is rejected") {
  TerminalFixture f;
  SECTION("the issuer declines the higher amount (one ending in .05)") {
    const std::string id = f.attempt("s1")["id"];
    const PaymentOutcome declined = sent_as_gate(f, gate_increment("s1", id, 4505));
    CHECK(declined.kind == PaymentOutcomeKind::declined);
    CHECK(declined.decline_code == "generic_decline");
    CHECK(f.intent(id)["amount_capturable"] == 3000);
  }
  SECTION("a hold placed on a reader with no_increment") {
    REQUIRE(f.ledger.terminal().set_fault(kReader, sim::TerminalFault::no_increment));
    const std::string id = f.attempt("s1")["id"];
    const PaymentOutcome refused = sent_as_gate(f, gate_increment("s1", id, 4500));
    CHECK(refused.kind == PaymentOutcomeKind::rejected);
    CHECK_THAT(refused.error, Catch::Contains("incremental_authorization_not_supported"));
  }
  SECTION("a hold cancelled before the increment") {
    const std::string id = f.attempt("s1")["id"];
    REQUIRE(f.post(cancel_target(id), {{"cancellation_reason", "abandoned"}}, "s1:void").status == 200);
    const PaymentOutcome refused = sent_as_gate(f, gate_increment("s1", id, 4500));
    CHECK(refused.kind == PaymentOutcomeKind::rejected);
    CHECK_THAT(refused.error, Catch::Contains("payment_intent_unexpected_state"));
  }
}

TEST_CASE("simulator: after an increment's lost answer, the hold read tells applied, not applied or gone") {
  TerminalFixture f;
  const std::string id = f.attempt("s1")["id"];
  const PaymentRequest request = gate_increment("s1", id, 4500);
  const auto reading = [&] {
    const PaymentOutcome read = hold_read_as_gate(f, request);
    REQUIRE(read.kind == PaymentOutcomeKind::succeeded);
    return increment_on_hold(request, *read.intent);
  };
  CHECK(reading() == IncrementOnHold::not_applied);  // not sent yet (a send lost before it arrived)
  (void)sent_as_gate(f, request);                             // executed, its answer lost
  CHECK(reading() == IncrementOnHold::applied);
  REQUIRE(f.post(cancel_target(id), {{"cancellation_reason", "abandoned"}}, "s1:void").status == 200);
  CHECK(reading() == IncrementOnHold::hold_gone);
}
