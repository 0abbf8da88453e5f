// What TerminalClient sends for each step of a card-entry attempt: the request line, the form
// body field by field, and the headers (docs/interfaces/payment-terminal.md#requests); and
// that an attempt lacking what a step needs is rejected without being sent.
#include <catch2/catch.hpp>

#include "common/form_encoding.hpp"
#include "tests/terminal_client/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

FormFields decoded(const std::string& body) {
  auto fields = form_decode(body);
  REQUIRE(fields);
  return *fields;
}

struct Expected {
  TerminalStep step;
  std::string method;
  std::string target;
  std::string key;  // "": a GET, no Idempotency-Key
  FormFields body;
  std::string answer;
};

}  // namespace

TEST_CASE("every terminal step sends its method, target, form body, key, API key and Stripe-Version") {
  const std::string sid = kTermSession;
  const std::string readers = "/v1/terminal/readers/" + kReader;
  const std::string intent = "/v1/payment_intents/" + kTermIntent;
  const auto customer = json{{"id", kTermCustomer}, {"object", "customer"}, {"metadata", {{"session_id", sid}}}};
  const Expected expected = GENERATE_REF(values<Expected>({
      {TerminalStep::create_customer, "POST", "/v1/customers", sid + ":customer",
       {{"metadata[session_id]", sid}, {"metadata[gate_id]", "gate-a"}}, customer.dump()},
      {TerminalStep::create_hold, "POST", "/v1/payment_intents", sid + ":tpreauth",
       {{"amount", "3000"},
        {"currency", "usd"},
        {"payment_method_types[]", "card_present"},
        {"capture_method", "manual"},
        {"customer", kTermCustomer},
        {"setup_future_usage", "off_session"},
        {"payment_method_options[card_present][request_incremental_authorization_support]", "true"},
        {"metadata[session_id]", sid},
        {"metadata[gate_id]", "gate-a"},
        {"metadata[lane]", "1"},
        {"metadata[op]", "tpreauth"}},
       term_intent("requires_payment_method").dump()},
      {TerminalStep::collect, "POST", readers + "/collect_payment_method", sid + ":collect:2",
       {{"payment_intent", kTermIntent}}, term_reader("collect_payment_method").dump()},
      {TerminalStep::confirm, "POST", readers + "/confirm_payment_intent", sid + ":confirm",
       {{"payment_intent", kTermIntent}}, term_reader("confirm_payment_intent").dump()},
      {TerminalStep::process, "POST", readers + "/process_payment_intent", sid + ":process",
       {{"payment_intent", kTermIntent}}, term_reader("process_payment_intent").dump()},
      {TerminalStep::cancel_action, "POST", readers + "/cancel_action", sid + ":cancel_action:2", {},
       term_reader("").dump()},
      {TerminalStep::read_reader, "GET", readers, "", {}, term_reader("collect_payment_method").dump()},
      {TerminalStep::read_intent, "GET", intent + "?expand%5B%5D=latest_charge", "", {},
       term_intent("requires_capture").dump()},
      {TerminalStep::void_intent, "POST", intent + "/cancel", sid + ":void", {{"cancellation_reason", "abandoned"}},
       term_intent("canceled").dump()},
      {TerminalStep::increment, "POST", intent + "/increment_authorization", sid + ":increment", {{"amount", "4200"}},
       term_intent("requires_capture", 4200).dump()},
  }));
  INFO(to_string(expected.step));
  ScriptedTerminal api;
  api.will_answer(200, expected.answer);
  auto terminal = api.client();
  TerminalAttempt attempt = term_attempt();
  attempt.try_counter = 2;
  const TerminalOutcome outcome = api.run(*terminal, expected.step, attempt, 4200);
  CHECK(outcome.kind != TerminalOutcomeKind::unverified);
  CHECK(outcome.kind != TerminalOutcomeKind::rejected);

  REQUIRE(api.calls.size() == 1);
  const auto& call = api.calls[0];
  CHECK(call.method == expected.method);
  CHECK(call.target == expected.target);
  CHECK(call.header("Authorization") == "Bearer " + kTermApiKey);
  CHECK(call.header("Stripe-Version") == std::string(drivers::kDefaultStripeVersion));
  if (expected.key.empty()) {
    CHECK_FALSE(call.header("Idempotency-Key"));
    CHECK(call.body.empty());
  } else {
    CHECK(call.header("Idempotency-Key") == expected.key);
    CHECK(decoded(call.body) == expected.body);
    if (!expected.body.empty()) CHECK(call.header("Content-Type") == "application/x-www-form-urlencoded");
  }
  CHECK(api.script_used_up());
}

TEST_CASE("the configured Stripe-Version is sent, and a reloaded API key is used from the next request on") {
  ScriptedTerminal api;
  auto options = api.options();
  options.stripe_version = "2025-03-31.basil";
  auto terminal = api.client(options);
  api.will_answer(200, term_reader("").dump());
  api.will_answer(200, term_reader("").dump());
  TerminalAttempt idle = term_attempt();
  idle.intent_id.clear();
  CHECK(api.run(*terminal, TerminalStep::read_reader, idle).kind == TerminalOutcomeKind::succeeded);
  CHECK(terminal->set_api_key("sk_test_rotated"));
  CHECK_FALSE(terminal->set_api_key("sk_test_rotated"));
  CHECK(api.run(*terminal, TerminalStep::read_reader, idle).kind == TerminalOutcomeKind::succeeded);
  REQUIRE(api.calls.size() == 2);
  CHECK(api.calls[0].header("Stripe-Version") == "2025-03-31.basil");
  CHECK(api.calls[0].header("Authorization") == "Bearer " + kTermApiKey);
  CHECK(api.calls[1].header("Authorization") == "Bearer sk_test_rotated");
}

TEST_CASE("an attempt lacking what its step needs is rejected without being sent, naming no reference") {
  struct Gap {
    TerminalStep step;
    void (*make)(TerminalAttempt&);
    std::string says;
  };
  const Gap gap = GENERATE(values<Gap>({
      {TerminalStep::create_customer, [](TerminalAttempt& a) { a.session_id.clear(); }, "session_id is empty"},
      {TerminalStep::create_customer, [](TerminalAttempt& a) { a.gate_id.clear(); }, "gate_id is empty"},
      {TerminalStep::create_hold, [](TerminalAttempt& a) { a.customer.clear(); }, "customer is empty"},
      {TerminalStep::create_hold, [](TerminalAttempt& a) { a.hold_minor = 0; }, "hold_minor must be positive"},
      {TerminalStep::create_hold, [](TerminalAttempt& a) { a.currency = "US"; }, "3-letter ISO 4217"},
      {TerminalStep::create_hold, [](TerminalAttempt& a) { a.lane = 0; }, "lane must be positive"},
      {TerminalStep::collect, [](TerminalAttempt& a) { a.reader_id.clear(); }, "reader_id is empty"},
      {TerminalStep::collect, [](TerminalAttempt& a) { a.intent_id.clear(); }, "intent_id"},
      {TerminalStep::collect, [](TerminalAttempt& a) { a.try_counter = -1; }, "try_counter is negative"},
      {TerminalStep::confirm, [](TerminalAttempt& a) { a.session_id = "bad id"; }, "session_id has a space"},
      {TerminalStep::read_intent, [](TerminalAttempt& a) { a.intent_id.clear(); }, "intent_id"},
      {TerminalStep::void_intent, [](TerminalAttempt& a) { a.session_id = std::string(300, 's'); }, "longer than 255"},
      {TerminalStep::increment, [](TerminalAttempt&) {}, "amount_minor must be positive"},
  }));
  ScriptedTerminal api;
  auto terminal = api.client();
  TerminalAttempt attempt = term_attempt();
  gap.make(attempt);
  const TerminalOutcome outcome = api.run(*terminal, gap.step, attempt, 0);
  CHECK(outcome.kind == TerminalOutcomeKind::rejected);
  CHECK(outcome.sends == 0);
  CHECK_THAT(outcome.error, Contains(gap.says));
  CHECK_THAT(outcome.error, !Contains(kTermCustomer));
  CHECK(api.calls.empty());
}

TEST_CASE("a terminal client refuses a bad API key, Stripe-Version or connect limit, never showing the key") {
  ScriptedTerminal api;
  auto options = api.options();
  std::string code;
  SECTION("key with a line break") {
    options.api_key = kTermApiKey + "\n";
    code = "bad_api_key";
  }
  SECTION("Stripe-Version with a space") {
    options.stripe_version = "2026-05-27 dahlia";
    code = "bad_stripe_version";
  }
  SECTION("connect limit above the request's") {
    options.connect_timeout = 11s;
    code = "bad_timeout";
  }
  auto made = drivers::TerminalClient::create(api.io, options);
  REQUIRE_FALSE(made);
  CHECK(made.error().code == code);
  CHECK_THAT(made.error().message, Contains("payment terminal: "));
  CHECK_THAT(made.error().message, !Contains(kTermApiKey));
}
