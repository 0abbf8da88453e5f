// run_day: plays a store day's steps against a fresh gate (its own database file, gateway
// ledger and reference model; with [store] and the model's etcd when the day has store steps,
// runs_store), checks the invariants (day_invariants.hpp) after every step,
// then stops the faults, lets virtual time run until the gate is quiet and checks the day's
// end. Returns the first violation and the step after which it was seen. Deterministic: the
// same steps give the same result (run_day is what the shrinker re-runs).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "tests/settlement_model/day_invariants.hpp"
#include "tests/settlement_model/day_steps.hpp"

namespace passgate::model {

struct DayResult {
  std::optional<Violation> violation;
  std::size_t after_step = 0;  // the index of the step; the number of steps: at the day's end
};

[[nodiscard]] DayResult run_day(const std::vector<Step>& steps);

}  // namespace passgate::model
