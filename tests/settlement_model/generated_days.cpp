// The settlement model tests' loop (generated_days.hpp).
#include "tests/settlement_model/generated_days.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "tests/settlement_model/day_runner.hpp"
#include "tests/settlement_model/day_shrinker.hpp"
#include "tests/settlement_model/quiet_log.hpp"

namespace passgate::model {

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::stoull(text) : fallback;
}

// The failing day, shrunk, as a report with the regression TEST_CASE to paste.
std::string shrunk_report(std::uint64_t seed, const std::vector<Step>& steps, const DayResult& failed) {
  const Violation& violation = *failed.violation;
  const std::string where = failed.after_step < steps.size() ? "after step " + std::to_string(failed.after_step + 1) +
                                                                   " (" + to_code(steps[failed.after_step]) + ")"
                                                             : "at the day's end";
  std::string report = "settlement model: day seed " + std::to_string(seed) + " (" + std::to_string(steps.size()) +
                       " steps) broke \"" + violation.invariant + "\" " + where + ":\n  " + violation.detail + "\n";
  const ShrunkDay shrunk = shrink_day(steps, violation.invariant);
  const DayResult again = run_day(shrunk.steps);
  report += "shrunk in " + std::to_string(shrunk.runs) + " runs to " + std::to_string(shrunk.steps.size()) +
            " steps, failing with:\n  " + (again.violation ? again.violation->detail : std::string("(nothing?)")) +
            "\nas a regression test (regression_days_test.cpp):\n\n" +
            "TEST_CASE(\"settlement model regression: " + violation.invariant + " (day seed " + std::to_string(seed) +
            ")\") {\n  expect_day_keeps_invariants(" + to_code(shrunk.steps, 2) + ");\n}\n";
  return report;
}

}  // namespace

void run_generated_days(DayMix mix, std::uint64_t default_days, std::uint64_t default_seed) {
  const QuietLog quiet;
  const std::uint64_t days = env_number("PASSGATE_MODEL_DAYS", default_days);
  const std::uint64_t first_seed = env_number("PASSGATE_MODEL_SEED", default_seed);
  const bool keep_going = env_number("PASSGATE_MODEL_KEEP_GOING", 0) != 0;
  const auto started = std::chrono::steady_clock::now();
  std::set<std::string> broken;  // invariants already reported
  std::uint64_t failed_days = 0;
  std::uint64_t steps_played = 0;
  std::uint64_t days_run = 0;
  for (std::uint64_t day = 0; day < days; ++day) {
    const std::uint64_t seed = first_seed + day;
    const std::vector<Step> steps = generate_day(seed, mix);
    steps_played += steps.size();
    ++days_run;
    const DayResult result = run_day(steps);
    if (!result.violation) continue;
    ++failed_days;
    if (broken.insert(result.violation->invariant).second) {
      // Printed as it is: Catch would wrap the lines of the TEST_CASE to paste.
      std::cout << shrunk_report(seed, steps, result) << std::flush;
      FAIL_CHECK("day seed " << seed << " broke \"" << result.violation->invariant << "\" (shrunk above)");
    }
    if (!keep_going) break;
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "settlement model" << (mix == DayMix::with_cards ? " (card shoppers)" : "") << ": " << days_run
            << " days (" << steps_played << " steps) from seed " << first_seed << " in " << seconds << " s; "
            << failed_days << " failed\n";
}

}  // namespace passgate::model
