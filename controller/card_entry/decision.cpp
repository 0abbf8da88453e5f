#include "controller/card_entry/decision.hpp"

namespace passgate::controller {

std::string_view to_string(CardDenial reason) {
  switch (reason) {
    case CardDenial::payment_declined:
      return "payment_declined";
    case CardDenial::tap_failed:
      return "tap_failed";
    case CardDenial::card_in_session:
      return "card_in_session";
    case CardDenial::shopper_blocked:
      return "shopper_blocked";
    case CardDenial::terminal_unavailable:
      return "terminal_unavailable";
    case CardDenial::lane_unavailable:
      return "lane_unavailable";
  }
  return "terminal_unavailable";
}

DenialReason denial_reason(CardDenial reason) {
  switch (reason) {
    case CardDenial::payment_declined:
      return DenialReason::payment_declined;
    case CardDenial::tap_failed:
      return DenialReason::tap_failed;
    case CardDenial::card_in_session:
      return DenialReason::card_in_session;
    case CardDenial::shopper_blocked:
      return DenialReason::shopper_blocked;
    case CardDenial::terminal_unavailable:
      return DenialReason::terminal_unavailable;
    case CardDenial::lane_unavailable:
      return DenialReason::lane_unavailable;
  }
  return DenialReason::terminal_unavailable;
}

}  // namespace passgate::controller
