// shrink_day (day_shrinker.hpp): ddmin over the steps, then one-step removal to a fixpoint.
#include "tests/settlement_model/day_shrinker.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <utility>

#include "tests/settlement_model/day_runner.hpp"

namespace passgate::model {

namespace {

class Shrinker {
 public:
  explicit Shrinker(std::string invariant) : invariant_(std::move(invariant)) {}

  ShrunkDay shrink(std::vector<Step> steps) {
    steps = ddmin(std::move(steps));
    steps = drop_single_steps(std::move(steps));
    steps = shorten_durations(std::move(steps));
    steps = renumber_sessions(std::move(steps));
    return ShrunkDay{std::move(steps), runs_};
  }

 private:
  bool still_fails(const std::vector<Step>& steps) {
    ++runs_;
    const DayResult result = run_day(steps);
    return result.violation && result.violation->invariant == invariant_;
  }

  // Tries the complement of each of `parts` chunks; on a failure keeps it and coarsens,
  // otherwise refines, until chunks are single steps.
  std::vector<Step> ddmin(std::vector<Step> steps) {
    std::size_t parts = 2;
    while (steps.size() >= 2) {
      const std::size_t chunk = (steps.size() + parts - 1) / parts;
      bool reduced = false;
      for (std::size_t start = 0; start < steps.size(); start += chunk) {
        std::vector<Step> rest(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(start));
        rest.insert(rest.end(), steps.begin() + static_cast<std::ptrdiff_t>(std::min(start + chunk, steps.size())),
                    steps.end());
        if (!rest.empty() && still_fails(rest)) {
          steps = std::move(rest);
          parts = std::max<std::size_t>(parts - 1, 2);
          reduced = true;
          break;
        }
      }
      if (reduced) continue;
      if (chunk == 1) break;
      parts = std::min(parts * 2, steps.size());
    }
    return steps;
  }

  std::vector<Step> drop_single_steps(std::vector<Step> steps) {
    for (bool dropped = true; dropped;) {
      dropped = false;
      for (std::size_t i = 0; i < steps.size() && steps.size() > 1;) {
        std::vector<Step> rest = steps;
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
        if (still_fails(rest)) {
          steps = std::move(rest);
          dropped = true;
        } else {
          ++i;
        }
      }
    }
    return steps;
  }

  // Each stretch of time, clock step and downtime as short as it can be: 0, 1 ms, a second,
  // or half of it, whichever first still fails.
  std::vector<Step> shorten_durations(std::vector<Step> steps) {
    for (Step& step : steps) {
      const bool duration = step.kind == Step::Kind::time || step.kind == Step::Kind::wall || step.kind == Step::Kind::crash ||
                            step.kind == Step::Kind::crash_recording || step.kind == Step::Kind::hours;
      for (bool shorter = duration; shorter;) {
        shorter = false;
        const std::int64_t was = step.amount;
        for (const std::int64_t candidate : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1000}, was / 2}) {
          if (std::abs(candidate) >= std::abs(was)) continue;
          step.amount = candidate;
          if (still_fails(steps)) {
            shorter = true;
            break;
          }
          step.amount = was;
        }
      }
    }
    return steps;
  }

  // Sessions numbered 1, 2, ... in the order they first appear, if the day still fails so.
  std::vector<Step> renumber_sessions(std::vector<Step> steps) {
    std::map<int, int> numbers;
    std::vector<Step> renumbered = steps;
    for (Step& step : renumbered) {
      if (step.session == 0) continue;
      step.session = numbers.emplace(step.session, static_cast<int>(numbers.size()) + 1).first->second;
    }
    return renumbered != steps && still_fails(renumbered) ? renumbered : steps;
  }

  std::string invariant_;
  int runs_ = 0;
};

}  // namespace

ShrunkDay shrink_day(const std::vector<Step>& failing, const std::string& invariant) {
  return Shrinker(invariant).shrink(failing);
}

}  // namespace passgate::model
