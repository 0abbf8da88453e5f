// Every outcome class of the terminal contract (docs/interfaces/payment-terminal.md#answers):
// what each step's matching 200 gives, the reader's action states, a card's decline, a reader
// failure, busy and offline readers, and the HTTP statuses shared with the payment gateway.
#include <catch2/catch.hpp>

#include "tests/support/scripted_http_server.hpp"
#include "tests/terminal_client/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("create_customer and create_hold give the customer and the hold's PaymentIntent") {
  ScriptedTerminal api;
  const auto customer = json{{"id", kTermCustomer}, {"object", "customer"}, {"metadata", {{"session_id", kTermSession}}}};
  const auto made = api.outcome_of(TerminalStep::create_customer, 200, customer.dump());
  CHECK(made.kind == TerminalOutcomeKind::succeeded);
  CHECK(made.customer == kTermCustomer);

  const auto hold = api.outcome_of(TerminalStep::create_hold, 200, term_intent("requires_payment_method").dump());
  CHECK(hold.kind == TerminalOutcomeKind::succeeded);
  CHECK(hold.intent_id == kTermIntent);
  CHECK(hold.intent_status == "requires_payment_method");
  CHECK(hold.amount == 3000);
  CHECK_FALSE(hold.card);
}

TEST_CASE("collect answers in_progress until the tap, then succeeded with the card's fingerprint") {
  ScriptedTerminal api;
  const auto started = api.outcome_of(TerminalStep::collect, 200, term_reader("collect_payment_method").dump());
  CHECK(started.kind == TerminalOutcomeKind::in_progress);
  CHECK(started.reader_status == "online");
  CHECK(started.action.type == "collect_payment_method");
  CHECK(started.action.on_this_intent);

  const auto tapped =
      api.outcome_of(TerminalStep::read_reader, 200, term_reader("collect_payment_method", "succeeded").dump());
  CHECK(tapped.kind == TerminalOutcomeKind::succeeded);
  REQUIRE(tapped.card);
  CHECK(tapped.card->fingerprint == kFingerprint);
}

TEST_CASE("confirm and process report the reader's action on this PaymentIntent") {
  ScriptedTerminal api;
  const auto [step, type] = GENERATE(table<TerminalStep, std::string>(
      {{TerminalStep::confirm, "confirm_payment_intent"}, {TerminalStep::process, "process_payment_intent"}}));
  CHECK(api.outcome_of(step, 200, term_reader(type).dump()).kind == TerminalOutcomeKind::in_progress);
  CHECK(api.outcome_of(TerminalStep::read_reader, 200, term_reader(type, "succeeded").dump()).kind ==
        TerminalOutcomeKind::succeeded);
}

TEST_CASE("read_intent of a held PaymentIntent gives status, amounts and what the card left") {
  ScriptedTerminal api;
  const auto held = api.outcome_of(TerminalStep::read_intent, 200, term_intent("requires_capture").dump());
  CHECK(held.kind == TerminalOutcomeKind::succeeded);
  CHECK(held.intent_status == "requires_capture");
  CHECK(held.amount == 3000);
  CHECK(held.amount_capturable == 3000);
  REQUIRE(held.card);
  CHECK(held.card->fingerprint == kFingerprint);
  CHECK(held.card->generated_card == kGeneratedCard);
  CHECK(held.card->card_saved());
  CHECK(held.card->brand == "visa");
  CHECK(held.card->last4 == "4242");
  CHECK(held.card->capture_before == 1900000000);
  CHECK(held.card->incremental_authorization_supported);
}

TEST_CASE("read_intent accepts an amount above the hold after an increment, and a wallet without a saved card") {
  ScriptedTerminal api;
  json intent = term_intent("requires_capture", 4200);
  auto& present = intent["latest_charge"]["payment_method_details"]["card_present"];
  present["generated_card"] = nullptr;
  present["incremental_authorization_supported"] = false;
  const auto read = api.outcome_of(TerminalStep::read_intent, 200, intent.dump());
  CHECK(read.kind == TerminalOutcomeKind::succeeded);
  CHECK(read.amount == 4200);
  REQUIRE(read.card);
  CHECK_FALSE(read.card->card_saved());
  CHECK_FALSE(read.card->incremental_authorization_supported);
}

TEST_CASE("read_intent: processing is in_progress, the other named statuses are read as they are") {
  ScriptedTerminal api;
  CHECK(api.outcome_of(TerminalStep::read_intent, 200, term_intent("processing").dump()).kind ==
        TerminalOutcomeKind::in_progress);
  const std::string status = GENERATE("requires_payment_method", "requires_confirmation", "canceled", "succeeded");
  const auto read = api.outcome_of(TerminalStep::read_intent, 200, term_intent(status).dump());
  CHECK(read.kind == TerminalOutcomeKind::succeeded);
  CHECK(read.intent_status == status);
}

TEST_CASE("void_intent succeeds on canceled, increment on the new amount") {
  ScriptedTerminal api;
  CHECK(api.outcome_of(TerminalStep::void_intent, 200, term_intent("canceled").dump()).kind ==
        TerminalOutcomeKind::succeeded);
  const auto raised = api.outcome_of(TerminalStep::increment, 200, term_intent("requires_capture", 4200).dump(), 4200);
  CHECK(raised.kind == TerminalOutcomeKind::succeeded);
  CHECK(raised.amount_capturable == 4200);
}

TEST_CASE("a card_error on the reader's action is declined with the card's decline code") {
  ScriptedTerminal api;
  const auto [type, api_error, code] = GENERATE(table<std::string, json, std::string>({
      {"confirm_payment_intent",
       json{{"type", "card_error"}, {"code", "card_declined"}, {"decline_code", "insufficient_funds"}},
       "insufficient_funds"},
      {"process_payment_intent", json{{"type", "card_error"}, {"code", "card_declined"}}, "card_declined"},
      {"confirm_payment_intent", json(nullptr), "card_declined"},  // older API versions: failure_code only
  }));
  const auto outcome = api.outcome_of(TerminalStep::read_reader, 200, failed_reader(type, "card_declined", api_error).dump());
  CHECK(outcome.kind == TerminalOutcomeKind::declined);
  CHECK(outcome.decline_code == code);
  CHECK_THAT(outcome.error, Contains("failed"));
}

TEST_CASE("a collect that failed without an api_error is reader_failed (tap again), a confirm's is unknown") {
  ScriptedTerminal api;
  const std::string code = GENERATE("customer_canceled", "card_read_error", "reader_timeout");
  const auto collect = api.outcome_of(TerminalStep::read_reader, 200,
                                      failed_reader("collect_payment_method", code, json(nullptr)).dump());
  CHECK(collect.kind == TerminalOutcomeKind::reader_failed);
  const auto confirm = api.outcome_of(TerminalStep::read_reader, 200,
                                      failed_reader("confirm_payment_intent", code, json(nullptr)).dump());
  CHECK(confirm.kind == TerminalOutcomeKind::unknown);
}

TEST_CASE("the reader's 400 codes: offline, busy, and a reader timeout that leaves the outcome unknown") {
  ScriptedTerminal api;
  const auto [code, kind] = GENERATE(table<std::string, TerminalOutcomeKind>({
      {"terminal_reader_offline", TerminalOutcomeKind::offline},
      {"terminal_reader_busy", TerminalOutcomeKind::busy},
      {"terminal_reader_timeout", TerminalOutcomeKind::unknown},
      {"parameter_missing", TerminalOutcomeKind::rejected},
  }));
  const auto outcome = api.outcome_of(TerminalStep::collect, 400, term_error("invalid_request_error", code));
  CHECK(outcome.kind == kind);
  CHECK(outcome.http_status == 400);
  CHECK_THAT(outcome.error, Contains(code));
}

TEST_CASE("a reader reported offline is offline, whatever the step") {
  ScriptedTerminal api;
  json reader = term_reader("");
  reader["status"] = "offline";
  const TerminalStep step = GENERATE(TerminalStep::read_reader, TerminalStep::collect, TerminalStep::cancel_action);
  const auto outcome = api.outcome_of(step, 200, reader.dump());
  CHECK(outcome.kind == TerminalOutcomeKind::offline);
  CHECK(outcome.reader_status == "offline");
}

TEST_CASE("polling: another PaymentIntent's running action is busy, no action or its finished one is unknown") {
  ScriptedTerminal api;
  CHECK(api.outcome_of(TerminalStep::read_reader, 200, term_reader("collect_payment_method", "in_progress", "pi_Other").dump())
            .kind == TerminalOutcomeKind::busy);
  CHECK(api.outcome_of(TerminalStep::read_reader, 200, term_reader("collect_payment_method", "succeeded", "pi_Other").dump())
            .kind == TerminalOutcomeKind::unknown);
  CHECK(api.outcome_of(TerminalStep::read_reader, 200, term_reader("").dump()).kind == TerminalOutcomeKind::unknown);
}

TEST_CASE("reading an idle reader before an attempt has a PaymentIntent just tells it is online") {
  ScriptedTerminal api;
  api.will_answer(200, term_reader("").dump());
  auto terminal = api.client();
  TerminalAttempt idle = term_attempt();
  idle.intent_id.clear();
  const auto outcome = api.run(*terminal, TerminalStep::read_reader, idle);
  CHECK(outcome.kind == TerminalOutcomeKind::succeeded);
  CHECK(outcome.reader_status == "online");
  CHECK(outcome.action.type.empty());
}

TEST_CASE("cancel_action succeeds once no action runs, and is in_progress while one still does") {
  ScriptedTerminal api;
  CHECK(api.outcome_of(TerminalStep::cancel_action, 200, term_reader("").dump()).kind == TerminalOutcomeKind::succeeded);
  CHECK(api.outcome_of(TerminalStep::cancel_action, 200, failed_reader("collect_payment_method", "canceled", nullptr).dump())
            .kind == TerminalOutcomeKind::succeeded);
  CHECK(api.outcome_of(TerminalStep::cancel_action, 200, term_reader("collect_payment_method").dump()).kind ==
        TerminalOutcomeKind::in_progress);
}

TEST_CASE("the gateway's statuses: 402 declined, 401/403/404 rejected, 409/429 retry later, 5xx unknown") {
  ScriptedTerminal api;
  const auto [status, body, kind] = GENERATE(table<int, std::string, TerminalOutcomeKind>({
      {402, term_error("card_error", "card_declined"), TerminalOutcomeKind::declined},
      {401, term_error("invalid_request_error", ""), TerminalOutcomeKind::rejected},
      {403, term_error("invalid_request_error", ""), TerminalOutcomeKind::rejected},
      {404, term_error("invalid_request_error", "resource_missing"), TerminalOutcomeKind::rejected},
      {409, term_error("idempotency_error", ""), TerminalOutcomeKind::retry_later},
      {429, term_error("rate_limit_error", ""), TerminalOutcomeKind::retry_later},
      {500, term_error("api_error", ""), TerminalOutcomeKind::unknown},
      {503, "Service Unavailable", TerminalOutcomeKind::unknown},
  }));
  const auto outcome = api.outcome_of(TerminalStep::increment, status, body, 4200);
  CHECK(outcome.kind == kind);
  CHECK(outcome.http_status == status);
}

TEST_CASE("Retry-After and Idempotent-Replayed are read from the terminal API's answers") {
  ScriptedTerminal api;
  api.will_answer(answer_with_headers(429, term_error("rate_limit_error", ""), {{"Retry-After", "7"}}));
  api.will_answer(answer_with_headers(200, term_intent("canceled").dump(), {{"Idempotent-Replayed", "true"}}));
  auto terminal = api.client();
  const auto limited = api.run(*terminal, TerminalStep::void_intent, term_attempt());
  CHECK(limited.kind == TerminalOutcomeKind::retry_later);
  CHECK(limited.retry_after == std::chrono::milliseconds(7000));
  const auto replayed = api.run(*terminal, TerminalStep::void_intent, term_attempt());
  CHECK(replayed.kind == TerminalOutcomeKind::succeeded);
  CHECK(replayed.replayed);
}

TEST_CASE("no answer at all (a dropped connection after the request) is unknown") {
  ScriptedTerminal api;
  sim::HttpAnswer dropped = sim::make_answer(200, term_reader("confirm_payment_intent").dump());
  dropped.drop = true;
  api.will_answer(std::move(dropped));
  auto terminal = api.client();
  const auto outcome = api.run(*terminal, TerminalStep::confirm, term_attempt());
  CHECK(outcome.kind == TerminalOutcomeKind::unknown);
  CHECK(outcome.http_status == 0);
  CHECK(outcome.sends == 1);
}

TEST_CASE("an API that cannot be connected to is unknown and nothing is sent") {
  boost::asio::io_context io;
  drivers::TerminalClientOptions options;
  {
    ScriptedHttpServer closed;
    options.base_url = closed.base_url();
  }  // the port is free again: nothing listens on it
  options.api_key = kTermApiKey;
  auto terminal = drivers::TerminalClient::create(io, options);
  REQUIRE(terminal);
  auto outcome = await_reply<TerminalOutcome>(
      io, [&](auto done) { (*terminal)->confirm(term_attempt(), done); });
  REQUIRE(outcome);
  CHECK(outcome->kind == TerminalOutcomeKind::unknown);
  CHECK(outcome->sends == 0);
  CHECK_THAT(outcome->error, Contains("cannot connect"));
}
