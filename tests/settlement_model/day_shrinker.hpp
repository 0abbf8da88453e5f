// shrink_day: the shortest failing step sequence found for a failing day, by delta debugging
// (ddmin: drop chunks of steps, halving the chunk size, while the day still fails), then
// dropping single steps until none can go. "Still fails" means: run_day reports a violation
// of the same invariant. Every try is a full deterministic re-run of the day.
#pragma once

#include <string>
#include <vector>

#include "tests/settlement_model/day_steps.hpp"

namespace passgate::model {

struct ShrunkDay {
  std::vector<Step> steps;
  int runs = 0;  // how many days were run to find it
};

[[nodiscard]] ShrunkDay shrink_day(const std::vector<Step>& failing, const std::string& invariant);

}  // namespace passgate::model
