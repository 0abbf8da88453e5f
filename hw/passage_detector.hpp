// PassageDetector: recognises people passing one lane from the order in which its two
// beams are blocked (debounced levels of beam_outer and beam_inner). A passage is one
// excursion from "clear" back to "clear" in which
//   - the first beam blocked was outer (in) or inner (out),
//   - both beams were blocked at some point, and
//   - the last beam blocked alone before clear is the other one.
// So outer → both → inner → clear is one `in`, and an oscillation inside
// (outer → both → inner → both → inner → clear) is still one `in`. Backing out
// (outer → both → outer → clear), a half passage or something blocking one beam only is no
// passage. People not separated by a clear moment count as one excursion.
// Pure logic: no timers, no I/O. Callbacks run synchronously inside the set_* call.
#pragma once

#include <functional>
#include <optional>
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
    // A completed passage. Called before on_occupancy reports the lane clear.
    std::function<void(PassageDirection)> on_passage;
    // Every change of occupancy (the beam hook: an exit lane opens on inner_blocked()).
    std::function<void(Occupancy)> on_occupancy;
  };

  explicit PassageDetector(Callbacks callbacks);

  // Debounced level of beam_outer / beam_inner (true = blocked). Repeats change nothing.
  void set_outer(bool blocked);
  void set_inner(bool blocked);

  [[nodiscard]] Occupancy occupancy() const { return occupancy_; }

 private:
  void move_to(Occupancy next);
  [[nodiscard]] std::optional<PassageDirection> completed_passage() const;

  Callbacks callbacks_;
  Occupancy occupancy_ = Occupancy::none;
  // The current excursion from clear (meaningful while occupancy_ != none).
  Occupancy first_ = Occupancy::none;      // the single beam blocked first
  Occupancy last_single_ = Occupancy::none;  // the single beam blocked most recently
  bool saw_both_ = false;
};

}  // namespace passgate::hw
