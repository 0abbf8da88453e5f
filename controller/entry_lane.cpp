#include "controller/entry_lane.hpp"

#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/event.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state.hpp>
#include <boost/statechart/state_machine.hpp>
#include <boost/statechart/transition.hpp>
#include <deque>
#include <optional>
#include <spdlog/spdlog.h>

#include "controller/lane_signals.hpp"

namespace passgate::controller {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

namespace {

struct EvScan : sc::event<EvScan> {
  explicit EvScan(std::string t) : token(std::move(t)) {}
  std::string token;
};
struct EvResult : sc::event<EvResult> {
  explicit EvResult(AdmissionResult r) : result(std::move(r)) {}
  AdmissionResult result;
};
struct EvPassage : sc::event<EvPassage> {
  explicit EvPassage(Direction d) : direction(d) {}
  Direction direction;
};
struct EvGrantTimeout : sc::event<EvGrantTimeout> {};
struct EvAlarm : sc::event<EvAlarm> {};
struct EvAlarmCleared : sc::event<EvAlarmCleared> {};

struct Operating;
struct Idle;
struct Validating;
struct Admitting;
struct Emergency;

struct Grant {
  std::string session_id;
  int granted = 0;
  int used = 0;
};

}  // namespace

struct EntryLaneMachine : sc::state_machine<EntryLaneMachine, Operating> {
  EntryLaneMachine(const LaneConfig& c, LanePorts p)
      : config(c), ports(p), signals(c.number, p.io, p.timers) {}
  ~EntryLaneMachine() { terminate(); }

  void request_admission(std::string token) {
    ++pending;
    ports.admission.request(config.number, config.group_limit, std::move(token), [this](AdmissionResult r) {
      --pending;
      process_event(EvResult(std::move(r)));
    });
  }

  // An admission answered after its lane stopped admitting (fire alarm): nobody may use
  // it, so the session is cancelled.
  void refuse_late_admission(const AdmissionResult& r) {
    if (r.admitted) {
      ports.reports.grant_unused(r.session_id);
      spdlog::warn("lane {}: session {} admitted while the lane was unavailable; cancelled", config.number,
                   r.session_id);
    }
    signals.deny(DenialReason::lane_unavailable);
  }

  // An entering passage that no grant covers: a tailgater right behind a grant, or forced.
  void report_unattributed_entry() {
    const bool tailgate = last_session && ports.clock.steady_now() - last_grant_end <= EntryLane::kTailgateWindow;
    if (tailgate) {
      spdlog::warn("lane {}: tailgater behind session {}", config.number, *last_session);
      ports.reports.passage(config.number, Direction::in, PassageKind::tailgate, last_session);
    } else {
      spdlog::warn("lane {}: entry through a closed barrier (forced)", config.number);
      ports.reports.passage(config.number, Direction::in, PassageKind::forced, std::nullopt);
    }
  }

  void unconsumed_event(const sc::event_base& e) {
    spdlog::debug("lane {}: event {} ignored in this state", config.number, typeid(e).name());
  }

  LaneConfig config;
  LanePorts ports;
  LaneSignals signals;
  int pending = 0;              // admissions requested and not yet answered
  std::deque<Grant> grants;     // admitted groups in scan order (Admitting only)
  std::optional<std::string> last_session;  // the session whose grant ended last
  SteadyTime last_grant_end{};
};

namespace {

using Machine = EntryLaneMachine;

// Everything but the fire alarm. Holds the default reactions its substates fall back on.
struct Operating : sc::simple_state<Operating, Machine, Idle> {
  using reactions = mpl::list<sc::transition<EvAlarm, Emergency>, sc::custom_reaction<EvPassage>,
                              sc::custom_reaction<EvResult>>;

  sc::result react(const EvPassage& e) {
    auto& m = outermost_context();
    if (e.direction == Direction::in) {
      m.report_unattributed_entry();
    } else {
      spdlog::warn("lane {}: someone left through the entry lane (wrong way)", m.config.number);
      m.ports.reports.passage(m.config.number, Direction::out, PassageKind::wrong_way, std::nullopt);
    }
    return discard_event();
  }

  // An answer for a scan made before an alarm that has since cleared.
  sc::result react(const EvResult& e) {
    outermost_context().refuse_late_admission(e.result);
    return discard_event();
  }
};

struct Idle : sc::simple_state<Idle, Operating> {
  using reactions = sc::custom_reaction<EvScan>;

  sc::result react(const EvScan& e) {
    outermost_context().request_admission(e.token);
    return transit<Validating>();
  }
};

struct Validating : sc::simple_state<Validating, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvScan>, sc::custom_reaction<EvResult>>;

  sc::result react(const EvScan& e) {
    outermost_context().request_admission(e.token);
    return discard_event();
  }

  sc::result react(const EvResult& e) {
    auto& m = outermost_context();
    if (e.result.admitted) {
      m.grants.push_back(Grant{e.result.session_id, e.result.people, 0});
      m.signals.admit(e.result.people);
      return transit<Admitting>();
    }
    m.signals.deny(e.result.reason);
    if (m.pending > 0) return discard_event();
    return transit<Idle>();
  }
};

struct Admitting : sc::state<Admitting, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvScan>, sc::custom_reaction<EvResult>,
                              sc::custom_reaction<EvPassage>, sc::custom_reaction<EvGrantTimeout>>;

  explicit Admitting(my_context ctx) : my_base(ctx) {
    auto& m = outermost_context();
    m.signals.release_in(true);
    m.signals.green(true);
    restart_timer();
  }

  // The grant ends: close the barrier and cancel the sessions nobody used.
  ~Admitting() override {
    auto& m = outermost_context();
    timer_.reset();
    m.signals.release_in(false);
    m.signals.green(false);
    for (const auto& g : m.grants) {
      if (g.used == 0) m.ports.reports.grant_unused(g.session_id);
    }
    if (!m.grants.empty()) m.last_session = m.grants.back().session_id;
    m.last_grant_end = m.ports.clock.steady_now();
    m.grants.clear();
  }

  sc::result react(const EvScan& e) {
    outermost_context().request_admission(e.token);
    return discard_event();
  }

  sc::result react(const EvResult& e) {
    auto& m = outermost_context();
    if (e.result.admitted) {
      m.grants.push_back(Grant{e.result.session_id, e.result.people, 0});
      m.signals.admit(e.result.people);
      restart_timer();
    } else {
      m.signals.deny(e.result.reason);
    }
    return discard_event();
  }

  sc::result react(const EvPassage& e) {
    if (e.direction == Direction::out) return forward_event();
    auto& m = outermost_context();
    Grant& g = m.grants.front();
    ++g.used;
    m.ports.reports.passage(m.config.number, Direction::in, PassageKind::admitted, g.session_id);
    if (g.used == g.granted) {
      m.last_session = g.session_id;
      m.grants.pop_front();
    }
    if (m.grants.empty()) return leave();
    restart_timer();
    return discard_event();
  }

  sc::result react(const EvGrantTimeout&) {
    spdlog::info("lane {}: grant timed out with {} place(s) unused", outermost_context().config.number,
                 places_left());
    return leave();
  }

  [[nodiscard]] int places_left() const {
    int n = 0;
    for (const auto& g : outermost_context().grants) n += g.granted - g.used;
    return n;
  }

 private:
  sc::result leave() {
    if (outermost_context().pending > 0) return transit<Validating>();
    return transit<Idle>();
  }

  void restart_timer() {
    auto& m = outermost_context();
    timer_ = m.ports.timers.start(m.config.grant_timeout, [&m] { m.process_event(EvGrantTimeout()); });
  }

  std::unique_ptr<Timer> timer_;
};

struct Emergency : sc::state<Emergency, Machine> {
  using reactions = mpl::list<sc::transition<EvAlarmCleared, Operating>, sc::custom_reaction<EvScan>,
                              sc::custom_reaction<EvResult>, sc::custom_reaction<EvPassage>>;

  explicit Emergency(my_context ctx) : my_base(ctx) {
    spdlog::warn("lane {}: fire alarm, barrier free both ways", outermost_context().config.number);
  }

  sc::result react(const EvScan&) {
    outermost_context().signals.deny(DenialReason::lane_unavailable);
    return discard_event();
  }

  sc::result react(const EvResult& e) {
    outermost_context().refuse_late_admission(e.result);
    return discard_event();
  }

  // Egress during the alarm is legitimate; entries are not attributed to anyone.
  sc::result react(const EvPassage& e) {
    auto& m = outermost_context();
    const auto kind = e.direction == Direction::out ? PassageKind::exit : PassageKind::forced;
    m.ports.reports.passage(m.config.number, e.direction, kind, std::nullopt);
    return discard_event();
  }
};

}  // namespace

EntryLane::EntryLane(const LaneConfig& config, LanePorts ports)
    : machine_(std::make_unique<EntryLaneMachine>(config, ports)) {
  machine_->initiate();
}

EntryLane::~EntryLane() = default;

int EntryLane::number() const { return machine_->config.number; }

void EntryLane::on_scan(std::string token) { machine_->process_event(EvScan(std::move(token))); }

void EntryLane::on_passage(Direction d) { machine_->process_event(EvPassage(d)); }

void EntryLane::on_beams(bool, bool) {}

void EntryLane::on_alarm(bool active) {
  // The outputs first, in this same call, so no state change in between can hold a
  // barrier closed; then the state.
  machine_->signals.set_alarm(active);
  if (active) {
    machine_->process_event(EvAlarm());
  } else {
    machine_->process_event(EvAlarmCleared());
  }
}

std::string EntryLane::state_name() const {
  if (machine_->state_cast<const Emergency*>() != nullptr) return "emergency";
  if (machine_->state_cast<const Admitting*>() != nullptr) return "admitting";
  if (machine_->state_cast<const Validating*>() != nullptr) return "validating";
  return "idle";
}

int EntryLane::places_left() const {
  const auto* admitting = machine_->state_cast<const Admitting*>();
  return admitting != nullptr ? admitting->places_left() : 0;
}

}  // namespace passgate::controller
