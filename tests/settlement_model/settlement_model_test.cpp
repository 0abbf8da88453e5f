// The settlement model test: generated store days (day_generator.hpp) played against the
// real settlement pipeline in virtual time (gate_process.hpp) and the gateway simulator's
// ledger (ledger_gateway.hpp), with the money invariants of day_invariants.hpp checked after
// every step and at each day's end. Half the days are store days (day_generator.hpp): a gate
// with [store], unverified admissions, double uses, the claim wait (store_invariants.hpp). A failing day is shrunk to its shortest failing step
// sequence (day_shrinker.hpp) and printed as a regression TEST_CASE to paste into
// regression_days_test.cpp.
//
// ctest (scripts/test.sh) runs kDefaultDays days from kDefaultSeed. A long run is one command
// (any build directory; scripts/test.sh builds build/asan):
//   PASSGATE_MODEL_DAYS=100000 PASSGATE_MODEL_SEED=1 build/asan/tests/test_settlement_model "settlement model: generated*"
// Day n of a run uses seed PASSGATE_MODEL_SEED + n; one day again, from the seed printed:
//   PASSGATE_MODEL_DAYS=1 PASSGATE_MODEL_SEED=<day seed> build/asan/tests/test_settlement_model "settlement model: generated*"
// PASSGATE_MODEL_KEEP_GOING=1 carries on after a failure (the first failure of each invariant is
// shrunk and printed); PASSGATE_MODEL_LOG=1 keeps the gate's log lines.
#include <catch2/catch.hpp>

#include <cstdint>

#include "tests/settlement_model/generated_days.hpp"

using namespace passgate::model;

namespace {

constexpr std::uint64_t kDefaultDays = 250;  // about 30 s under ASan on two busy cores
constexpr std::uint64_t kDefaultSeed = 20261121;

}  // namespace

TEST_CASE("settlement model: generated store days keep the money invariants") {
  run_generated_days(DayMix::app_only, kDefaultDays, kDefaultSeed);
}
