// run_generated_days: the settlement model tests' loop (settlement_model_test.cpp for app
// shoppers, card_model_test.cpp for days with card shoppers): generated store days
// (day_generator.hpp) played one after another (day_runner.hpp); the first failing day of each
// invariant is shrunk (day_shrinker.hpp) and printed as a regression TEST_CASE to paste into
// regression_days_test.cpp, and the test fails. How many days and from which seed:
//   PASSGATE_MODEL_DAYS (default `default_days`), PASSGATE_MODEL_SEED (default `default_seed`):
//   day n of a run uses seed PASSGATE_MODEL_SEED + n;
//   PASSGATE_MODEL_KEEP_GOING=1 carries on after a failure; PASSGATE_MODEL_LOG=1 keeps the gate's
//   log lines. The run's days, steps and time are printed at the end.
#pragma once

#include <cstdint>

#include "tests/settlement_model/day_generator.hpp"

namespace passgate::model {

void run_generated_days(DayMix mix, std::uint64_t default_days, std::uint64_t default_seed);

}  // namespace passgate::model
