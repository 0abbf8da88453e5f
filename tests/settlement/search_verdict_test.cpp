// What a search before a late resend decides, over the table of operations and PaymentIntent
// states: only the state that means the operation happened is adopted; processing is looked
// up again; a created operation is found by its kind and metadata[op_key], so none of a
// session's charges (the rest, the one replacing a capture, a remainder) is taken for another,
// whatever their amounts; a charge sent by an older version, without op_key, is never adopted.
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
  if (acts_on_hold(op)) r.intent_id = "pi_hold";
  r.idempotency_key = "s1:" + std::string(to_string(op));
  if (op == PaymentOpKind::preauth || op == PaymentOpKind::charge) r.op_key = to_string(op);
  return r;
}

// Charge `suffix` of session s1 ("capture": "s1:charge:capture"), as the drainer sends it.
PaymentRequest charge(const std::string& suffix, std::int64_t amount) {
  PaymentRequest r = request(PaymentOpKind::charge, amount);
  r.idempotency_key = "s1:charge:" + suffix;
  r.op_key = "charge:" + suffix;
  return r;
}

PaymentIntentView with_op_key(PaymentIntentView intent, const std::string& op_key) {
  intent.op_key = op_key;
  return intent;
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

TEST_CASE("an increment found raised to its amount is adopted, one not raised is sent, a hold gone is unverified") {
  struct Row {
    const char* status;
    std::int64_t amount;  // the hold's, capturable when it requires_capture
    Kind expected;
  };
  const Row row = GENERATE(Row{"requires_capture", 2000, Kind::adopt}, Row{"requires_capture", 1500, Kind::send},
                           Row{"processing", 1500, Kind::poll}, Row{"canceled", 1500, Kind::unverified},
                           Row{"succeeded", 1500, Kind::unverified});
  INFO("increment found " << row.status << " " << row.amount);
  const auto hold = found_intent("pi_hold", "s1", "tpreauth", row.status, row.amount);
  const SearchVerdict v = search_verdict(request(PaymentOpKind::increment, 2000), {hold});
  CHECK(v.kind == row.expected);
  // Another session's hold is not this one's, whatever it shows.
  const auto other = found_intent("pi_other", "s1", "tpreauth", row.status, row.amount);
  CHECK(search_verdict(request(PaymentOpKind::increment, 2000), {other}).kind == Kind::send);
}

TEST_CASE("nothing found means not done yet, another operation of the session is not this one") {
  CHECK(search_verdict(request(PaymentOpKind::charge), {}).kind == Kind::send);
  CHECK(search_verdict(request(PaymentOpKind::capture), {}).kind == Kind::send);
  // The session's first charge (30.00, declined) is not its remainder charge (5.00).
  const PaymentRequest remainder = charge("remainder", 500);
  const auto first = found_intent("pi_first", "s1", "charge", "requires_payment_method", 3000);
  CHECK(search_verdict(remainder, {first}).kind == Kind::send);
  const auto rest = with_op_key(found_intent("pi_rest", "s1", "charge", "succeeded", 500), "charge:remainder");
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

TEST_CASE("a session's charges of equal amounts are told apart by op_key: none adopts or declines another's") {
  // H = 30.00, T = 60.00: the rest (s1:charge) and the charge replacing the lapsed hold's
  // capture (s1:charge:capture) are both 30.00; so is a remainder of the rest.
  const auto rest_paid = found_intent("pi_rest", "s1", "charge", "succeeded", 3000);
  const auto rest_declined = found_intent("pi_rest", "s1", "charge", "requires_payment_method", 3000);
  const auto replacement_paid =
      with_op_key(found_intent("pi_repl", "s1", "charge", "succeeded", 3000), "charge:capture");
  const auto hold = found_intent("pi_hold", "s1", "tpreauth", "canceled", 3000);
  // The replacement's first send never ran: its lookup finds the rest paid, and sends it.
  CHECK(search_verdict(charge("capture", 3000), {hold, rest_paid}).kind == Kind::send);
  // The rest declined is not the replacement's decline (nor the remainder's).
  CHECK(search_verdict(charge("capture", 3000), {hold, rest_declined}).kind == Kind::send);
  CHECK(search_verdict(charge("remainder", 3000), {rest_declined}).kind == Kind::send);
  // The other way round: the rest's lookup does not adopt the replacement's success.
  CHECK(search_verdict(request(PaymentOpKind::charge, 3000), {replacement_paid}).kind == Kind::send);
  // Each finds its own among all of them.
  const SearchVerdict own = search_verdict(charge("capture", 3000), {hold, rest_declined, replacement_paid});
  CHECK(own.kind == Kind::adopt);
  REQUIRE(own.intent.has_value());
  CHECK(own.intent->id == "pi_repl");
  const SearchVerdict declined = search_verdict(request(PaymentOpKind::charge, 3000), {rest_declined, replacement_paid});
  CHECK(declined.kind == Kind::declined);
  CHECK(declined.intent->id == "pi_rest");
}

TEST_CASE("a found decline of another amount than the operation's is not taken as its decline") {
  const SearchVerdict v = search_verdict(request(PaymentOpKind::charge, 3000),
                                         {found_intent("pi_d", "s1", "charge", "requires_payment_method", 1500)});
  CHECK(v.kind == Kind::unverified);
  CHECK_THAT(v.reason, Catch::Contains("amount 1500"));
}

TEST_CASE("a charge sent without op_key by an older version is never adopted, declined or sent blindly") {
  PaymentRequest old = request(PaymentOpKind::charge, 3000);
  old.op_key.clear();  // (op_key_sent = 0: resent as it was first sent)
  const auto legacy_paid = with_op_key(found_intent("pi_old", "s1", "charge", "succeeded", 3000), "");
  const auto legacy_declined = with_op_key(found_intent("pi_old", "s1", "charge", "requires_payment_method", 3000), "");
  const SearchVerdict paid = search_verdict(old, {legacy_paid});
  CHECK(paid.kind == Kind::unverified);
  CHECK_THAT(paid.reason, Catch::Contains("cannot be told apart"));
  CHECK(search_verdict(old, {legacy_declined}).kind == Kind::unverified);
  // Charges sent with an op_key are not its own: nothing of its own was found.
  CHECK(search_verdict(old, {found_intent("pi_new", "s1", "charge", "succeeded", 3000)}).kind == Kind::send);
  // A new charge ignores the old ones (its own sends all carried its op_key).
  CHECK(search_verdict(charge("capture", 3000), {legacy_paid}).kind == Kind::send);
  // A preauth is the session's only one: an old one is still adopted.
  PaymentRequest preauth = request(PaymentOpKind::preauth, 1234);
  preauth.op_key.clear();
  CHECK(search_verdict(preauth, {with_op_key(found_intent("pi_h", "s1", "preauth", "requires_capture"), "")}).kind ==
        Kind::adopt);
  // Two charges of the session first sent so: none is told apart, even with one found.
  CHECK(search_verdict(old, {legacy_paid}, 2).kind == Kind::unverified);
}

TEST_CASE("the session's only charge sent without op_key is adopted or declined when the search finds only one such") {
  PaymentRequest old = request(PaymentOpKind::charge, 3000);
  old.op_key.clear();
  const auto legacy = [](const std::string& id, const std::string& status) {
    return with_op_key(found_intent(id, "s1", "charge", status, 3000), "");
  };
  const SearchVerdict paid = search_verdict(old, {legacy("pi_old", "succeeded")}, 1);
  CHECK(paid.kind == Kind::adopt);
  REQUIRE(paid.intent.has_value());
  CHECK(paid.intent->id == "pi_old");
  CHECK(search_verdict(old, {legacy("pi_old", "requires_payment_method")}, 1).kind == Kind::declined);
  CHECK(search_verdict(old, {legacy("pi_old", "processing")}, 1).kind == Kind::poll);
  // Beside charges sent with an op_key (not its own), it is still the only one.
  CHECK(search_verdict(old, {legacy("pi_old", "succeeded"), found_intent("pi_new", "s1", "charge", "succeeded", 500)},
                       1)
            .kind == Kind::adopt);
  // Two found without op_key: which is its own cannot be told.
  const SearchVerdict two = search_verdict(old, {legacy("pi_a", "succeeded"), legacy("pi_b", "succeeded")}, 1);
  CHECK(two.kind == Kind::unverified);
  CHECK_THAT(two.reason, Catch::Contains("cannot be told apart"));
  // None found: not done yet (as before).
  CHECK(search_verdict(old, {}, 1).kind == Kind::send);
}
