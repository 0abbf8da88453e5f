#include "controller/exit_lane.hpp"

#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/event.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state.hpp>
#include <boost/statechart/state_machine.hpp>
#include <boost/statechart/transition.hpp>
#include <spdlog/spdlog.h>

#include "controller/lane_machine.hpp"

namespace passgate::controller {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

namespace {

struct EvClearHoldElapsed : sc::event<EvClearHoldElapsed> {};
using lane_machine::EvAlarm;
using lane_machine::EvAlarmCleared;
using lane_machine::EvBeams;
using lane_machine::EvInService;
using lane_machine::EvOutOfService;
using lane_machine::EvPassage;

struct Operating;
struct Closed;
struct Open;
struct OutOfService;
struct Emergency;
struct Alarmed;
struct Clearing;

}  // namespace

struct ExitLaneMachine : sc::state_machine<ExitLaneMachine, Operating> {
  ExitLaneMachine(const LaneConfig& c, LanePorts p) : core(c, p) {}
  ~ExitLaneMachine() { terminate(); }

  // Every event goes through here: the outputs follow once the machine has settled.
  void handle(const sc::event_base& e) {
    process_event(e);
    core.signals.apply();
  }

  void unconsumed_event(const sc::event_base& e) {
    spdlog::debug("lane {}: event {} ignored in this state", core.number(), typeid(e).name());
  }

  LaneCore core;
};

namespace {

using Machine = ExitLaneMachine;

struct Operating : sc::simple_state<Operating, Machine, Closed> {
  using reactions = mpl::list<sc::transition<EvAlarm, Emergency>, sc::transition<EvOutOfService, OutOfService>,
                              sc::custom_reaction<EvPassage>>;

  sc::result react(const EvPassage& e) {
    auto& core = outermost_context().core;
    if (e.direction == Direction::out) {
      core.report(Direction::out, PassageKind::exit);
    } else {
      core.wrong_way(Direction::in);
    }
    return discard_event();
  }
};

struct Closed : sc::state<Closed, Operating> {
  using reactions = sc::custom_reaction<EvBeams>;

  // Someone may already be waiting at the inner beam (e.g. back in service).
  explicit Closed(my_context ctx) : my_base(ctx) {
    if (outermost_context().core.inner_blocked()) post_event(EvBeams());
  }

  sc::result react(const EvBeams&) {
    if (outermost_context().core.inner_blocked()) return transit<Open>();
    return discard_event();
  }
};

struct Open : sc::state<Open, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvBeams>, sc::transition<EvClearHoldElapsed, Closed>>;

  explicit Open(my_context ctx) : my_base(ctx) { outermost_context().core.signals.release_out(true); }
  ~Open() override { outermost_context().core.signals.release_out(false); }

  sc::result react(const EvBeams&) {
    auto& m = outermost_context();
    if (!m.core.beams_clear()) {
      hold_.reset();
    } else if (!hold_) {
      hold_ = m.core.ports.timers.start(ExitLane::kClearHold, [&m] { m.handle(EvClearHoldElapsed()); });
    }
    return discard_event();
  }

 private:
  std::unique_ptr<Timer> hold_;
};

struct OutOfService : sc::state<OutOfService, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvInService>, sc::custom_reaction<EvBeams>,
                              sc::custom_reaction<EvOutOfService>>;

  explicit OutOfService(my_context ctx) : my_base(ctx) {
    auto& core = outermost_context().core;
    spdlog::warn("lane {}: out of service", core.number());
    core.hold_unavailable("out of service");
  }

  ~OutOfService() override { outermost_context().core.release_unavailable(); }

  sc::result react(const EvInService&) { return lane_machine::resume_service_if_clear<Closed>(*this); }
  sc::result react(const EvBeams&) { return lane_machine::resume_service_if_clear<Closed>(*this); }
  sc::result react(const EvOutOfService&) { return discard_event(); }
};

// Fire alarm: both releases are held on by the signals' latch, set before this state is
// entered and released only when the lane leaves it.
struct Emergency : sc::state<Emergency, Machine, Alarmed> {
  using reactions = sc::custom_reaction<EvPassage>;

  explicit Emergency(my_context ctx) : my_base(ctx) {
    spdlog::warn("lane {}: fire alarm, barrier free both ways", outermost_context().core.number());
  }

  sc::result react(const EvPassage& e) {
    lane_machine::passage_during_fire_alarm(outermost_context().core, e.direction);
    return discard_event();
  }
};

struct Alarmed : sc::simple_state<Alarmed, Emergency> {
  using reactions = sc::custom_reaction<EvAlarmCleared>;

  sc::result react(const EvAlarmCleared&) {
    if (outermost_context().core.beams_clear()) return lane_machine::leave_emergency<Closed, OutOfService>(*this);
    return transit<Clearing>();
  }
};

// The alarm is over but someone is still in the lane: it stays free both ways until clear.
struct Clearing : sc::state<Clearing, Emergency> {
  using reactions = mpl::list<sc::custom_reaction<EvBeams>, sc::transition<EvAlarm, Alarmed>>;

  explicit Clearing(my_context ctx) : my_base(ctx) {
    spdlog::info("lane {}: fire alarm over; the barrier stays free until the lane is clear",
                 outermost_context().core.number());
  }

  sc::result react(const EvBeams&) {
    if (outermost_context().core.beams_clear()) return lane_machine::leave_emergency<Closed, OutOfService>(*this);
    return discard_event();
  }
};

}  // namespace

ExitLane::ExitLane(const LaneConfig& config, LanePorts ports)
    : machine_(std::make_unique<ExitLaneMachine>(config, ports)) {
  machine_->initiate();
  if (!machine_->core.in_service()) machine_->handle(EvOutOfService());
}

ExitLane::~ExitLane() = default;

int ExitLane::number() const { return machine_->core.number(); }

void ExitLane::on_scan(std::string) { spdlog::warn("lane {}: scan on an exit lane ignored", number()); }

void ExitLane::on_passage(Direction d) { lane_machine::on_passage(*machine_, d); }

void ExitLane::on_beams(bool outer_blocked, bool inner_blocked) {
  lane_machine::on_beams(*machine_, outer_blocked, inner_blocked);
}

void ExitLane::on_alarm(bool active) { lane_machine::on_alarm(*machine_, active); }

void ExitLane::set_in_service(bool in_service) { lane_machine::set_in_service(*machine_, in_service); }

bool ExitLane::in_service() const { return machine_->core.in_service(); }

const LaneAlarms& ExitLane::alarms() const { return machine_->core.alarms; }

std::string ExitLane::state_name() const {
  if (machine_->state_cast<const Clearing*>() != nullptr) return "emergency_clearing";
  if (machine_->state_cast<const Emergency*>() != nullptr) return "emergency";
  if (machine_->state_cast<const OutOfService*>() != nullptr) return "out_of_service";
  if (machine_->state_cast<const Open*>() != nullptr) return "open";
  return "closed";
}

}  // namespace passgate::controller
