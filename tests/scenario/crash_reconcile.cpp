#include "tests/scenario/crash_reconcile.hpp"

#include <catch2/catch.hpp>

#include <vector>

namespace passgate::scenario {
namespace {

using nlohmann::json;

std::int64_t received_minor(const json& intent) { return intent.at("amount_received").get<std::int64_t>(); }
bool intent_is(const json& intent, const char* status) { return intent.at("status") == status; }

struct SessionIntents {
  std::vector<json> holds;    // op tpreauth: the card-present hold
  std::vector<json> charges;  // op charge
  std::vector<json> others;   // anything else (an app hold: none is placed in this test)
};

void check_card_session(const SessionIntents& mine, std::int64_t total, std::int64_t card_hold,
                        CardSettlements& seen) {
  REQUIRE(mine.holds.size() == 1);
  const json& hold = mine.holds.front();
  if (total == 0) {
    ++seen.voided;
    CHECK(intent_is(hold, "canceled"));
    CHECK(mine.charges.empty());
    return;
  }
  CHECK(intent_is(hold, "succeeded"));
  if (total <= card_hold || mine.charges.empty()) {
    ++(total <= card_hold ? seen.captured : seen.raised);
    CHECK(received_minor(hold) == total);  // captured the total (from a raised hold above card_hold)
    CHECK(mine.charges.empty());
    return;
  }
  ++seen.captured_and_charged;
  CHECK(received_minor(hold) == card_hold);  // captured whole, the rest charged once
  REQUIRE(mine.charges.size() == 1);
  CHECK(intent_is(mine.charges.front(), "succeeded"));
  CHECK(received_minor(mine.charges.front()) == total - card_hold);
}

void check_app_session(const SessionIntents& mine, std::int64_t total) {
  CHECK(mine.holds.empty());
  if (total == 0) {
    CHECK(mine.charges.empty());
    return;
  }
  REQUIRE(mine.charges.size() == 1);
  CHECK(intent_is(mine.charges.front(), "succeeded"));
  CHECK(received_minor(mine.charges.front()) == total);
}

}  // namespace

std::set<std::string> sessions_walked_into(const json& tracking_state) {
  std::set<std::string> walked;
  for (const auto& passage : tracking_state.at("passages")) {
    if (passage.at("kind") == "admitted" && passage.at("session_id").is_string()) {
      walked.insert(passage.at("session_id").get<std::string>());
    }
  }
  return walked;
}

CardSettlements check_settled_exactly_once(const json& ledger, const std::map<std::string, std::int64_t>& carts,
                                           std::int64_t card_hold) {
  CardSettlements seen;
  INFO(ledger.dump(1));
  CHECK(ledger.at("duplicates").empty());
  CHECK(ledger.at("card_present").at("open_holds") == 0);
  std::map<std::string, SessionIntents> by_session;
  for (const auto& intent : ledger.at("intents")) {
    SessionIntents& mine = by_session[intent.at("session_id").get<std::string>()];
    const std::string op = intent.at("op").get<std::string>();
    (op == "tpreauth" ? mine.holds : op == "charge" ? mine.charges : mine.others).push_back(intent);
  }
  int still_armed = 0;
  for (const auto& [session, mine] : by_session) {
    INFO("session " << session);
    CHECK(mine.others.empty());
    CHECK(mine.holds.size() <= 1);  // one PaymentIntent per card attempt
    for (const auto& intent : mine.holds) CHECK_FALSE(intent_is(intent, "requires_capture"));
    if (const auto cart = carts.find(session); cart != carts.end()) {
      if (mine.holds.empty()) {
        check_app_session(mine, cart->second);
      } else {
        check_card_session(mine, cart->second, card_hold, seen);
      }
      continue;
    }
    // Nobody walked in under this session: nothing collected, nothing held.
    CHECK(mine.charges.empty());
    for (const auto& hold : mine.holds) {
      CHECK(received_minor(hold) == 0);
      if (!intent_is(hold, "canceled")) {
        ++still_armed;  // only the lane's attempt armed now, no card read yet
        CHECK(intent_is(hold, "requires_payment_method"));
      }
    }
  }
  CHECK(still_armed <= 1);
  for (const auto& [session, total] : carts) {
    INFO("session " << session << " cart " << total);
    if (total > 0) CHECK(by_session.contains(session));
  }
  return seen;
}

}  // namespace passgate::scenario
