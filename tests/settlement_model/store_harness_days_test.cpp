// Hand-written store days (docs/store-coordination.md) that check the model harness's store
// side: each keeps every invariant, and the invariants say what must have happened (a cart
// collected once at the day's end, or held in the quarantine only where the model's other gate
// array took the token; a double use found while the store answers).
#include <catch2/catch.hpp>

#include "db/settlement_store.hpp"
#include "tests/settlement_model/day_expectation.hpp"
#include "tests/settlement_model/store_steps.hpp"

using namespace passgate::model;

namespace {

// From an admission to past its token's claim wait.
constexpr std::int64_t kPastClaimWaitMs = (passgate::db::SettlementStore::kClaimWaitMaxS + kTokenLifeS + 60) * 1000;

}  // namespace

TEST_CASE("store model harness: an unverified admission's cart is collected once the store answers") {
  expect_day_keeps_invariants({
      admit_unverified(1, 5000),
      admit_unverified(2, 0),
      time_passes(3000),
      final_cart(1, 7300),
      final_cart(2, 900),
      time_passes(20000),
      store_answers(1, Resolution::claimed),
      time_passes(20000),
  });
}

TEST_CASE("store model harness: a double use's cart is held until the operator charges it") {
  expect_day_keeps_invariants({
      admit_unverified(1, 5000),
      admit_unverified(2, 1500),
      time_passes(3000),
      final_cart(1, 4000),
      store_answers(1, Resolution::double_use),
      time_passes(20000),
      store_answers(2, Resolution::double_use),
      time_passes(20000),
      final_cart(2, 2000),
      time_passes(5000),
      operator_charges_cart(1),  // without --double-use: refused, nothing written
      time_passes(5000),
      operator_charges_cart(0),  // with it: charged
      time_passes(20000),
  });
}

TEST_CASE("store model harness: with [store] removed, the claim wait alone releases the cart") {
  expect_day_keeps_invariants({
      admit_unverified(1, 5000),
      time_passes(3000),
      final_cart(1, 6000),
      store_removed(),
      time_passes(20000),
      hours_pass(kPastClaimWaitMs),
      time_passes(20000),
  });
}

TEST_CASE("store model harness: past the claim wait with the store silent, the claim lapses unchecked and the "
          "cart is collected, whatever the other array did") {
  expect_day_keeps_invariants({
      admit_unverified(1, 0),
      final_cart(1, 2500),
      store_answers(1, Resolution::unreachable),
      hours_pass(kPastClaimWaitMs),
      time_passes(20000),
      wall_clock_step(-3 * 3600 * 1000),
      store_answers(1, Resolution::double_use),
      time_passes(20000),
  });
}

TEST_CASE("store model harness: a cart charged after correction is held again by a double use; the operator "
          "charges it with --double-use, and queue retry may send its declined charge again") {
  expect_day_keeps_invariants({
      admit_unverified(1, 0),
      final_cart(1, 10'000'200),
      time_passes(3000),
      operator_charges_cart(0),
      time_passes(3000),
      store_answers(1, Resolution::double_use),
      time_passes(20000),
      gateway_fault(1, Fault::decline),
      operator_charges_cart(0),
      time_passes(20000),
      operator_retry(0),
      time_passes(20000),
  });
}

TEST_CASE("store model harness: a cart quarantined over the limit says double_use once the double use is found, "
          "and the operator's deliberate charge of that row collects it") {
  expect_day_keeps_invariants({
      admit_unverified(1, 5000),
      time_passes(3000),
      final_cart(1, 10'000'300),
      time_passes(3000),
      store_answers(1, Resolution::double_use),
      time_passes(20000),
      operator_charges_cart(0),
      time_passes(20000),
  });
}
