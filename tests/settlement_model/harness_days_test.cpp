// Hand-written days that check the model harness itself: plain days settle as docs/settlement.md
// says and keep every invariant, so a failure of the generated days is the gate's, not the
// harness's.
#include <catch2/catch.hpp>

#include "tests/settlement_model/day_expectation.hpp"

using namespace passgate::model;

TEST_CASE("settlement model harness: carts within, at and above the hold, and without one, are collected") {
  expect_day_keeps_invariants({
      admit(1, 5000),
      admit(2, 5000),
      admit(3, 5000),
      admit(4, 0),
      time_passes(200),
      final_cart(1, 1200),
      final_cart(2, 5000),
      final_cart(3, 7300),
      final_cart(4, 900),
      time_passes(5000),
  });
}

TEST_CASE("settlement model harness: gateway faults and a crash are ridden out") {
  expect_day_keeps_invariants({
      gateway_fault(0, Fault::timeout_applied),
      admit(1, 5000),
      time_passes(2000),
      gateway_fault(1, Fault::error5xx),
      gateway_fault(1, Fault::in_progress409),
      gateway_fault(1, Fault::rate_limited429),
      final_cart(1, 4000),
      time_passes(1500),
      gateway_fault(1, Fault::timeout_lost),
      crash_restart(3000),
      time_passes(20000),
  });
}

TEST_CASE("settlement model harness: a crash of a day forgets the gateway's keys and nothing is charged twice") {
  expect_day_keeps_invariants({
      admit(1, 0),
      final_cart(1, 2500),
      gateway_fault(1, Fault::timeout_applied),
      time_passes(1500),
      crash_restart(25 * 3600 * 1000),
      time_passes(20000),
  });
}

TEST_CASE("settlement model harness: a declined card is refused at the hold and owes nothing") {
  expect_day_keeps_invariants({
      admit(1, 5000, Card::declined),
      time_passes(1000),
  });
}

TEST_CASE("settlement model harness: the operator's retry and write-off of declined charges") {
  expect_day_keeps_invariants({
      admit(1, 0, Card::declined),
      admit(2, 0, Card::declined),
      final_cart(1, 3000),
      final_cart(2, 4000),
      time_passes(3000),
      operator_retry(0),
      time_passes(500),
      operator_write_off(1),
      time_passes(500),
  });
}

TEST_CASE("settlement model harness: a declined charge retried once the card pays is a new attempt that collects") {
  expect_day_keeps_invariants({
      admit(1, 0, Card::declined),
      final_cart(1, 3000),
      time_passes(3000),
      operator_retry(0),  // "s1:charge:retry1", declined again
      time_passes(500),
      operator_retry(0, Funds::restored),  // "s1:charge:retry2": collected
      time_passes(500),
      crash_restart(25 * 3600 * 1000),  // the gateway forgets the keys
      time_passes(3000),
  });
}

TEST_CASE("settlement model harness: a retry a backward clock step put off is still sent at the day's end") {
  expect_day_keeps_invariants({
      admit(1, 0),
      final_cart(1, 700),
      gateway_fault(1, Fault::rate_limited429),
      time_passes(2100),
      wall_clock_step(-600000),
  });
}

TEST_CASE("settlement model harness: crashes right after answers arrive, before their batch is recorded") {
  // Three charges answered on the same tick: the gate dies as the first answer reaches it, so
  // every outcome of that batch is still unrecorded; the restart resends them with their keys
  // (the second time after a day, when the gateway has forgotten them and they are looked up).
  expect_day_keeps_invariants({
      admit(1, 0),
      admit(2, 0),
      admit(3, 5000),
      final_cart(1, 2500),
      final_cart(2, 700),
      final_cart(3, 6000),
      crash_before_record(0),
      time_passes(3),
      crash_before_record(25 * 3600 * 1000),
      time_passes(20000),
  });
}
