#include "hw/passage_detector.hpp"

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

void PassageDetector::move_to(Occupancy next) {
  if (next == occupancy_) return;
  const Occupancy previous = occupancy_;
  occupancy_ = next;
  switch (next) {
    case Occupancy::none:
      if (const auto direction = completed_passage(); direction && callbacks_.on_passage) {
        callbacks_.on_passage(*direction);
      }
      break;
    case Occupancy::both:
      // Only reachable from a single beam: set_* changes one beam at a time.
      saw_both_ = true;
      break;
    case Occupancy::outer:
    case Occupancy::inner:
      if (previous == Occupancy::none) {
        first_ = next;
        saw_both_ = false;
      }
      last_single_ = next;
      break;
  }
  if (callbacks_.on_occupancy) callbacks_.on_occupancy(occupancy_);
}

std::optional<PassageDirection> PassageDetector::completed_passage() const {
  if (!saw_both_) return std::nullopt;
  if (first_ == Occupancy::outer && last_single_ == Occupancy::inner) return PassageDirection::in;
  if (first_ == Occupancy::inner && last_single_ == Occupancy::outer) return PassageDirection::out;
  return std::nullopt;
}

}  // namespace passgate::hw
