// Shared by the two lane state machines (entry_lane.cpp, exit_lane.cpp) and nothing else:
// the events both handle, the machine base (LaneStateMachine), the fire-alarm states
// (Emergency with Alarmed and Clearing), the state helpers that are the same for both, and
// the definitions of LaneAdapter's members (lane_adapter.hpp), which forward the Lane calls
// both lanes take alike into the machine. A Machine here is a LaneStateMachine.
#pragma once

#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/event.hpp>
#include <boost/statechart/result.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state.hpp>
#include <boost/statechart/state_machine.hpp>
#include <boost/statechart/transition.hpp>
#include <memory>
#include <optional>
#include <spdlog/spdlog.h>
#include <string>
#include <typeinfo>

#include "common/log_value.hpp"
#include "controller/lanes/core.hpp"
#include "controller/lanes/lane_adapter.hpp"

namespace passgate::controller::lane_machine {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

// A Boost.Statechart machine with the lane's core. Every event goes through handle(): the
// outputs follow (core.signals.apply()) once the machine has settled. Derived calls
// terminate() in its destructor, so the states leave while it (and `core`) still exist.
//
// Never nested: an event that arrives while the machine is handling one (a reaction's
// output write that made the backend report the fire alarm at once, say) is queued and
// handled right after the current one, inside the same handle(): Boost.Statechart forbids
// a nested process_event (the nested event would destroy the state still reacting).
template <class Derived, class InitialState>
struct LaneStateMachine : sc::state_machine<Derived, InitialState> {
  LaneStateMachine(const LaneConfig& c, LanePorts p) : core(c, p) {}
  LaneStateMachine(const LaneStateMachine&) = delete;
  LaneStateMachine& operator=(const LaneStateMachine&) = delete;

  // Enters the initial state, and OutOfService for a lane configured so, driving no output
  // line (see Lane).
  void start();

  void handle(const sc::event_base& e) {
    if (dispatching_) {
      this->post_event(e);
      return;
    }
    {
      const Dispatching dispatching(dispatching_);
      this->process_event(e);
    }
    // After the machine has settled, outside the guard: an event these writes raise is
    // handled at once rather than left in the queue.
    core.signals.apply();
  }

  // Called by Boost.Statechart for an event no active state reacts to.
  void unconsumed_event(const sc::event_base& e) {
    spdlog::debug("event=lane_event_ignored lane={} lane_event={}", core.number(), log_value(typeid(e).name()));
  }

  LaneCore core;

 private:
  // Marks the machine busy for a scope (exceptions included).
  class Dispatching {
   public:
    explicit Dispatching(bool& flag) : flag_(flag) { flag_ = true; }
    ~Dispatching() { flag_ = false; }
    Dispatching(const Dispatching&) = delete;
    Dispatching& operator=(const Dispatching&) = delete;

   private:
    bool& flag_;
  };

  bool dispatching_ = false;  // inside process_event or initiate: new events are queued
};

struct EvScan : sc::event<EvScan> {
  explicit EvScan(std::optional<std::string> t) : token(std::move(t)) {}
  std::optional<std::string> token;  // nothing: a read the scan filter refused (it cannot be a token)
};
struct EvPassage : sc::event<EvPassage> {
  explicit EvPassage(Direction d) : direction(d) {}
  Direction direction;
};
struct EvBeams : sc::event<EvBeams> {};
struct EvAlarm : sc::event<EvAlarm> {};
struct EvAlarmCleared : sc::event<EvAlarmCleared> {};
struct EvOutOfService : sc::event<EvOutOfService> {};
struct EvInService : sc::event<EvInService> {};

template <class Derived, class InitialState>
void LaneStateMachine<Derived, InitialState>::start() {
  const Dispatching dispatching(dispatching_);
  this->initiate();  // handles the events queued meanwhile too
  if (!core.in_service()) this->process_event(EvOutOfService());
}

// Where a lane goes when it may run normally again: `Ready`, or `OutOfService` if the
// operator said so.
template <class Ready, class OutOfService, class State>
sc::result resume(State& state) {
  if (state.outermost_context().core.in_service()) return state.template transit<Ready>();
  return state.template transit<OutOfService>();
}

// An EvAlarmCleared older than the level the lane was told last: a clear and a raise reported
// one after the other while the lane was handling an event (inside its writes), both queued.
// The alarm is active and the EvAlarm queued behind this clear is the lane's latest word: the
// clear is dropped. Acted on, it ended for nothing what the alarm keeps (the grants it left
// lingering for a shopper shown green a step away, cancelled while that shopper walks in) and
// dropped the latch of a lane in the alarm.
template <class Machine>
[[nodiscard]] bool stale_alarm_clear(const Machine& m) {
  return m.core.alarm_told();
}

// The fire alarm cleared while the lane is not in a fire-alarm state (Operating's reaction):
// a raise latched this lane's releases (Gate::on_fire_alarm latches every lane before it tells
// any) and a write of that raise reported the alarm clear again before the raise told this
// lane. Nothing else would ever unlatch it: its barrier would stay released both ways while
// the lane serves as usual. The latch goes; the releases follow the state again, and, the lane
// clear, what the latch made outlive its reaction ends (Lane::alarm_over: a grant that reaction
// ended while latched lingers, open to whoever forces the closed barrier next). A stale clear
// (a raise told since, its EvAlarm queued behind) leaves the latch on.
template <class Lane, class State>
sc::result unlatch_overtaken_alarm(State& state) {
  auto& m = state.outermost_context();
  if (m.core.signals.alarm_latched() && !stale_alarm_clear(m)) {
    spdlog::warn("event=lane_alarm_unlatched lane={} detail=\"the fire alarm cleared before its raise reached the "
                 "lane\"",
                 m.core.number());
    m.core.signals.set_alarm(false);
    if (m.core.beams_clear()) Lane::alarm_over(m);
  }
  return state.discard_event();
}

// The fire alarm is over and the lane is clear: the releases go back to what the next
// state wants, and the lane ends what outlived the alarm (Lane::alarm_over).
template <class Lane, class State>
sc::result leave_emergency(State& state) {
  auto& m = state.outermost_context();
  spdlog::info("event=lane_alarm_over lane={} detail=\"fire alarm over and the lane is clear\"", m.core.number());
  m.core.signals.set_alarm(false);
  Lane::alarm_over(m);
  return resume<typename Lane::Ready, typename Lane::OutOfServiceState>(state);
}

// Back in service once the beams are clear (OutOfService's reaction to EvInService and
// EvBeams).
template <class Ready, class State>
sc::result resume_service_if_clear(State& state) {
  auto& core = state.outermost_context().core;
  if (!core.in_service() || !core.beams_clear()) return state.discard_event();
  spdlog::info("event=lane_in_service lane={}", core.number());
  core.signals.show("in service");
  return state.template transit<Ready>();
}

// The fire-alarm states, the same for both lanes. `Lane` says what differs:
//   using Machine = ...;            the lane's machine (a LaneStateMachine)
//   using Ready = ...;              where the lane resumes in service
//   using OutOfServiceState = ...;  where it resumes out of service
//   static constexpr PassageKind kEntering;  an entering passage during the alarm
//   static void alarm_over(Machine&);         the alarm is over and the lane clear (leave_emergency)
// What a lane must end as the alarm starts (an entry lane's grants and awaited answers)
// ends in the exit actions of the lane's own states, which the transition here runs.
template <class Lane>
struct Alarmed;
template <class Lane>
struct Clearing;

// Fire alarm: both releases are held on by the signals' latch, set before this state is
// entered and released only when the lane leaves it. Scans are refused; a passage is an
// evacuation: reported to the tracking engine only, never an alarm (no buzzer, nothing
// counted): leaving is an exit, entering Lane::kEntering.
// (The inner initial state as a one-element list: as a bare template-id, Boost.MPL's
// sequence check would instantiate Alarmed before Emergency is complete.)
template <class Lane>
struct Emergency : sc::state<Emergency<Lane>, typename Lane::Machine, mpl::list<Alarmed<Lane>>> {
  using Base = sc::state<Emergency<Lane>, typename Lane::Machine, mpl::list<Alarmed<Lane>>>;
  using reactions = mpl::list<sc::custom_reaction<EvScan>,      // refused
                              sc::custom_reaction<EvPassage>>;  // reported, never an alarm

  explicit Emergency(typename Base::my_context ctx) : Base(ctx) {
    auto& m = this->outermost_context();
    // Set by on_alarm() before the event, and here again: the lane may have left Emergency
    // (latch off) on a clear with this raise queued behind it (a clear, a raise and a clear
    // again, all queued while the lane handled an event).
    m.core.signals.set_alarm(true);
    spdlog::warn("event=lane_emergency lane={} detail=\"fire alarm, barrier free both ways\"", m.core.number());
  }

  sc::result react(const EvScan&) {
    this->outermost_context().core.deny(DenialReason::lane_unavailable);
    return this->discard_event();
  }

  sc::result react(const EvPassage& e) {
    this->outermost_context().core.report(e.direction,
                                          e.direction == Direction::out ? PassageKind::exit : Lane::kEntering);
    return this->discard_event();
  }
};

template <class Lane>
struct Alarmed : sc::simple_state<Alarmed<Lane>, Emergency<Lane>> {
  // clear, the lane clear: → Ready or OutOfService; occupied: → Clearing; stale: stay
  using reactions = sc::custom_reaction<EvAlarmCleared>;

  sc::result react(const EvAlarmCleared&) {
    if (stale_alarm_clear(this->outermost_context())) return this->discard_event();
    if (this->outermost_context().core.beams_clear()) {
      return leave_emergency<Lane>(*this);
    }
    return this->template transit<Clearing<Lane>>();
  }
};

// The alarm is over but someone is still in the lane: it stays free both ways until clear.
template <class Lane>
struct Clearing : sc::state<Clearing<Lane>, Emergency<Lane>> {
  using Base = sc::state<Clearing<Lane>, Emergency<Lane>>;
  using reactions = mpl::list<sc::custom_reaction<EvBeams>,           // clear → Ready or OutOfService
                              sc::transition<EvAlarm, Alarmed<Lane>>>;  // → Alarmed

  explicit Clearing(typename Base::my_context ctx) : Base(ctx) {
    spdlog::info("event=lane_clearing lane={} "
                 "detail=\"fire alarm over; the barrier stays free until the lane is clear\"",
                 this->outermost_context().core.number());
  }

  sc::result react(const EvBeams&) {
    if (this->outermost_context().core.beams_clear()) {
      return leave_emergency<Lane>(*this);
    }
    return this->discard_event();
  }
};

// "emergency" or "emergency_clearing" while the machine is in a fire-alarm state, else empty.
template <class Lane>
std::optional<std::string> emergency_state_name(const typename Lane::Machine& m) {
  if (m.template state_cast<const Clearing<Lane>*>() != nullptr) return "emergency_clearing";
  if (m.template state_cast<const Emergency<Lane>*>() != nullptr) return "emergency";
  return std::nullopt;
}

}  // namespace passgate::controller::lane_machine

namespace passgate::controller {

template <class Machine>
LaneAdapter<Machine>::LaneAdapter(const LaneConfig& config, LanePorts ports)
    : machine_(std::make_unique<Machine>(config, ports)) {
  machine_->start();  // drives no output: see Lane
}

template <class Machine>
LaneAdapter<Machine>::~LaneAdapter() = default;

template <class Machine>
int LaneAdapter<Machine>::number() const {
  return machine_->core.number();
}

// A passage ends with the lane clear (hw::PassageDetector), before the beams say so.
template <class Machine>
void LaneAdapter<Machine>::on_passage(Direction d) {
  machine_->core.set_beams(false, false);
  machine_->handle(lane_machine::EvPassage(d));
}

template <class Machine>
void LaneAdapter<Machine>::on_beams(bool outer_blocked, bool inner_blocked) {
  machine_->core.set_beams(outer_blocked, inner_blocked);
  machine_->handle(lane_machine::EvBeams());
}

template <class Machine>
void LaneAdapter<Machine>::latch_egress() {
  machine_->core.signals.latch_egress();
}

template <class Machine>
void LaneAdapter<Machine>::latch_alarm() {
  machine_->core.signals.latch_releases();
}

template <class Machine>
void LaneAdapter<Machine>::on_alarm(bool active) {
  // Before anything that writes: a write may report the alarm changed again, and that level
  // is then the latest.
  machine_->core.set_alarm_told(active);
  if (active) {
    // The outputs first, in this same call, so no state change in between can hold a
    // barrier closed; then the state.
    machine_->core.signals.set_alarm(true);
    machine_->handle(lane_machine::EvAlarm());
  } else {
    machine_->handle(lane_machine::EvAlarmCleared());
  }
}

template <class Machine>
void LaneAdapter<Machine>::set_in_service(bool in_service) {
  auto& core = machine_->core;
  if (core.in_service() == in_service) return;
  spdlog::info("event=lane_service_set lane={} in_service={} by=operator", core.number(), in_service);
  core.set_in_service(in_service);
  if (in_service) {
    machine_->handle(lane_machine::EvInService());
  } else {
    machine_->handle(lane_machine::EvOutOfService());
  }
}

template <class Machine>
bool LaneAdapter<Machine>::in_service() const {
  return machine_->core.in_service();
}

template <class Machine>
void LaneAdapter<Machine>::refresh_outputs() {
  machine_->core.signals.refresh();
}

template <class Machine>
const LaneAlarms& LaneAdapter<Machine>::alarms() const {
  return machine_->core.alarms;
}

// The new settings, and out of service or back if out_of_service changed.
template <class Machine>
void LaneAdapter<Machine>::reconfigure(const LaneConfig& config) {
  const bool service_changed = config.out_of_service != machine_->core.config.out_of_service;
  machine_->core.config = config;
  if (service_changed) set_in_service(!config.out_of_service);
}

}  // namespace passgate::controller
