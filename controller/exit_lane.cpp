#include "controller/exit_lane.hpp"

#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/event.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state.hpp>
#include <boost/statechart/state_machine.hpp>
#include <boost/statechart/transition.hpp>
#include <spdlog/spdlog.h>

#include "controller/lane_signals.hpp"

namespace passgate::controller {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

namespace {

struct EvBeams : sc::event<EvBeams> {};
struct EvPassage : sc::event<EvPassage> {
  explicit EvPassage(Direction d) : direction(d) {}
  Direction direction;
};
struct EvClearHoldElapsed : sc::event<EvClearHoldElapsed> {};
struct EvAlarm : sc::event<EvAlarm> {};
struct EvAlarmCleared : sc::event<EvAlarmCleared> {};

struct Operating;
struct Closed;
struct Open;
struct Emergency;

}  // namespace

struct ExitLaneMachine : sc::state_machine<ExitLaneMachine, Operating> {
  ExitLaneMachine(const LaneConfig& c, LanePorts p) : config(c), ports(p), signals(c.number, p.io, p.timers) {}
  ~ExitLaneMachine() { terminate(); }

  void report(Direction d, PassageKind kind) { ports.reports.passage(config.number, d, kind, std::nullopt); }

  void unconsumed_event(const sc::event_base& e) {
    spdlog::debug("lane {}: event {} ignored in this state", config.number, typeid(e).name());
  }

  LaneConfig config;
  LanePorts ports;
  LaneSignals signals;
  bool outer = false;  // debounced beam levels
  bool inner = false;
};

namespace {

using Machine = ExitLaneMachine;

struct Operating : sc::simple_state<Operating, Machine, Closed> {
  using reactions = mpl::list<sc::transition<EvAlarm, Emergency>, sc::custom_reaction<EvPassage>>;

  sc::result react(const EvPassage& e) {
    auto& m = outermost_context();
    if (e.direction == Direction::out) {
      m.report(Direction::out, PassageKind::exit);
    } else {
      spdlog::warn("lane {}: someone came in through the exit lane (wrong way)", m.config.number);
      m.report(Direction::in, PassageKind::wrong_way);
    }
    return discard_event();
  }
};

struct Closed : sc::state<Closed, Operating> {
  using reactions = sc::custom_reaction<EvBeams>;

  // Someone may already be waiting at the inner beam (e.g. when an alarm clears).
  explicit Closed(my_context ctx) : my_base(ctx) {
    if (outermost_context().inner) post_event(EvBeams());
  }

  sc::result react(const EvBeams&) {
    if (outermost_context().inner) return transit<Open>();
    return discard_event();
  }
};

struct Open : sc::state<Open, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvBeams>, sc::transition<EvClearHoldElapsed, Closed>>;

  explicit Open(my_context ctx) : my_base(ctx) { outermost_context().signals.release_out(true); }
  ~Open() override { outermost_context().signals.release_out(false); }

  sc::result react(const EvBeams&) {
    auto& m = outermost_context();
    if (m.outer || m.inner) {
      hold_.reset();
    } else if (!hold_) {
      hold_ = m.ports.timers.start(ExitLane::kClearHold, [&m] { m.process_event(EvClearHoldElapsed()); });
    }
    return discard_event();
  }

 private:
  std::unique_ptr<Timer> hold_;
};

struct Emergency : sc::state<Emergency, Machine> {
  using reactions = mpl::list<sc::transition<EvAlarmCleared, Operating>, sc::custom_reaction<EvPassage>>;

  explicit Emergency(my_context ctx) : my_base(ctx) {
    spdlog::warn("lane {}: fire alarm, barrier free both ways", outermost_context().config.number);
  }

  sc::result react(const EvPassage& e) {
    outermost_context().report(e.direction, e.direction == Direction::out ? PassageKind::exit : PassageKind::forced);
    return discard_event();
  }
};

}  // namespace

ExitLane::ExitLane(const LaneConfig& config, LanePorts ports)
    : machine_(std::make_unique<ExitLaneMachine>(config, ports)) {
  machine_->initiate();
}

ExitLane::~ExitLane() = default;

int ExitLane::number() const { return machine_->config.number; }

void ExitLane::on_scan(std::string) {
  spdlog::warn("lane {}: scan on an exit lane ignored", machine_->config.number);
}

void ExitLane::on_passage(Direction d) { machine_->process_event(EvPassage(d)); }

void ExitLane::on_beams(bool outer_blocked, bool inner_blocked) {
  machine_->outer = outer_blocked;
  machine_->inner = inner_blocked;
  machine_->process_event(EvBeams());
}

void ExitLane::on_alarm(bool active) {
  machine_->signals.set_alarm(active);
  if (active) {
    machine_->process_event(EvAlarm());
  } else {
    machine_->process_event(EvAlarmCleared());
  }
}

std::string ExitLane::state_name() const {
  if (machine_->state_cast<const Emergency*>() != nullptr) return "emergency";
  if (machine_->state_cast<const Open*>() != nullptr) return "open";
  return "closed";
}

}  // namespace passgate::controller
