// Hand-written days with card shoppers that check the model harness itself: plain card days
// settle as docs/settlement.md ("Card sessions") says and keep every invariant, so a failure
// of the generated card days is the gate's, not the harness's.
#include <catch2/catch.hpp>

#include "tests/settlement_model/day_expectation.hpp"

using namespace passgate::model;

namespace {

constexpr std::int64_t kSecondMs = 1000;

CardTap card(int number, bool wallet = false, Card rest = Card::visa) {
  CardTap tap;
  tap.number = number;
  tap.wallet = wallet;
  tap.rest = rest;
  return tap;
}

CardTap lapsing_within(std::int64_t ms, int number) {
  CardTap tap = card(number);
  tap.capture_window_ms = ms;
  return tap;
}

CardTap saying(Deadline deadline, int number) {
  CardTap tap = card(number);
  tap.deadline = deadline;
  return tap;
}

}  // namespace

TEST_CASE("settlement model harness: card carts of 0, below, at and above the hold are voided, captured, charged") {
  expect_day_keeps_invariants({
      card_tap(1, 3000, card(0)),
      card_tap(2, 3000, card(1)),
      card_tap(3, 3000, card(2)),
      card_tap(4, 3000, card(3)),
      time_passes(200),
      final_cart(1, 0),
      final_cart(2, 1200),
      final_cart(3, 3000),
      final_cart(4, 7300),
      time_passes(5000),
  });
}

TEST_CASE("settlement model harness: a wallet's rest and a declined rest leave the card partially paid, blocklisted") {
  expect_day_keeps_invariants({
      card_tap(1, 1500, card(0, true)),
      card_tap(2, 1500, card(1, false, Card::declined)),
      final_cart(1, 4000),
      final_cart(2, 4000),
      time_passes(5000),
      card_tap(3, 1500, card(1)),  // blocklisted: turned away, its hold voided
      final_cart(3, 900),
      time_passes(2000),
      operator_write_off(0),
      time_passes(2000),
  });
}

TEST_CASE("settlement model harness: a card hold that lapsed before the cart is replaced by a charge of the cart") {
  expect_day_keeps_invariants({
      card_tap(1, 3000, lapsing_within(5 * kSecondMs, 0)),
      time_passes(8 * kSecondMs),
      final_cart(1, 2500),
      time_passes(5000),
  });
}

TEST_CASE("settlement model harness: a card's second tap while its session is open is turned away") {
  expect_day_keeps_invariants({
      card_tap(1, 3000, card(2)),
      card_tap(2, 3000, card(2)),
      final_cart(2, 500),
      final_cart(1, 2000),
      gateway_fault(1, Fault::timeout_applied),
      crash_restart(2000),
      config_reload(1),
      time_passes(5000),
  });
}

TEST_CASE("settlement model harness: reloads rotate the sealing keys; one dropping a key still in use is refused") {
  expect_day_keeps_invariants({
      card_tap(1, 3000, card(0)),
      admit(2, 5000),
      config_reload(3),  // a new current key, the previous one kept
      card_tap(3, 1500, card(1)),
      config_reload(8),  // the new key alone: refused, s1's and s3's references need the old ones
      final_cart(1, 4000),
      final_cart(2, 6000),
      final_cart(3, 1000),
      time_passes(5000),
      config_reload(6),  // once settled, nothing needs them: a key alone is taken
      card_tap(4, 3000, card(0)),
      final_cart(4, 2000),
      time_passes(5000),
  });
}


TEST_CASE("settlement model harness: a declined remainder retried once the card pays is collected, the card let in") {
  expect_day_keeps_invariants({
      card_tap(1, 1500, card(1, false, Card::declined)),
      final_cart(1, 4000),
      time_passes(5000),  // 15.00 captured, the rest declined: a remainder, the card listed
      operator_retry(0),  // the remainder sent under its own key: declined again
      time_passes(2000),
      operator_retry(0, Funds::restored),  // a new attempt, ":charge:remainder:retry1": collected
      time_passes(2000),
      card_tap(2, 1500, card(1)),  // the entry lifted: the card enters
      final_cart(2, 1000),
      time_passes(5000),
  });
}

TEST_CASE("settlement model harness: a declined remainder's new attempts decline while the card cannot pay") {
  expect_day_keeps_invariants({
      card_tap(1, 1500, card(2, false, Card::declined)),
      final_cart(1, 2600),
      time_passes(5000),
      operator_retry(0),
      time_passes(2000),
      operator_retry(0),  // ":retry1", declined: the card stays listed
      time_passes(2000),
      operator_retry(0),  // ":retry2"
      time_passes(2000),
      card_tap(2, 1500, card(2)),  // turned away
      operator_write_off(0),  // the entry lifted
      time_passes(2000),
  });
}

TEST_CASE("settlement model harness: a hold read without capture_before is admitted; one with nonsense is turned away") {
  CardTap lapsing_untold = lapsing_within(5 * kSecondMs, 0);
  lapsing_untold.deadline = Deadline::untold;
  expect_day_keeps_invariants({
      card_tap(1, 3000, lapsing_untold),
      card_tap(2, 3000, saying(Deadline::untold, 1)),
      card_tap(3, 3000, saying(Deadline::milliseconds, 2)),
      card_tap(4, 3000, saying(Deadline::before_tap, 3)),
      card_tap(5, 3000, saying(Deadline::past_31_days, 2)),
      card_tap(6, 3000, saying(Deadline::huge, 3)),
      time_passes(8 * kSecondMs),
      final_cart(1, 2500),  // its hold lapsed: the capture refused, the hold read canceled, charged
      final_cart(2, 1200),
      time_passes(5000),
  });
}
