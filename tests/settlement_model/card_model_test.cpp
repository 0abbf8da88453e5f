// The settlement model test with card shoppers: generated store days mixing app shoppers and
// card shoppers who tap at the entry lane (DayMix::with_cards), with config reloads and card
// holds that lapse, played like the app-only days (settlement_model_test.cpp) against the real
// settlement pipeline, its card settlement included, with the invariants of day_invariants.hpp
// and card_invariants.hpp after every step and at each day's end (generated_days.hpp).
//
// ctest runs kDefaultDays days from kDefaultSeed. A long run (the same variables as the app
// model's):
//   PASSGATE_MODEL_DAYS=100000 PASSGATE_MODEL_SEED=1 build/asan/tests/test_settlement_model "settlement model: card*"
#include <catch2/catch.hpp>
#include <cstdint>

#include "tests/settlement_model/generated_days.hpp"

using namespace passgate::model;

namespace {

constexpr std::uint64_t kDefaultCardDays =
    100;  // about 20 s under ASan on two busy cores (a card day costs 1.5 app days)
constexpr std::uint64_t kDefaultCardSeed = 20261207;

}  // namespace

TEST_CASE("settlement model: card shoppers' generated store days keep the money invariants") {
  run_generated_days(DayMix::with_cards, kDefaultCardDays, kDefaultCardSeed);
}
