// What a search before a late resend decides, over the table of operations and PaymentIntent
// states: only the state that means the operation happened is adopted; processing is looked
// up again; a created operation is found by its kind and amount, so a remainder charge is
// never taken for the session's first charge.
#include <catch2/catch.hpp>

#include "controller/settlement/search_verdict.hpp"
#include "tests/settlement/gateway_outcomes.hpp"

using namespace passgate;
using namespace passgate::controller;
using passgate::test::found_intent;
using Kind = SearchVerdict::Kind;

namespace {

PaymentRequest request(PaymentOpKind op, std::int64_t amount = 1234) {
  PaymentRequest r;
  r.op = op;
  r.session_id = "s1";
  r.amount_minor = amount;
  r.currency = "USD";
  if (op == PaymentOpKind::capture || op == PaymentOpKind::void_hold) r.intent_id = "pi_hold";
  return r;
}

}  // namespace

TEST_CASE("a created operation is adopted only in the state that means it happened") {
  struct Row {
    PaymentOpKind op;
    const char* status;
    Kind expected;
  };
  const Row row = GENERATE(Row{PaymentOpKind::preauth, "requires_capture", Kind::adopt},
                           Row{PaymentOpKind::preauth, "processing", Kind::poll},
                           Row{PaymentOpKind::preauth, "requires_payment_method", Kind::declined},
                           Row{PaymentOpKind::preauth, "succeeded", Kind::unverified},
                           Row{PaymentOpKind::preauth, "canceled", Kind::unverified},
                           Row{PaymentOpKind::charge, "succeeded", Kind::adopt},
                           Row{PaymentOpKind::charge, "processing", Kind::poll},
                           Row{PaymentOpKind::charge, "requires_payment_method", Kind::declined},
                           Row{PaymentOpKind::charge, "canceled", Kind::unverified},
                           Row{PaymentOpKind::charge, "requires_action", Kind::unverified});
  const std::string op(to_string(row.op));
  const SearchVerdict v = search_verdict(request(row.op), {found_intent("pi_1", "s1", op, row.status)});
  INFO(op << " found " << row.status);
  CHECK(v.kind == row.expected);
  if (row.expected != Kind::adopt) CHECK(v.intent.has_value());
}

TEST_CASE("a capture or a void acts on the hold: adopted when done, sent while the hold stands, else unverified") {
  struct Row {
    PaymentOpKind op;
    const char* status;
    Kind expected;
  };
  const Row row = GENERATE(Row{PaymentOpKind::capture, "succeeded", Kind::adopt},
                           Row{PaymentOpKind::capture, "requires_capture", Kind::send},
                           Row{PaymentOpKind::capture, "processing", Kind::poll},
                           Row{PaymentOpKind::capture, "canceled", Kind::unverified},
                           Row{PaymentOpKind::void_hold, "canceled", Kind::adopt},
                           Row{PaymentOpKind::void_hold, "requires_capture", Kind::send},
                           Row{PaymentOpKind::void_hold, "succeeded", Kind::unverified});
  const SearchVerdict v = search_verdict(request(row.op), {found_intent("pi_hold", "s1", "preauth", row.status)});
  INFO(to_string(row.op) << " found " << row.status);
  CHECK(v.kind == row.expected);
}

TEST_CASE("nothing found means not done yet, another operation of the session is not this one") {
  CHECK(search_verdict(request(PaymentOpKind::charge), {}).kind == Kind::send);
  CHECK(search_verdict(request(PaymentOpKind::capture), {}).kind == Kind::send);
  // The session's first charge (30.00, declined) is not its remainder charge (5.00).
  PaymentRequest remainder = request(PaymentOpKind::charge, 500);
  remainder.idempotency_key = "s1:charge:remainder";
  const auto first = found_intent("pi_first", "s1", "charge", "requires_payment_method", 3000);
  CHECK(search_verdict(remainder, {first}).kind == Kind::send);
  const auto rest = found_intent("pi_rest", "s1", "charge", "succeeded", 500);
  const SearchVerdict v = search_verdict(remainder, {first, rest});
  CHECK(v.kind == Kind::adopt);
  REQUIRE(v.intent.has_value());
  CHECK(v.intent->id == "pi_rest");
  // A preauth is not taken for a charge, nor a hold of another session's id for a capture.
  CHECK(search_verdict(request(PaymentOpKind::charge), {found_intent("pi_h", "s1", "preauth", "requires_capture")})
            .kind == Kind::send);
  CHECK(search_verdict(request(PaymentOpKind::capture), {found_intent("pi_other", "s1", "preauth", "succeeded")})
            .kind == Kind::send);
}

TEST_CASE("of several PaymentIntents of the operation, the one that shows it happened decides") {
  const auto declined = found_intent("pi_a", "s1", "charge", "requires_payment_method");
  const auto paid = found_intent("pi_b", "s1", "charge", "succeeded");
  const SearchVerdict v = search_verdict(request(PaymentOpKind::charge), {declined, paid});
  CHECK(v.kind == Kind::adopt);
  CHECK(v.intent->id == "pi_b");
}
