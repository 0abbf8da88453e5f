// The test cards a simulated reader accepts at a tap (POST /v1/test_helpers/terminal/readers/
// {reader}/present_payment_method, card_present[number]) and how an authorization of a hold
// on them ends, as in Stripe's test mode (docs/card-tap-simulator.md, "Test
// values"): 4242424242424242 approves (and so do Stripe's 5555555555554444, 378282246310005,
// 6011111111111117, 4000056655665556, 5200828282828210 and 3566002020360505, for several
// cards at once), 4000000000000002 declines (generic_decline),
// 4000000000009995 declines (insufficient_funds), and an approving card declines a hold
// whose amount ends in .01 / .05 / .55 / .65 / .75 (call_issuer / generic_decline /
// incorrect_pin / withdrawal_count_limit_exceeded / pin_try_exceeded). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace passgate::sim {

inline constexpr const char* kDefaultTestCard = "4242424242424242";

struct TestCard {
  const char* number;
  const char* brand;
  const char* decline_code;  // null: approves (unless the amount says otherwise)
};

struct CardDecline {
  std::string decline_code;  // e.g. insufficient_funds
  std::string message;       // e.g. "Your card has insufficient funds."
};

// The test card with this number, or null.
[[nodiscard]] const TestCard* find_test_card(std::string_view number);
// "4242424242424242, 5555555555554444, ...", every number, for error messages.
[[nodiscard]] std::string test_card_numbers();
// A stable fingerprint (16 characters) of the card with `number`, or of a phone wallet's
// device token for it (`wallet`): the same input gives the same value in every run.
[[nodiscard]] std::string card_fingerprint(std::string_view number, bool wallet);
// How authorizing `amount` (minor units) on `card` ends: nothing when approved.
[[nodiscard]] std::optional<CardDecline> authorization_decline(const TestCard& card, std::int64_t amount);

}  // namespace passgate::sim
