// expect_day_keeps_invariants: plays one fixed day (a shrunk failure the settlement model test
// found, or a hand-written one) and fails the test with the violated invariant, its detail and
// the steps if the day breaks one.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/settlement_model/day_runner.hpp"
#include "tests/settlement_model/quiet_log.hpp"

namespace passgate::model {

inline void expect_day_keeps_invariants(const std::vector<Step>& steps) {
  const QuietLog quiet;
  const DayResult result = run_day(steps);
  if (!result.violation) {
    SUCCEED("the day keeps every invariant");
    return;
  }
  const std::string where =
      result.after_step < steps.size() ? "after step " + std::to_string(result.after_step + 1) : "at the day's end";
  FAIL_CHECK("broke \"" << result.violation->invariant << "\" " << where << ":\n  " << result.violation->detail
                        << "\nsteps:\n" << to_code(steps, 0));
}

}  // namespace passgate::model
