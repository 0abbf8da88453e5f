// The Terminal readers driven directly: GET reader, collect (in_progress until a tap),
// confirm, process, cancel_action and re-collect, their refusals (unknown reader, busy,
// wrong intent state), and the simulated tap with the test cards and their fingerprints.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/terminal_fixture.hpp"
#include "tools/sim/gateway/test_cards.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("a configured reader is online with no action, unknown readers are 404") {
  TerminalFixture f;
  const json reader = f.reader();
  CHECK(reader["id"] == kReader);
  CHECK(reader["object"] == "terminal.reader");
  CHECK(reader["status"] == "online");
  CHECK(reader["action"].is_null());
  CHECK(f.get(reader_target("tmr_nope")).status == 404);
  CHECK(f.collect(f.arm("s1")["id"], "tmr_nope").status == 404);
  CHECK(f.tap(kVisa, "tmr_nope").status == 404);
  CHECK_FALSE(f.ledger.terminal().add_reader("lane1"));
  CHECK_FALSE(f.ledger.terminal().add_reader(kReader));  // twice
}

TEST_CASE("collect stays in_progress until a tap, which reads the card: requires_confirmation") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  const auto started = f.collect(id);
  REQUIRE(started.status == 200);
  const json action = json::parse(started.body)["action"];
  CHECK(action["type"] == "collect_payment_method");
  CHECK(action["status"] == "in_progress");
  CHECK(action["collect_payment_method"]["payment_intent"] == id);
  CHECK(f.reader()["action"]["status"] == "in_progress");
  CHECK(f.intent(id)["status"] == "requires_payment_method");

  const auto tapped = f.tap();
  REQUIRE(tapped.status == 200);
  const json read = f.reader()["action"];
  CHECK(read["status"] == "succeeded");
  const json& method = read["collect_payment_method"]["payment_method"];
  CHECK(method["id"].get<std::string>().starts_with("pm_"));
  CHECK(method["card_present"]["fingerprint"].get<std::string>().size() == 16);
  CHECK(f.intent(id)["status"] == "requires_confirmation");

  const auto confirmed = f.confirm(id);
  REQUIRE(confirmed.status == 200);
  CHECK(json::parse(confirmed.body)["action"]["type"] == "confirm_payment_intent");
  CHECK(json::parse(confirmed.body)["action"]["status"] == "succeeded");
  CHECK(f.intent(id)["status"] == "requires_capture");
}

TEST_CASE("a reader with an action in progress is busy, cancel_action frees it for a re-collect") {
  TerminalFixture f;
  const std::string mine = f.arm("s1")["id"];
  const std::string other = f.arm("s2")["id"];
  REQUIRE(f.collect(mine).status == 200);
  const auto busy = f.collect(other);
  CHECK(busy.status == 400);
  CHECK(error_of(busy)["code"] == "terminal_reader_busy");
  CHECK(f.reader_post("collect_payment_method", mine, "s1:collect:1").status == 400);  // ours again: busy too

  const auto canceled = f.post(reader_target(kReader, "cancel_action"), {}, "s1:cancel_action:1");
  REQUIRE(canceled.status == 200);
  CHECK(json::parse(canceled.body)["action"]["status"] == "failed");
  CHECK(f.intent(mine)["status"] == "requires_payment_method");
  REQUIRE(f.reader_post("collect_payment_method", mine, "s1:collect:2").status == 200);
  CHECK(f.reader()["action"]["status"] == "in_progress");
  // cancel_action with nothing in progress answers the reader as it is.
  CHECK(f.post(reader_target(kOtherReader, "cancel_action"), {}, "k").status == 200);
}

TEST_CASE("reader actions refuse intents in the wrong state and intents that are not card-present") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  const auto early = f.reader_post("confirm_payment_intent", id, "early");  // nothing read yet
  CHECK(early.status == 400);
  CHECK(error_of(early)["code"] == "payment_intent_unexpected_state");
  CHECK(f.reader_post("collect_payment_method", "pi_nope", "k1").status == 404);
  const std::string qr = f.create("s9", "preauth")["id"];
  const auto off_session = f.reader_post("collect_payment_method", qr, "k2");
  CHECK(off_session.status == 400);
  CHECK(error_of(off_session)["param"] == "payment_intent");
  CHECK(f.post(reader_target(kReader, "collect_payment_method"), {}, "k3").status == 400);  // no payment_intent

  // Read on one reader, confirmed on another: refused.
  REQUIRE(f.collect(id).status == 200);
  REQUIRE(f.tap().status == 200);
  CHECK(f.reader_post("confirm_payment_intent", id, "elsewhere", kOtherReader).status == 400);
  REQUIRE(f.confirm(id).status == 200);
  CHECK(f.reader_post("confirm_payment_intent", id, "again").status == 400);  // held: never confirmed twice
  CHECK(f.intent(id)["status"] == "requires_capture");
}

TEST_CASE("process_payment_intent collects and authorizes on one tap") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  const auto started = f.reader_post("process_payment_intent", id, "s1:process");
  REQUIRE(started.status == 200);
  CHECK(json::parse(started.body)["action"]["type"] == "process_payment_intent");
  CHECK(json::parse(started.body)["action"]["status"] == "in_progress");
  REQUIRE(f.tap().status == 200);
  CHECK(f.reader()["action"]["status"] == "succeeded");
  CHECK(f.intent(id)["status"] == "requires_capture");
}

TEST_CASE("a tap needs a collect in progress, a test card and nothing else") {
  TerminalFixture f;
  const auto idle = f.tap();
  CHECK(idle.status == 400);
  CHECK(error_of(idle)["code"] == "terminal_reader_not_collecting");
  REQUIRE(f.collect(f.arm("s1")["id"]).status == 200);
  const auto unknown = f.tap("4111111111111111");
  CHECK(unknown.status == 400);
  CHECK(error_of(unknown)["param"] == "card_present[number]");
  const auto odd = f.ledger.handle(sim::GatewayRequest{"POST", present_target(kReader), bearer(), std::nullopt,
                                                       form_encode({{"type", "interac_present"}})});
  CHECK(odd.status == 400);
  CHECK(f.reader()["action"]["status"] == "in_progress");
  // Without a number, the tap is Stripe's default visa.
  REQUIRE(f.ledger.handle(sim::GatewayRequest{"POST", present_target(kReader), bearer(), std::nullopt, {}}).status ==
          200);
  CHECK(f.reader()["action"]["collect_payment_method"]["payment_method"]["card_present"]["last4"] == "4242");
}

TEST_CASE("the test cards: declines happen at authorization, with card_error and the decline code") {
  TerminalFixture f;
  for (const auto& [number, code] : {std::pair{kDeclined, "generic_decline"}, std::pair{kNoFunds, "insufficient_funds"}}) {
    INFO(number);
    const std::string session = std::string("s-") + number;
    const std::string id = f.arm(session)["id"];
    REQUIRE(f.collect(id).status == 200);
    REQUIRE(f.tap(number).status == 200);
    CHECK(f.reader()["action"]["status"] == "succeeded");  // never at collect
    REQUIRE(f.confirm(id).status == 200);
    const json action = f.reader()["action"];
    CHECK(action["status"] == "failed");
    CHECK(action["failure_code"] == "card_declined");
    CHECK(action["api_error"]["type"] == "card_error");
    CHECK(action["api_error"]["decline_code"] == code);
    const json intent = f.intent(id);
    CHECK(intent["status"] == "requires_payment_method");
    CHECK(intent["amount_capturable"] == 0);
    CHECK(intent["last_payment_error"]["decline_code"] == code);
    CHECK(intent["latest_charge"]["status"] == "failed");
    CHECK(f.post(cancel_target(id), {{"cancellation_reason", "abandoned"}}, session + ":void").status == 200);
  }
}

TEST_CASE("hold amounts ending .01 .05 .55 .65 .75 decline an approving card with their codes") {
  TerminalFixture f;
  for (const auto& [amount, code] :
       {std::pair{3001, "call_issuer"}, std::pair{3005, "generic_decline"}, std::pair{3055, "incorrect_pin"},
        std::pair{3065, "withdrawal_count_limit_exceeded"}, std::pair{3075, "pin_try_exceeded"}}) {
    INFO(amount);
    const json intent = f.attempt("s" + std::to_string(amount), kVisa, amount);
    CHECK(intent["status"] == "requires_payment_method");
    CHECK(intent["last_payment_error"]["decline_code"] == code);
    CHECK(f.reader()["action"]["api_error"]["decline_code"] == code);
  }
  CHECK(f.attempt("s3000", kVisa, 3000)["status"] == "requires_capture");
}

TEST_CASE("a card's fingerprint is the same at every tap and differs between cards") {
  TerminalFixture f;
  const auto fingerprint = [](const json& intent) {
    return intent["latest_charge"]["payment_method_details"]["card_present"]["fingerprint"].get<std::string>();
  };
  const std::string first = fingerprint(f.attempt("s1"));
  const std::string again = fingerprint(f.attempt("s2"));
  const std::string other = fingerprint(f.attempt("s3", kNoFunds));
  CHECK(first == again);
  CHECK(first != other);
  CHECK(first == sim::card_fingerprint(kVisa, false));  // stable across runs: a pure function of the number
}

TEST_CASE("the other approving test cards are approved, each with its own fingerprint and brand") {
  TerminalFixture f;
  const auto card_of = [](const json& intent) {
    return intent["latest_charge"]["payment_method_details"]["card_present"];
  };
  const json visa = card_of(f.attempt("s1"));
  const json amex = card_of(f.attempt("s2", "378282246310005"));
  const json jcb = card_of(f.attempt("s3", "3566002020360505"));
  CHECK(amex["brand"] == "amex");
  CHECK(amex["last4"] == "0005");
  CHECK(jcb["brand"] == "jcb");
  CHECK(amex["fingerprint"] != visa["fingerprint"]);
  CHECK(jcb["fingerprint"] != amex["fingerprint"]);
  CHECK(f.attempt("s4", "5555555555554444")["status"] == "requires_capture");
}
