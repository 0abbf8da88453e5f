// For the payment terminal client tests: a scripted terminal API on loopback
// (tests/support/scripted_http_server.hpp), TerminalClients pointed at it, one helper that runs
// any step and waits for its outcome, the test's attempt with recognisable secrets, and the
// API's objects (reader, PaymentIntent with its charge, customer) as JSON for a test to change.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ports/payment_terminal.hpp"
#include "drivers/terminal_client.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/scripted_http_server.hpp"

namespace passgate::test {

using namespace std::chrono_literals;
using nlohmann::json;

// Secrets: none of them may ever show in an outcome's text.
inline const std::string kTermApiKey = "sk_test_51TeRmInAlSeCrEt";
inline const std::string kTermCustomer = "cus_SeCrEtTeRmCuStOmEr";
inline const std::string kTermIntent = "pi_3SeCrEtTeRmHoLd";
inline const std::string kFingerprint = "FpSeCrEtCaRd42";
inline const std::string kGeneratedCard = "pm_SeCrEtGeNeRaTeD";

inline const std::string kTermSession = "0b8c2d3e-4f50-4a61-8b72-93a4b5c6d7e8";
inline const std::string kReader = "tmr_LaneOneReader";

// The attempt of the tests: lane 1 of gate-a, a hold of 3000 USD cents, customer and
// PaymentIntent created, first collect (n = 0).
inline TerminalAttempt term_attempt() {
  TerminalAttempt a;
  a.session_id = kTermSession;
  a.gate_id = "gate-a";
  a.lane = 1;
  a.reader_id = kReader;
  a.currency = "USD";
  a.hold_minor = 3000;
  a.customer = kTermCustomer;
  a.intent_id = kTermIntent;
  return a;
}

// The attempt's PaymentIntent in `status`, its charge with the card when one was read.
inline json term_intent(const std::string& status, std::int64_t amount = 3000) {
  const bool charged = status == "requires_capture" || status == "succeeded";
  json intent = {{"id", kTermIntent},
                 {"object", "payment_intent"},
                 {"amount", amount},
                 {"amount_capturable", status == "requires_capture" ? amount : 0},
                 {"amount_received", status == "succeeded" ? amount : 0},
                 {"currency", "usd"},
                 {"customer", kTermCustomer},
                 {"status", status},
                 {"capture_method", "manual"},
                 {"metadata", {{"session_id", kTermSession}, {"gate_id", "gate-a"}, {"lane", "1"}, {"op", "tpreauth"}}},
                 {"latest_charge", nullptr}};
  if (charged) {
    intent["latest_charge"] = {
        {"id", "ch_3Charge"},
        {"object", "charge"},
        {"payment_method_details",
         {{"type", "card_present"},
          {"card_present",
           {{"fingerprint", kFingerprint},
            {"generated_card", kGeneratedCard},
            {"brand", "visa"},
            {"last4", "4242"},
            {"capture_before", 1900000000},
            {"incremental_authorization_supported", true}}}}}};
  }
  return intent;
}

// The reader, online, running (or having run) an action of `type` on the attempt's
// PaymentIntent; `type` "" for no action.
inline json term_reader(const std::string& type, const std::string& status = "in_progress",
                        const std::string& intent = kTermIntent) {
  json reader = {{"id", kReader}, {"object", "terminal.reader"}, {"status", "online"}, {"action", nullptr}};
  if (type.empty()) return reader;
  json detail = {{"payment_intent", intent}};
  if (type == "collect_payment_method" && status == "succeeded") {
    detail["payment_method"] = {{"id", "pm_card_present"}, {"type", "card_present"},
                                {"card_present", {{"fingerprint", kFingerprint}}}};
  }
  reader["action"] = {{"type", type}, {"status", status}, {"failure_code", nullptr}, {"failure_message", nullptr},
                      {type, detail}};
  return reader;
}

// A reader whose action of `type` failed with `failure_code` and `api_error` (null: the reader
// itself failed).
inline json failed_reader(const std::string& type, const std::string& failure_code, const json& api_error) {
  json reader = term_reader(type, "failed");
  reader["action"]["failure_code"] = failure_code;
  reader["action"]["failure_message"] = "The action failed.";
  reader["action"]["api_error"] = api_error;
  return reader;
}

inline std::string term_error(const std::string& type, const std::string& code, const std::string& message = "") {
  json error = {{"type", type}};
  if (!code.empty()) error["code"] = code;
  if (!message.empty()) error["message"] = message;
  return json{{"error", error}}.dump();
}

class ScriptedTerminal : public ScriptedHttpServer {
 public:
  using ScriptedHttpServer::ScriptedHttpServer;

  [[nodiscard]] drivers::TerminalClientOptions options() const {
    drivers::TerminalClientOptions o;
    o.base_url = base_url();
    o.api_key = kTermApiKey;
    return o;
  }

  [[nodiscard]] std::unique_ptr<drivers::TerminalClient> client(drivers::TerminalClientOptions o) {
    auto made = drivers::TerminalClient::create(io, std::move(o));
    if (!made) FAIL(made.error().message);
    return std::move(made.value());
  }
  [[nodiscard]] std::unique_ptr<drivers::TerminalClient> client() { return client(options()); }

  // Runs `step` of `attempt` (increment: to `amount_minor`) and waits for its outcome.
  TerminalOutcome run(PaymentTerminal& terminal, TerminalStep step, const TerminalAttempt& attempt,
                      std::int64_t amount_minor = 0) {
    auto outcome = await_reply<TerminalOutcome>(io, [&](auto done) {
      switch (step) {
        case TerminalStep::create_customer: return terminal.create_customer(attempt, done);
        case TerminalStep::create_hold: return terminal.create_hold(attempt, done);
        case TerminalStep::collect: return terminal.collect(attempt, done);
        case TerminalStep::confirm: return terminal.confirm(attempt, done);
        case TerminalStep::process: return terminal.process(attempt, done);
        case TerminalStep::cancel_action: return terminal.cancel_action(attempt, done);
        case TerminalStep::read_reader: return terminal.read_reader(attempt, done);
        case TerminalStep::read_intent: return terminal.read_intent(attempt, done);
        case TerminalStep::void_intent: return terminal.void_intent(attempt, done);
        case TerminalStep::increment: return terminal.increment(attempt, amount_minor, done);
      }
    });
    REQUIRE(outcome);
    return *outcome;
  }

  // Answers the next request with `status` and `body` and returns the outcome of `step` of
  // the test's attempt.
  TerminalOutcome outcome_of(TerminalStep step, int status, std::string body, std::int64_t amount_minor = 0) {
    will_answer(status, std::move(body));
    auto terminal = client();
    return run(*terminal, step, term_attempt(), amount_minor);
  }
};

}  // namespace passgate::test
