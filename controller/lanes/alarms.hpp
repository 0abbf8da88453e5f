// LaneAlarms: the alarm kinds a lane raises and one lane's counters of them, for status and
// metrics (Gate::lane_status). A momentary alarm (tailgate, forced, wrong_way) is an event:
// it is counted. A lasting alarm (beam_blocked, barrier_obstructed, scanner_fault) is also
// counted when raised and stays active until the lane clears it. Counting only: the lanes
// log, report and signal (controller/lanes/core.hpp). Plain value type, single-threaded.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace passgate::controller {

enum class AlarmKind {
  tailgate,            // more people through than granted
  forced,              // an entering passage with no grant
  wrong_way,           // a leaving passage on an entry lane, an entering one on an exit lane
  beam_blocked,        // a beam blocked longer than beam_blocked_alarm_ms (lasting)
  barrier_obstructed,  // a grant ended with someone in the lane: the barrier cannot close (lasting)
  scanner_fault,       // the lane's scanner is lost (lasting)
};

inline constexpr std::array<AlarmKind, 6> kAlarmKinds{AlarmKind::tailgate,     AlarmKind::forced,
                                                      AlarmKind::wrong_way,    AlarmKind::beam_blocked,
                                                      AlarmKind::barrier_obstructed, AlarmKind::scanner_fault};

[[nodiscard]] std::string_view to_string(AlarmKind kind);
// True for the kinds that stay active until cleared.
[[nodiscard]] bool is_lasting(AlarmKind kind);

class LaneAlarms {
 public:
  // Counts one occurrence; a lasting kind becomes active. Raising an active kind again
  // counts nothing (it is the same occurrence).
  void raise(AlarmKind kind);
  // A lasting kind is over. Clearing an inactive kind does nothing.
  void clear(AlarmKind kind);

  [[nodiscard]] std::uint64_t count(AlarmKind kind) const { return counts_[index(kind)]; }
  [[nodiscard]] bool active(AlarmKind kind) const { return active_[index(kind)]; }
  [[nodiscard]] bool any_active() const;
  // The active kinds, in kAlarmKinds order.
  [[nodiscard]] std::vector<AlarmKind> active_list() const;

 private:
  static std::size_t index(AlarmKind kind) { return static_cast<std::size_t>(kind); }

  std::array<std::uint64_t, kAlarmKinds.size()> counts_{};
  std::array<bool, kAlarmKinds.size()> active_{};
};

}  // namespace passgate::controller
