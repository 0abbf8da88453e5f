#include "controller/lanes/entry_lane.hpp"

#include <deque>
#include <optional>
#include <spdlog/spdlog.h>

#include "controller/lanes/machine.hpp"

namespace passgate::controller {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

namespace {

struct EvResult : sc::event<EvResult> {
  explicit EvResult(AdmissionResult r) : result(std::move(r)) {}
  AdmissionResult result;
};
struct EvGrantTimeout : sc::event<EvGrantTimeout> {};
struct EvCloseRetry : sc::event<EvCloseRetry> {};
using lane_machine::EvAlarm;
using lane_machine::EvAlarmCleared;
using lane_machine::EvBeams;
using lane_machine::EvInService;
using lane_machine::EvOutOfService;
using lane_machine::EvPassage;
using lane_machine::EvScan;

struct Operating;
struct Idle;
struct Validating;
struct Admitting;
struct Closing;
struct Fault;
struct OutOfService;

struct Grant {
  std::string session_id;
  int granted = 0;
  int used = 0;
};

}  // namespace

struct EntryLaneMachine : lane_machine::LaneStateMachine<EntryLaneMachine, Operating> {
  using LaneStateMachine::LaneStateMachine;
  ~EntryLaneMachine() { terminate(); }

  // Asks the admission service about `token`; a read the scan filter refused (nothing) is
  // answered malformed right away, on a later loop turn as the service answers, so the lane
  // takes it as it takes any other answer.
  void request_admission(std::optional<std::string> token) {
    ++pending;
    AdmissionPort::Done answer = [this, asked_in = epoch](AdmissionResult r) {
      if (asked_in != epoch) {
        refuse_late_admission(r);
        core.signals.apply();
        return;
      }
      --pending;
      handle(EvResult(std::move(r)));
    };
    if (!token) {
      core.ports.timers.post([answer = std::move(answer)] {
        answer(AdmissionResult{false, DenialReason::malformed, {}, 0, false});
      });
      return;
    }
    core.ports.admission.request(core.number(), core.config.group_limit, std::move(*token), std::move(answer));
  }

  // The lane stops admitting (fire alarm, fault, out of service): the answers still to
  // come are refused when they arrive.
  void stop_admitting() {
    ++epoch;
    pending = 0;
  }

  // An admission answered after its lane stopped admitting: nobody may use it, so the
  // session is cancelled.
  void refuse_late_admission(const AdmissionResult& r) {
    if (r.admitted) {
      core.ports.reports.grant_unused(r.session_id);
      spdlog::warn("event=late_admission_cancelled lane={} session={} "
                   "detail=\"admitted while the lane was unavailable\"",
                   core.number(), r.session_id);
    }
    core.deny(DenialReason::lane_unavailable);
  }

  // One person in on the oldest grant (scan order), reported as admitted for its session.
  // REQUIRES: grants not empty.
  void use_place() {
    Grant& g = grants.front();
    ++g.used;
    core.report(Direction::in, PassageKind::admitted, g.session_id);
    if (g.used == g.granted) {  // this grant is over: whoever follows at once is its tailgater
      last_session = g.session_id;
      last_grant_end = core.ports.clock.steady_now();
      grants.pop_front();
    }
  }

  // The grants are over (the barrier closes): the sessions nobody used are cancelled.
  void end_grants() {
    for (const auto& g : grants) {
      if (g.used == 0) core.ports.reports.grant_unused(g.session_id);
    }
    if (!grants.empty()) last_session = grants.back().session_id;
    last_grant_end = core.ports.clock.steady_now();
    grants.clear();
  }

  // An entering passage that no grant covers: a tailgater right behind a grant, or forced.
  void unattributed_entry() {
    const bool tailgate =
        last_session && core.ports.clock.steady_now() - last_grant_end <= EntryLane::kTailgateWindow;
    core.unattributed_entry(tailgate ? last_session : std::nullopt);
  }

  int pending = 0;              // admissions requested in this epoch and not yet answered
  int epoch = 0;                // bumped whenever the lane stops admitting
  std::deque<Grant> grants;     // admitted groups in scan order (Admitting, Closing)
  std::optional<std::string> last_session;  // the session whose grant ended last
  SteadyTime last_grant_end{};
  bool scanner_connected = true;
  bool shutting_down = false;   // the gate is stopping: new scans are refused
};

namespace {

using Machine = EntryLaneMachine;

// What the shared fire-alarm states (lane_machine::Emergency) need to know of this lane.
struct FireAlarm {
  using Machine = EntryLaneMachine;
  using Ready = Idle;
  using OutOfServiceState = OutOfService;
  static constexpr PassageKind kEntering = PassageKind::forced;
  static void stop_admitting(Machine& m) { m.stop_admitting(); }
};
using Emergency = lane_machine::Emergency<FireAlarm>;

// An answer while waiting for one (Validating, Closing): admitted → Admitting; a denial is
// shown and the lane stays where it is.
template <class State>
sc::result admit_or_deny(State& state, const EvResult& e) {
  auto& m = state.outermost_context();
  if (!e.result.admitted) {
    m.core.deny(e.result.reason);
    return state.discard_event();
  }
  m.grants.push_back(Grant{e.result.session_id, e.result.people, 0});
  m.core.admit(e.result);
  return state.template transit<Admitting>();
}

// Everything but the fire alarm. Holds the default reactions its substates fall back on.
struct Operating : sc::simple_state<Operating, Machine, Idle> {
  using reactions = mpl::list<sc::transition<EvAlarm, Emergency>, sc::transition<EvOutOfService, OutOfService>,
                              sc::custom_reaction<EvPassage>>;

  sc::result react(const EvPassage& e) {
    auto& m = outermost_context();
    if (e.direction == Direction::in) {
      m.unattributed_entry();
    } else {
      m.core.wrong_way(Direction::out);
    }
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
    if (e.result.admitted || m.pending > 0) return admit_or_deny(*this, e);
    m.core.deny(e.result.reason);
    return transit<Idle>();
  }
};

struct Admitting : sc::state<Admitting, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvScan>, sc::custom_reaction<EvResult>,
                              sc::custom_reaction<EvPassage>, sc::custom_reaction<EvGrantTimeout>>;

  explicit Admitting(my_context ctx) : my_base(ctx) {
    auto& m = outermost_context();
    m.core.signals.release_in(true);
    m.core.signals.green(true);
    restart_timer();
  }

  // The grant ends: close the barrier and cancel the sessions nobody used (unless Closing
  // holds the barrier for someone still in it).
  ~Admitting() override {
    auto& m = outermost_context();
    timer_.reset();
    m.core.signals.release_in(false);
    m.core.signals.green(false);
    if (!handing_over_) m.end_grants();
  }

  sc::result react(const EvScan& e) {
    outermost_context().request_admission(e.token);
    return discard_event();
  }

  sc::result react(const EvResult& e) {
    auto& m = outermost_context();
    if (e.result.admitted) {
      m.grants.push_back(Grant{e.result.session_id, e.result.people, 0});
      m.core.admit(e.result);
      restart_timer();
    } else {
      m.core.deny(e.result.reason);
    }
    return discard_event();
  }

  sc::result react(const EvPassage& e) {
    if (e.direction == Direction::out) return forward_event();
    auto& m = outermost_context();
    m.use_place();
    if (m.grants.empty()) return leave();
    restart_timer();
    return discard_event();
  }

  sc::result react(const EvGrantTimeout&) {
    spdlog::info("event=grant_timeout lane={} places_unused={}", outermost_context().core.number(), places_left());
    return leave();
  }

  [[nodiscard]] int places_left() const {
    int n = 0;
    for (const auto& g : outermost_context().grants) n += g.granted - g.used;
    return n;
  }

 private:
  sc::result leave() {
    const auto& m = outermost_context();
    if (!m.core.beams_clear()) {
      handing_over_ = true;
      return transit<Closing>();
    }
    if (m.pending > 0) return transit<Validating>();
    return transit<Idle>();
  }

  void restart_timer() {
    auto& m = outermost_context();
    timer_ = m.core.ports.timers.start(m.core.config.grant_timeout, [&m] { m.handle(EvGrantTimeout()); });
  }

  bool handing_over_ = false;  // to Closing, which keeps the grants
  std::unique_ptr<Timer> timer_;
};

// The grant is over but someone is in the lane: the barrier stays released until the beams
// are clear, retried every close_retry; after close_retries retries the lane is in Fault.
// Places still open on the grants stay usable (the person in the lane is likely their
// shopper) and are cancelled when the barrier closes.
struct Closing : sc::state<Closing, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvScan>, sc::custom_reaction<EvResult>,
                              sc::custom_reaction<EvBeams>, sc::custom_reaction<EvCloseRetry>,
                              sc::custom_reaction<EvPassage>>;

  explicit Closing(my_context ctx) : my_base(ctx) {
    auto& m = outermost_context();
    m.core.signals.release_in(true);
    m.core.raise(AlarmKind::barrier_obstructed, "the grant ended with someone in the lane; the barrier cannot close");
    restart_timer();
  }

  ~Closing() override {
    auto& m = outermost_context();
    timer_.reset();
    m.core.signals.release_in(false);
    if (!handing_over_) m.end_grants();
    if (!faulted_) m.core.clear(AlarmKind::barrier_obstructed, "the barrier is no longer held open");
  }

  sc::result react(const EvScan& e) {
    outermost_context().request_admission(e.token);
    return discard_event();
  }

  sc::result react(const EvResult& e) {
    handing_over_ = e.result.admitted;  // Admitting goes on with the grants still open
    return admit_or_deny(*this, e);
  }

  sc::result react(const EvPassage& e) {
    auto& m = outermost_context();
    if (e.direction == Direction::out || m.grants.empty()) return forward_event();
    m.use_place();
    return discard_event();
  }

  sc::result react(const EvBeams&) {
    if (outermost_context().core.beams_clear()) return close();
    return discard_event();
  }

  sc::result react(const EvCloseRetry&) {
    auto& m = outermost_context();
    ++retries_;
    if (retries_ >= m.core.config.close_retries) {
      faulted_ = true;
      return transit<Fault>();
    }
    spdlog::warn("event=barrier_blocked lane={} retry={} retries={}", m.core.number(), retries_,
                 m.core.config.close_retries);
    restart_timer();
    return discard_event();
  }

 private:
  sc::result close() {
    if (outermost_context().pending > 0) return transit<Validating>();
    return transit<Idle>();
  }

  void restart_timer() {
    auto& m = outermost_context();
    timer_ = m.core.ports.timers.start(m.core.config.close_retry, [&m] { m.handle(EvCloseRetry()); });
  }

  int retries_ = 0;
  bool faulted_ = false;
  bool handing_over_ = false;  // to Admitting, which keeps the grants
  std::unique_ptr<Timer> timer_;
};

// Shared by Fault and OutOfService: scans refused, people leaving are exits (egress is free).
template <class State>
sc::result refuse_scan(State& state) {
  state.outermost_context().core.deny(DenialReason::lane_unavailable);
  return state.discard_event();
}

template <class State>
sc::result leaving_is_exit(State& state, const EvPassage& e) {
  if (e.direction == Direction::in) return state.forward_event();
  state.outermost_context().core.report(Direction::out, PassageKind::exit);
  return state.discard_event();
}

// The barrier could not close: release_in off, egress free, red, until the lane is clear.
struct Fault : sc::state<Fault, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvScan>, sc::custom_reaction<EvBeams>,
                              sc::custom_reaction<EvPassage>>;

  explicit Fault(my_context ctx) : my_base(ctx) {
    auto& m = outermost_context();
    m.stop_admitting();
    spdlog::error("event=lane_fault lane={} retries={} "
                  "detail=\"the barrier could not close; lane in fault until it is clear\"",
                  m.core.number(), m.core.config.close_retries);
    m.core.hold_unavailable("fault: barrier blocked");
  }

  ~Fault() override {
    auto& m = outermost_context();
    m.core.release_egress();
    m.core.clear(AlarmKind::barrier_obstructed, "the lane is clear, fault over");
  }

  sc::result react(const EvScan&) { return refuse_scan(*this); }

  sc::result react(const EvBeams&) {
    if (outermost_context().core.beams_clear()) return lane_machine::resume<Idle, OutOfService>(*this);
    return discard_event();
  }

  sc::result react(const EvPassage& e) { return leaving_is_exit(*this, e); }
};

struct OutOfService : sc::state<OutOfService, Operating> {
  using reactions = mpl::list<sc::custom_reaction<EvScan>, sc::custom_reaction<EvInService>,
                              sc::custom_reaction<EvBeams>, sc::custom_reaction<EvPassage>,
                              sc::custom_reaction<EvOutOfService>>;

  explicit OutOfService(my_context ctx) : my_base(ctx) {
    auto& m = outermost_context();
    m.stop_admitting();
    spdlog::warn("event=lane_out_of_service lane={}", m.core.number());
    m.core.hold_unavailable("out of service");
  }

  ~OutOfService() override { outermost_context().core.release_egress(); }

  sc::result react(const EvScan&) { return refuse_scan(*this); }
  sc::result react(const EvInService&) { return lane_machine::resume_service_if_clear<Idle>(*this); }
  sc::result react(const EvBeams&) { return lane_machine::resume_service_if_clear<Idle>(*this); }
  sc::result react(const EvPassage& e) { return leaving_is_exit(*this, e); }
  sc::result react(const EvOutOfService&) { return discard_event(); }
};

}  // namespace

template class LaneAdapter<EntryLaneMachine>;

EntryLane::EntryLane(const LaneConfig& config, LanePorts ports) : LaneAdapter(config, ports) {}

void EntryLane::on_scan(std::string token) { scan(std::move(token)); }

void EntryLane::on_unreadable_scan() { scan(std::nullopt); }

void EntryLane::scan(std::optional<std::string> token) {
  auto& m = machine();
  if (m.shutting_down) {
    spdlog::info("event=scan_refused lane={} reason=lane_unavailable detail=\"the gate is stopping\"", number());
    m.core.deny(DenialReason::lane_unavailable);
    m.core.signals.apply();
    return;
  }
  m.handle(EvScan(std::move(token)));
}

bool EntryLane::passage_in_progress() const {
  const auto& m = machine();
  return m.state_cast<const Validating*>() != nullptr || m.state_cast<const Admitting*>() != nullptr ||
         m.state_cast<const Closing*>() != nullptr;
}

void EntryLane::close_for_shutdown() {
  auto& m = machine();
  if (m.shutting_down) return;
  m.shutting_down = true;
  if (m.state_cast<const Idle*>() != nullptr) m.core.signals.show("closed");
}

void EntryLane::on_scanner_connection(bool connected, const std::string& detail) {
  auto& m = machine();
  if (m.scanner_connected == connected) return;
  m.scanner_connected = connected;
  // Nobody can scan in: egress is kept free until the scanner is back.
  if (connected) {
    m.core.clear(AlarmKind::scanner_fault, "scanner back: " + detail);
    m.core.release_egress();
    m.core.signals.show("scanner ok");
  } else {
    m.core.raise(AlarmKind::scanner_fault, "scanner lost: " + detail);
    m.core.hold_egress();
  }
  m.core.signals.apply();
}

bool EntryLane::scanner_connected() const { return machine().scanner_connected; }

std::string EntryLane::state_name() const {
  const auto& m = machine();
  if (auto name = lane_machine::emergency_state_name<FireAlarm>(m)) return *name;
  if (m.state_cast<const OutOfService*>() != nullptr) return "out_of_service";
  if (m.state_cast<const Fault*>() != nullptr) return "fault";
  if (m.state_cast<const Closing*>() != nullptr) return "closing";
  if (m.state_cast<const Admitting*>() != nullptr) return "admitting";
  if (m.state_cast<const Validating*>() != nullptr) return "validating";
  return "idle";
}

int EntryLane::places_left() const {
  const auto* admitting = machine().state_cast<const Admitting*>();
  return admitting != nullptr ? admitting->places_left() : 0;
}

}  // namespace passgate::controller
