// For the tests of the gateway simulator's Terminal side: the requests the gate sends for a
// card-entry attempt (docs/card-tap-simulator.md, steps 1 to 6) against a
// GatewayLedger with two readers, driven directly (TerminalFixture).
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/gateway_sim/gateway_fixture.hpp"

namespace passgate::test {

inline constexpr const char* kReader = "tmr_lane1";
inline constexpr const char* kOtherReader = "tmr_lane2";
inline constexpr const char* kVisa = "4242424242424242";
inline constexpr const char* kDeclined = "4000000000000002";
inline constexpr const char* kNoFunds = "4000000000009995";

// POST /v1/payment_intents's parameters for a card-present hold (step 2).
inline FormFields hold_fields(const std::string& session_id, const std::string& customer,
                              std::int64_t amount = 3000) {
  return {{"amount", std::to_string(amount)},
          {"currency", "usd"},
          {"payment_method_types[]", "card_present"},
          {"capture_method", "manual"},
          {"customer", customer},
          {"setup_future_usage", "off_session"},
          {"payment_method_options[card_present][request_incremental_authorization_support]", "true"},
          {"metadata[session_id]", session_id},
          {"metadata[gate_id]", "gate-a"},
          {"metadata[lane]", "1"},
          {"metadata[op]", "tpreauth"}};
}

inline std::string reader_target(const std::string& reader, const std::string& action = {}) {
  return "/v1/terminal/readers/" + reader + (action.empty() ? "" : "/" + action);
}
inline std::string present_target(const std::string& reader) {
  return "/v1/test_helpers/terminal/readers/" + reader + "/present_payment_method";
}
inline std::string increment_target(const std::string& id) {
  return std::string(kCreate) + "/" + id + "/increment_authorization";
}

class TerminalFixture : public LedgerFixture {
 public:
  TerminalFixture() {
    REQUIRE(ledger.terminal().add_reader(kReader));
    REQUIRE(ledger.terminal().add_reader(kOtherReader));
  }

  // Steps 1 and 2: a customer and a card-present intent for `session`; the intent's JSON.
  json arm(const std::string& session, std::int64_t amount = 3000) {
    const auto customer = post("/v1/customers", {{"metadata[session_id]", session}, {"metadata[gate_id]", "gate-a"}},
                               session + ":customer");
    REQUIRE(customer.status == 200);
    const auto intent = post(kCreate, hold_fields(session, json::parse(customer.body)["id"], amount),
                             session + ":tpreauth");
    REQUIRE(intent.status == 200);
    return json::parse(intent.body);
  }
  sim::GatewayReply reader_post(const std::string& action, const std::string& intent, const std::string& key,
                                const std::string& reader = kReader) {
    return post(reader_target(reader, action), {{"payment_intent", intent}}, key);
  }
  // Step 3 with try counter 0.
  sim::GatewayReply collect(const std::string& intent, const std::string& reader = kReader) {
    return reader_post("collect_payment_method", intent, intent + ":collect:0", reader);
  }
  sim::GatewayReply confirm(const std::string& intent, const std::string& reader = kReader) {
    return reader_post("confirm_payment_intent", intent, intent + ":confirm", reader);
  }
  // The simulated tap, without an Idempotency-Key.
  sim::GatewayReply tap(const std::string& number = kVisa, const std::string& reader = kReader) {
    return ledger.handle(sim::GatewayRequest{"POST", present_target(reader), bearer(), std::nullopt,
                                             form_encode({{"type", "card_present"}, {"card_present[number]", number}})});
  }
  json reader(const std::string& id = kReader) {
    const auto shown = get(reader_target(id));
    REQUIRE(shown.status == 200);
    return json::parse(shown.body);
  }
  json intent(const std::string& id) {
    const auto shown = get(std::string(kCreate) + "/" + id + "?expand%5B%5D=latest_charge");
    REQUIRE(shown.status == 200);
    return json::parse(shown.body);
  }
  // Steps 3 to 6 on kReader with `number`; the intent after confirm, expanded.
  json place_hold(const std::string& id, const std::string& number = kVisa) {
    REQUIRE(collect(id).status == 200);
    REQUIRE(tap(number).status == 200);
    REQUIRE(confirm(id).status == 200);
    return intent(id);
  }
  // Steps 1 to 6.
  json attempt(const std::string& session, const std::string& number = kVisa, std::int64_t amount = 3000) {
    return place_hold(arm(session, amount)["id"], number);
  }
};

}  // namespace passgate::test
