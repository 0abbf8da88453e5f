// LaneAlarms: momentary alarms are counted each time; a lasting one is counted once per
// occurrence and stays active until cleared.
#include <catch2/catch.hpp>

#include "controller/lanes/alarms.hpp"

using passgate::controller::AlarmKind;
using passgate::controller::LaneAlarms;

TEST_CASE("momentary alarms are counted every time and never active") {
  LaneAlarms alarms;
  alarms.raise(AlarmKind::tailgate);
  alarms.raise(AlarmKind::tailgate);
  alarms.raise(AlarmKind::forced);
  CHECK(alarms.count(AlarmKind::tailgate) == 2);
  CHECK(alarms.count(AlarmKind::forced) == 1);
  CHECK(alarms.count(AlarmKind::wrong_way) == 0);
  CHECK_FALSE(alarms.any_active());
}

TEST_CASE("a lasting alarm counts once per occurrence and is active until cleared") {
  LaneAlarms alarms;
  alarms.raise(AlarmKind::scanner_fault);
  alarms.raise(AlarmKind::scanner_fault);
  alarms.raise(AlarmKind::beam_blocked);
  CHECK(alarms.count(AlarmKind::scanner_fault) == 1);
  CHECK(alarms.active_list() == std::vector<AlarmKind>{AlarmKind::beam_blocked, AlarmKind::scanner_fault});
  alarms.clear(AlarmKind::scanner_fault);
  alarms.clear(AlarmKind::barrier_obstructed);  // not active: nothing
  CHECK(alarms.active_list() == std::vector<AlarmKind>{AlarmKind::beam_blocked});
  alarms.raise(AlarmKind::scanner_fault);
  CHECK(alarms.count(AlarmKind::scanner_fault) == 2);
}

TEST_CASE("alarm kinds have stable names") {
  std::vector<std::string_view> names;
  for (const AlarmKind k : passgate::controller::kAlarmKinds) names.push_back(to_string(k));
  CHECK(names == std::vector<std::string_view>{"tailgate", "forced", "wrong_way", "beam_blocked",
                                               "barrier_obstructed", "scanner_fault"});
}
