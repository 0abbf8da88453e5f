#include "controller/lanes/exit_lane.hpp"

#include <spdlog/spdlog.h>

#include "controller/lanes/machine.hpp"

namespace passgate::controller {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

// Boost.Statechart instantiates a function it needs defined per event type, so an event may
// not live in an anonymous namespace (clang refuses it; GCC lets it pass).
namespace exit_lane_events {
struct EvClearHoldElapsed : sc::event<EvClearHoldElapsed> {};
}  // namespace exit_lane_events

namespace {

using exit_lane_events::EvClearHoldElapsed;
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

}  // namespace

struct ExitLaneMachine : lane_machine::LaneStateMachine<ExitLaneMachine, Operating> {
  using LaneStateMachine::LaneStateMachine;
  ~ExitLaneMachine() { terminate(); }
};

namespace {

using Machine = ExitLaneMachine;

// What the shared fire-alarm states (lane_machine::Emergency) need to know of this lane.
struct FireAlarm {
  using Machine = ExitLaneMachine;
  using Ready = Closed;
  using OutOfServiceState = OutOfService;
  static constexpr PassageKind kEntering = PassageKind::wrong_way;
  static void alarm_over(ExitLaneMachine& /*m*/) {}
};
using Emergency = lane_machine::Emergency<FireAlarm>;

// Everything but the fire alarm. Its passage reaction is the default its substates fall
// back on: leaving is an exit, entering is wrong way.
struct Operating : sc::simple_state<Operating, Machine, Closed> {
  using reactions = mpl::list<sc::transition<EvAlarm, Emergency>,            // → Emergency
                              sc::custom_reaction<EvAlarmCleared>,           // a latch overtaken: off
                              sc::transition<EvOutOfService, OutOfService>,  // → OutOfService
                              sc::custom_reaction<EvPassage>>;               // reported (wrong way: alarm)

  sc::result react(const EvAlarmCleared&) { return lane_machine::unlatch_overtaken_alarm(*this); }

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
  using reactions = sc::custom_reaction<EvBeams>;  // beam_inner blocked → Open

  // Someone may already be waiting at the inner beam (e.g. back in service).
  explicit Closed(my_context ctx) : my_base(ctx) {
    if (outermost_context().core.inner_blocked()) post_event(EvBeams());
  }

  sc::result react(const EvBeams&) {
    if (outermost_context().core.inner_blocked()) return transit<Open>();
    return discard_event();
  }
};

// release_out on; closes once the lane has been clear for kClearHold.
struct Open : sc::state<Open, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvBeams>,                 // clear: hold timer; blocked: none
                              sc::transition<EvClearHoldElapsed, Closed>>;  // → Closed

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
  using reactions = mpl::list<sc::custom_reaction<EvInService>,      // beams clear → Closed
                              sc::custom_reaction<EvBeams>,          // clear and in service → Closed
                              sc::custom_reaction<EvOutOfService>>;  // already: nothing

  explicit OutOfService(my_context ctx) : my_base(ctx) {
    auto& core = outermost_context().core;
    spdlog::warn("event=lane_out_of_service lane={}", core.number());
    core.hold_unavailable("out of service");
  }

  ~OutOfService() override { outermost_context().core.release_egress(); }

  sc::result react(const EvInService&) { return lane_machine::resume_service_if_clear<Closed>(*this); }
  sc::result react(const EvBeams&) { return lane_machine::resume_service_if_clear<Closed>(*this); }
  sc::result react(const EvOutOfService&) { return discard_event(); }
};

}  // namespace

template class LaneAdapter<ExitLaneMachine>;

ExitLane::ExitLane(const LaneConfig& config, LanePorts ports) : LaneAdapter(config, ports) {}

void ExitLane::on_scan(std::string) { spdlog::warn("event=scan_ignored lane={} reason=exit_lane", number()); }

bool ExitLane::passage_in_progress() const { return machine().state_cast<const Open*>() != nullptr; }

std::string ExitLane::state_name() const {
  if (auto name = lane_machine::emergency_state_name<FireAlarm>(machine())) return *name;
  if (machine().state_cast<const OutOfService*>() != nullptr) return "out_of_service";
  if (machine().state_cast<const Open*>() != nullptr) return "open";
  return "closed";
}

}  // namespace passgate::controller
