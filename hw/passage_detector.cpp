#include "hw/passage_detector.hpp"

#include <algorithm>
#include <utility>

namespace passgate::hw {
namespace {

Occupancy occupancy_of(bool outer, bool inner) {
  if (outer && inner) return Occupancy::both;
  if (outer) return Occupancy::outer;
  if (inner) return Occupancy::inner;
  return Occupancy::none;
}

}  // namespace

std::string_view to_string(PassageDirection d) { return d == PassageDirection::in ? "in" : "out"; }

std::string_view to_string(Occupancy o) {
  switch (o) {
    case Occupancy::none: return "none";
    case Occupancy::outer: return "outer";
    case Occupancy::both: return "both";
    case Occupancy::inner: return "inner";
  }
  return "unknown";
}

bool outer_blocked(Occupancy o) { return o == Occupancy::outer || o == Occupancy::both; }
bool inner_blocked(Occupancy o) { return o == Occupancy::inner || o == Occupancy::both; }

PassageDetector::PassageDetector(Callbacks callbacks) : callbacks_(std::move(callbacks)) {}

void PassageDetector::set_outer(bool blocked) { move_to(occupancy_of(blocked, inner_blocked(occupancy_))); }

void PassageDetector::set_inner(bool blocked) { move_to(occupancy_of(outer_blocked(occupancy_), blocked)); }

void PassageDetector::sensor_pulse() {
  if (occupancy_ != Occupancy::none) ++sensor_pulses_;
}

void PassageDetector::move_to(Occupancy next) {
  if (next == occupancy_) return;
  const Occupancy previous = occupancy_;
  occupancy_ = next;
  switch (next) {
    case Occupancy::none:
      end_excursion();
      break;
    case Occupancy::both:
      // Only reachable from a single beam: set_* changes one beam at a time.
      saw_both_ = true;
      break;
    case Occupancy::outer:
    case Occupancy::inner:
      if (previous == Occupancy::none) {
        near_ = next;
        bodies_through_ = 0;
        sensor_pulses_ = 0;
        saw_both_ = false;
      } else if (next == near_ && walk_went_through()) {
        // The far beam cleared while someone holds the near one: the body ahead went
        // through, and the one at the near beam walks on its own.
        ++bodies_through_;
        saw_both_ = false;
      }
      last_single_ = next;
      break;
  }
  if (callbacks_.on_occupancy) callbacks_.on_occupancy(occupancy_);
}

bool PassageDetector::walk_went_through() const {
  return saw_both_ && last_single_ != Occupancy::none && last_single_ != near_;
}

void PassageDetector::end_excursion() {
  const int by_beams = bodies_through_ + (walk_went_through() ? 1 : 0);
  const int passages = std::max(by_beams, sensor_pulses_);
  const PassageDirection direction = near_ == Occupancy::outer ? PassageDirection::in : PassageDirection::out;
  near_ = Occupancy::none;
  last_single_ = Occupancy::none;
  bodies_through_ = 0;
  sensor_pulses_ = 0;
  saw_both_ = false;
  if (!callbacks_.on_passage) return;
  for (int i = 0; i < passages; ++i) callbacks_.on_passage(direction);
}

}  // namespace passgate::hw
