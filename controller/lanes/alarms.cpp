#include "controller/lanes/alarms.hpp"

#include <algorithm>

namespace passgate::controller {

std::string_view to_string(AlarmKind kind) {
  switch (kind) {
    case AlarmKind::tailgate: return "tailgate";
    case AlarmKind::forced: return "forced";
    case AlarmKind::wrong_way: return "wrong_way";
    case AlarmKind::beam_blocked: return "beam_blocked";
    case AlarmKind::barrier_obstructed: return "barrier_obstructed";
    case AlarmKind::scanner_fault: return "scanner_fault";
  }
  return "unknown";
}

bool is_lasting(AlarmKind kind) {
  return kind == AlarmKind::beam_blocked || kind == AlarmKind::barrier_obstructed ||
         kind == AlarmKind::scanner_fault;
}

void LaneAlarms::raise(AlarmKind kind) {
  if (active(kind)) return;
  ++counts_[index(kind)];
  if (is_lasting(kind)) active_[index(kind)] = true;
}

void LaneAlarms::clear(AlarmKind kind) { active_[index(kind)] = false; }

bool LaneAlarms::any_active() const { return std::ranges::any_of(active_, [](bool a) { return a; }); }

std::vector<AlarmKind> LaneAlarms::active_list() const {
  std::vector<AlarmKind> out;
  for (const AlarmKind kind : kAlarmKinds) {
    if (active(kind)) out.push_back(kind);
  }
  return out;
}

}  // namespace passgate::controller
