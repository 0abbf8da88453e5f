// Shared by the two lane state machines (entry_lane.cpp, exit_lane.cpp) and nothing else:
// the events both handle, and the entry points and state helpers that are the same for
// both. A Machine here is a Boost.Statechart state_machine with a `LaneCore core` member and
// a `void handle(const sc::event_base&)` that processes an event and then applies the
// lane's outputs (core.signals.apply()).
#pragma once

#include <boost/statechart/event.hpp>
#include <boost/statechart/result.hpp>
#include <spdlog/spdlog.h>

#include "controller/lane_core.hpp"

namespace passgate::controller::lane_machine {

namespace sc = boost::statechart;

struct EvPassage : sc::event<EvPassage> {
  explicit EvPassage(Direction d) : direction(d) {}
  Direction direction;
};
struct EvBeams : sc::event<EvBeams> {};
struct EvAlarm : sc::event<EvAlarm> {};
struct EvAlarmCleared : sc::event<EvAlarmCleared> {};
struct EvOutOfService : sc::event<EvOutOfService> {};
struct EvInService : sc::event<EvInService> {};

// A passage ends with the lane clear (hw::PassageDetector), before the beams say so.
template <class Machine>
void on_passage(Machine& m, Direction d) {
  m.core.set_beams(false, false);
  m.handle(EvPassage(d));
}

template <class Machine>
void on_beams(Machine& m, bool outer_blocked, bool inner_blocked) {
  m.core.set_beams(outer_blocked, inner_blocked);
  m.handle(EvBeams());
}

template <class Machine>
void on_alarm(Machine& m, bool active) {
  if (active) {
    // The outputs first, in this same call, so no state change in between can hold a
    // barrier closed; then the state.
    m.core.signals.set_alarm(true);
    m.handle(EvAlarm());
  } else {
    m.handle(EvAlarmCleared());
  }
}

template <class Machine>
void set_in_service(Machine& m, bool in_service) {
  if (m.core.in_service() == in_service) return;
  spdlog::info("lane {}: the operator sets the lane {}", m.core.number(), in_service ? "in service" : "out of service");
  m.core.set_in_service(in_service);
  if (in_service) {
    m.handle(EvInService());
  } else {
    m.handle(EvOutOfService());
  }
}

// Where a lane goes when it may run normally again: `Ready`, or `OutOfService` if the
// operator said so.
template <class Ready, class OutOfService, class State>
sc::result resume(State& state) {
  if (state.outermost_context().core.in_service()) return state.template transit<Ready>();
  return state.template transit<OutOfService>();
}

// The fire alarm is over and the lane is clear: the releases go back to what the next
// state wants.
template <class Ready, class OutOfService, class State>
sc::result leave_emergency(State& state) {
  auto& core = state.outermost_context().core;
  spdlog::info("lane {}: fire alarm over and the lane is clear", core.number());
  core.signals.set_alarm(false);
  return resume<Ready, OutOfService>(state);
}

// Back in service once the beams are clear (OutOfService's reaction to EvInService and
// EvBeams).
template <class Ready, class State>
sc::result resume_service_if_clear(State& state) {
  auto& core = state.outermost_context().core;
  if (!core.in_service() || !core.beams_clear()) return state.discard_event();
  spdlog::info("lane {}: back in service", core.number());
  core.signals.show("in service");
  return state.template transit<Ready>();
}

// A passage during the fire alarm: leaving is legitimate, an entry is attributed to nobody.
inline void passage_during_fire_alarm(LaneCore& core, Direction d) {
  if (d == Direction::out) {
    core.report(Direction::out, PassageKind::exit);
  } else {
    core.unattributed_entry(std::nullopt);
  }
}

}  // namespace passgate::controller::lane_machine
