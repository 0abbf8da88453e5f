// PassageDetector: counts the people passing one lane, and their direction, from the order
// in which its two beams are blocked (debounced levels of beam_outer and beam_inner) and
// from the optional passage sensor's pulses. Used by LaneInputs, one per lane.
//
// An excursion runs from "clear" back to "clear". Its direction is set by the beam blocked
// first: outer → `in`, inner → `out`; below, for `in` (for `out` swap outer and inner).
// One body's walk is outer → both → inner (oscillating in between is still one walk: a
// sway, a step back, a bag); the walk went through once it was seen at the inner beam
// alone. Several bodies may pass in one excursion, one close behind the other:
//   - A new body is the outer beam blocked again while the inner beam is blocked, after
//     it had cleared (inner → both). It is told apart from the body ahead only when the
//     inner beam then clears while the outer beam is still held (both → outer): the body
//     ahead went through (counted) and the new one walks on its own, and is counted only
//     if it too goes through (one that steps up and backs out is not).
//   - An outer beam blocked again and cleared again while the inner beam never cleared
//     (inner → both → inner) is no new body: a sway, an arm or bag, or someone who stepped
//     up and back. A gap between two people passes both beams, so the inner beam sees it
//     too; two bodies glued so close that the inner beam never sees a gap cannot be told
//     apart by the beams at all (the passage sensor, where wired, counts them).
//   - No duration rule but the debounce: a block or a gap shorter than the beams' debounce
//     time (a trolley's wire basket, a swinging hand) never reaches this class. A block
//     that lasts longer is a body wherever the order above says so, however short.
//   - Ambiguous orders are counted, not dropped (every person who enters must be counted):
//     outer → both → inner → both → outer → clear is the person ahead going in and a
//     second one backing out (one `in`), even though it could also be one person who went
//     in as far as the inner beam alone and came back.
// The passage sensor (a rotation/flap sensor, one pulse per person through the barrier, in
// either direction) is counted while the lane is occupied; a pulse while it is clear counts
// nothing. At the end of an excursion the number of passages is the larger of the bodies
// counted by the beams and the sensor's pulses, all in the excursion's direction (so a
// pulse counts even where the beams saw no passage).
// Each passage is reported on its own, in order, when the lane is clear again and before
// on_occupancy(none): an entry lane, which uses one place of a grant per passage (one
// beyond the grant is a tailgater), keeps its barrier released until then.
// Pure logic: no timers, no I/O. Callbacks run synchronously inside the set_* and
// sensor_pulse calls. Single-threaded.
#pragma once

#include <functional>
#include <string_view>

namespace passgate::hw {

enum class PassageDirection { in, out };  // in: outer → inner (entering the store)

// Which beams are blocked right now.
enum class Occupancy { none, outer, both, inner };

[[nodiscard]] std::string_view to_string(PassageDirection d);
[[nodiscard]] std::string_view to_string(Occupancy o);
[[nodiscard]] bool outer_blocked(Occupancy o);
[[nodiscard]] bool inner_blocked(Occupancy o);

class PassageDetector {
 public:
  struct Callbacks {
    // One person passed. Called once per person, in order, before on_occupancy reports
    // the lane clear.
    std::function<void(PassageDirection)> on_passage;
    // Every change of occupancy (the beam hook: an exit lane opens on inner_blocked()).
    std::function<void(Occupancy)> on_occupancy;
  };

  explicit PassageDetector(Callbacks callbacks);

  // Debounced level of beam_outer / beam_inner (true = blocked). Repeats change nothing.
  void set_outer(bool blocked);
  void set_inner(bool blocked);
  // A debounced pulse of the lane's passage sensor (its rising edge).
  void sensor_pulse();

  [[nodiscard]] Occupancy occupancy() const { return occupancy_; }

 private:
  void move_to(Occupancy next);
  // The walk now under way (from the excursion's first beam) went through.
  [[nodiscard]] bool walk_went_through() const;
  void end_excursion();

  Callbacks callbacks_;
  Occupancy occupancy_ = Occupancy::none;
  // The current excursion from clear (meaningful while occupancy_ != none).
  Occupancy near_ = Occupancy::none;  // the single beam blocked first: outer (in) or inner (out)
  int bodies_through_ = 0;            // bodies ahead of the current walk that went through
  int sensor_pulses_ = 0;
  // The current walk: the body nearest the excursion's first beam.
  Occupancy last_single_ = Occupancy::none;  // the single beam blocked most recently
  bool saw_both_ = false;
};

}  // namespace passgate::hw
