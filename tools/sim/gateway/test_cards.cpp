#include "tools/sim/gateway/test_cards.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace passgate::sim {
namespace {

constexpr TestCard kTestCards[] = {
    {"4242424242424242", "visa", nullptr},
    // Stripe's other approving test cards: distinct cards (fingerprints) for shoppers inside at once.
    {"5555555555554444", "mastercard", nullptr},
    {"378282246310005", "amex", nullptr},
    {"6011111111111117", "discover", nullptr},
    {"4000056655665556", "visa", nullptr},
    {"5200828282828210", "mastercard", nullptr},
    {"3566002020360505", "jcb", nullptr},
    {"4000000000000002", "visa", "generic_decline"},
    {"4000000000009995", "visa", "insufficient_funds"},
};

struct AmountDecline {
  std::int64_t cents;  // the amount's last two digits
  const char* decline_code;
};

constexpr AmountDecline kAmountDeclines[] = {
    {1, "call_issuer"},  {5, "generic_decline"},  {55, "incorrect_pin"},
    {65, "withdrawal_count_limit_exceeded"},      {75, "pin_try_exceeded"},
};

std::string message_of(std::string_view decline_code) {
  if (decline_code == "insufficient_funds") return "Your card has insufficient funds.";
  if (decline_code == "incorrect_pin") return "The PIN entered is incorrect.";
  if (decline_code == "pin_try_exceeded") return "The allowable number of PIN tries was exceeded.";
  return "Your card was declined.";
}

}  // namespace

const TestCard* find_test_card(std::string_view number) {
  const auto* card = std::find_if(std::begin(kTestCards), std::end(kTestCards),
                                  [number](const TestCard& c) { return number == c.number; });
  return card == std::end(kTestCards) ? nullptr : card;
}

std::string test_card_numbers() {
  std::string text;
  for (const auto& card : kTestCards) text += (text.empty() ? "" : ", ") + std::string(card.number);
  return text;
}

std::string card_fingerprint(std::string_view number, bool wallet) {
  // FNV-1a, 64 bits: stable across runs and builds; a simulator's fingerprint needs no secrecy.
  std::uint64_t hash = 14695981039346656037ULL;
  const auto mix = [&hash](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
  };
  mix(wallet ? "wallet-token:" : "card:");
  mix(number);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::optional<CardDecline> authorization_decline(const TestCard& card, std::int64_t amount) {
  if (card.decline_code != nullptr) return CardDecline{card.decline_code, message_of(card.decline_code)};
  const auto* by_amount = std::find_if(std::begin(kAmountDeclines), std::end(kAmountDeclines),
                                       [amount](const AmountDecline& d) { return amount % 100 == d.cents; });
  if (by_amount == std::end(kAmountDeclines)) return std::nullopt;
  return CardDecline{by_amount->decline_code, message_of(by_amount->decline_code)};
}

}  // namespace passgate::sim
