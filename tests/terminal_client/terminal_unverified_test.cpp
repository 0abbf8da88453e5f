// Answers the terminal client does not believe (docs/interfaces/payment-terminal.md#how-a-200-is-checked):
// a 200 about another reader, PaymentIntent, amount, currency, session or op, an unreadable or
// oversize body, a status the contract does not name; and that no outcome's text ever shows
// the API key, the customer, the PaymentIntent id, the card's fingerprint or payment method.
#include <catch2/catch.hpp>

#include "drivers/terminal_response.hpp"
#include "tests/terminal_client/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

void check_no_secret(const TerminalOutcome& outcome) {
  INFO(outcome.error);
  for (const std::string* secret : {&kTermApiKey, &kTermCustomer, &kTermIntent, &kFingerprint, &kGeneratedCard}) {
    CHECK_THAT(outcome.error, !Contains(*secret));
    CHECK_THAT(outcome.decline_code, !Contains(*secret));
    CHECK_THAT(outcome.error, !Contains(secret->substr(0, 10)));
  }
}

}  // namespace

TEST_CASE("a 200 that is not this step's outcome is unverified, naming the field but no reference") {
  struct Lie {
    TerminalStep step;
    std::string body;
    std::string field;
  };
  const auto intent_with = [](const char* key, const json& value, const std::string& status = "requires_capture") {
    json intent = term_intent(status);
    intent[key] = value;
    return intent.dump();
  };
  const auto metadata_with = [](const char* key, const std::string& value, const std::string& status) {
    json intent = term_intent(status);
    intent["metadata"][key] = value;
    return intent.dump();
  };
  json other_reader = term_reader("collect_payment_method");
  other_reader["id"] = "tmr_OtherLane";
  json no_fingerprint = term_reader("collect_payment_method", "succeeded");
  no_fingerprint["action"]["collect_payment_method"].erase("payment_method");
  json held_without_card = term_intent("requires_capture");
  held_without_card["latest_charge"] = "ch_NotExpanded";
  json odd_status = term_reader("collect_payment_method");
  odd_status["status"] = "rebooting";
  const Lie lie = GENERATE_REF(values<Lie>({
      {TerminalStep::create_customer, json{{"id", "cus_X"}, {"metadata", {{"session_id", "other"}}}}.dump(),
       "metadata[session_id]"},
      {TerminalStep::create_hold, intent_with("amount", 1), "amount"},
      {TerminalStep::create_hold, term_intent("requires_capture").dump(), "status"},
      {TerminalStep::create_hold, intent_with("customer", "cus_Other", "requires_payment_method"), "customer"},
      {TerminalStep::read_intent, intent_with("id", "pi_Other"), "id: not the PaymentIntent asked for"},
      {TerminalStep::read_intent, intent_with("currency", "jpy"), "currency: expected usd, got jpy"},
      {TerminalStep::read_intent, intent_with("amount", 2999), "amount: expected at least 3000"},
      {TerminalStep::read_intent, intent_with("amount_capturable", 5000), "amount_capturable"},
      {TerminalStep::read_intent, intent_with("status", "authorized"), "status"},
      {TerminalStep::read_intent, metadata_with("session_id", "other-session", "requires_capture"), "metadata[session_id]"},
      {TerminalStep::read_intent, metadata_with("op", "preauth", "requires_capture"), "metadata[op]: expected tpreauth"},
      {TerminalStep::read_intent, held_without_card.dump(), "no card_present fingerprint"},
      {TerminalStep::void_intent, term_intent("requires_capture").dump(), "status: expected canceled"},
      {TerminalStep::increment, term_intent("requires_capture", 3000).dump(), "amount: expected 4200, got 3000"},
      {TerminalStep::collect, other_reader.dump(), "id: expected tmr_LaneOneReader, got tmr_OtherLane"},
      {TerminalStep::collect, term_reader("collect_payment_method", "in_progress", "pi_Other").dump(),
       "action.payment_intent"},
      {TerminalStep::confirm, term_reader("collect_payment_method").dump(), "action.type"},
      {TerminalStep::process, term_reader("").dump(), "action: expected process_payment_intent"},
      {TerminalStep::collect, no_fingerprint.dump(), "fingerprint"},
      {TerminalStep::read_reader, odd_status.dump(), "status: expected online or offline"},
      {TerminalStep::read_reader, term_reader("collect_payment_method", "paused").dump(), "action.status"},
  }));
  INFO(to_string(lie.step) << " " << lie.field);
  ScriptedTerminal api;
  const auto outcome = api.outcome_of(lie.step, 200, lie.body, 4200);
  CHECK(outcome.kind == TerminalOutcomeKind::unverified);
  CHECK_THAT(outcome.error, Contains(lie.field));
  CHECK_THAT(outcome.error, Contains(std::string(drivers::kTerminalUnverifiedConsequence)));
  check_no_secret(outcome);
}

TEST_CASE("garbage, a status the contract does not name, or a 402 that is no card error is unverified") {
  const auto [status, body] = GENERATE(table<int, std::string>({
      {200, "not json"},
      {200, "[1,2,3]"},
      {200, R"({"object":"charge","id":"ch_1"})"},
      {201, term_intent("canceled").dump()},
      {302, ""},
      {422, term_error("invalid_request_error", "")},
      {402, term_error("api_error", "")},
  }));
  ScriptedTerminal api;
  const auto outcome = api.outcome_of(TerminalStep::void_intent, status, body);
  CHECK(outcome.kind == TerminalOutcomeKind::unverified);
  check_no_secret(outcome);
}

TEST_CASE("an answer over the size bound is no answer: unknown, never believed") {
  ScriptedTerminal api;
  json reader = term_reader("collect_payment_method", "succeeded");
  reader["padding"] = std::string(drivers::kMaxTerminalAnswerBytes, 'x');
  const auto outcome = api.outcome_of(TerminalStep::read_reader, 200, reader.dump());
  CHECK(outcome.kind == TerminalOutcomeKind::unknown);
  CHECK(outcome.http_status == 0);
  CHECK_FALSE(outcome.card);
}

TEST_CASE("secrets the terminal API echoes in errors and failures are redacted from every text") {
  const std::string echo = kTermApiKey + " " + kTermCustomer + " " + kTermIntent;
  const auto [step, status, body] = GENERATE_REF(table<TerminalStep, int, std::string>({
      {TerminalStep::create_hold, 400, term_error("invalid_request_error", "", "No such customer: " + kTermCustomer)},
      {TerminalStep::read_intent, 404, term_error("invalid_request_error", "resource_missing", "No such payment_intent: '" + kTermIntent + "'")},
      {TerminalStep::collect, 401, term_error("invalid_request_error", "", "Invalid API Key provided: " + kTermApiKey)},
      {TerminalStep::confirm, 402, term_error("card_error", kTermIntent, echo)},
      {TerminalStep::increment, 500, "<html>" + echo + "</html>"},
      {TerminalStep::read_reader, 200, failed_reader("confirm_payment_intent", kTermIntent,
                                                     json{{"type", kTermCustomer}, {"code", kTermApiKey}}).dump()},
      {TerminalStep::read_intent, 200, [&] {
         json intent = term_intent("requires_capture");
         intent["status"] = kFingerprint + " " + kGeneratedCard + " " + echo;
         return intent.dump();
       }()},
  }));
  ScriptedTerminal api;
  const auto outcome = api.outcome_of(step, status, body, 4200);
  CHECK_FALSE(outcome.error.empty());
  check_no_secret(outcome);
}
