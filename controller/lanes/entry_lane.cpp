#include "controller/lanes/entry_lane.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <spdlog/spdlog.h>

#include "controller/lanes/machine.hpp"

namespace passgate::controller {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

// The entry lane's own events, in a named namespace (see exit_lane_events in exit_lane.cpp).
namespace entry_lane_events {
struct EvAnswer : sc::event<EvAnswer> {
  explicit EvAnswer(AdmissionResult r) : result(std::move(r)) {}
  AdmissionResult result;
};
// The lane's card entry admitted a tap: its session is committed, still to be opened with
// the tracking engine (AdmissionPort::open_card_session) as a scan's is.
struct EvCardAdmitted : sc::event<EvCardAdmitted> {
  explicit EvCardAdmitted(std::string id) : session_id(std::move(id)) {}
  std::string session_id;
};
struct EvGrantTimeout : sc::event<EvGrantTimeout> {};
struct EvCloseRetry : sc::event<EvCloseRetry> {};
}  // namespace entry_lane_events

// The states (file-local):
//   Operating                 everything but the fire alarm; passages nobody granted
//     Idle                    scan or card admitted → Validating
//     Serving                 scans and card sessions asked about, answers awaited, the grants
//       Validating            waiting for an answer, the barrier closed
//       Granting              barrier released; leaving it ends the grants
//         Admitting           green; the grant timer
//         Closing             someone still in the barrier; close retries
//     Fault
//     OutOfService
//   Emergency (lane_machine)  the fire alarm
namespace {

using entry_lane_events::EvAnswer;
using entry_lane_events::EvCardAdmitted;
using entry_lane_events::EvCloseRetry;
using entry_lane_events::EvGrantTimeout;
using lane_machine::EvAlarm;
using lane_machine::EvAlarmCleared;
using lane_machine::EvBeams;
using lane_machine::EvInService;
using lane_machine::EvOutOfService;
using lane_machine::EvPassage;
using lane_machine::EvScan;

struct Operating;
struct Idle;
struct Serving;
struct Validating;
struct Granting;
struct Admitting;
struct Closing;
struct Fault;
struct OutOfService;

}  // namespace

// An admitted group's places on the lane: granted, and used so far.
struct EntryGrant {
  std::string session_id;
  int granted = 0;
  int used = 0;
};

// What outlives the states: the lane's core, which Serving an answer belongs to, the last
// grant's end for tailgate attribution (a fire alarm in between does not forget it), the
// grants that ended with someone in the lane, and the scanner and shutdown flags the
// EntryLane sets. A card admission that no state takes
// (fire alarm, fault, out of service) is refused as a late answer is (unconsumed_event).
struct EntryLaneMachine : lane_machine::LaneStateMachine<EntryLaneMachine, Operating> {
  using LaneStateMachine::LaneStateMachine;
  ~EntryLaneMachine() {
    terminate();
    end_lingering();
  }

  // Asks the admission service about a scan (Idle's transition, Serving's scan reaction);
  // a read the scan filter refused (no token) is answered malformed right away, on a later
  // loop turn as the service answers, so the lane takes it as it takes any other answer.
  // An answer that comes after the Serving that asked ended is refused (late).
  void ask(const EvScan& scan) {
    AdmissionPort::Done answer = answer_to_this_serving();
    if (!scan.token) {
      core.ports.timers.post([answer = std::move(answer)] {
        answer(AdmissionResult{false, DenialReason::malformed, {}, 0, false});
      });
      return;
    }
    core.ports.admission.request(core.number(), core.config.group_limit, *scan.token, std::move(answer));
  }

  // The answer to a question the Serving now (or about to be) active asks: an answer that
  // comes after it ended is refused (late).
  AdmissionPort::Done answer_to_this_serving() {
    return [this, asked_in = epoch](AdmissionResult r) {
      if (asked_in != epoch) {
        refuse_late_admission(r);
        core.signals.apply();
        return;
      }
      handle(EvAnswer(std::move(r)));
    };
  }

  // Opens an admitted card tap's session with the tracking engine (Idle's transition,
  // Serving's reaction), answered as a scan is; a group of one.
  void ask_card(const EvCardAdmitted& card) {
    open_card(card.session_id, answer_to_this_serving());
  }

  // A card admission the lane cannot take now (fire alarm, fault, out of service, stopping):
  // its session is opened and its answer refused as a late one, so it ends cancelled (or
  // denied) as an app session answered then does.
  void refuse_card(const std::string& session_id) {
    spdlog::info("event=card_admission_refused lane={} session={} state=\"{}\"", core.number(), session_id,
                 refused_in());
    open_card(session_id, [this](AdmissionResult r) {
      refuse_late_admission(r);
      core.signals.apply();
    });
  }

  void open_card(const std::string& session_id, AdmissionPort::Done answer) {
    core.ports.admission.open_card_session(core.number(), session_id, [answer = std::move(answer)](AdmissionResult r) {
      r.way = EntryWay::card;
      answer(std::move(r));
    });
  }

  [[nodiscard]] const char* refused_in() const {
    if (shutting_down) return "stopping";
    return core.signals.alarm_latched() ? "fire alarm" : "unavailable";
  }

  // Boost.Statechart calls this for an event no active state reacts to.
  void unconsumed_event(const sc::event_base& e) {
    if (const auto* card = dynamic_cast<const EvCardAdmitted*>(&e)) return refuse_card(card->session_id);
    LaneStateMachine::unconsumed_event(e);
  }

  // An admission answered after its lane stopped waiting for it (fire alarm, fault, out of
  // service): nobody may use it, so the session is cancelled. During the fire alarm it is
  // refused without a red flash or a buzzer pulse: the lane is being evacuated.
  void refuse_late_admission(const AdmissionResult& r) {
    if (r.admitted) {
      core.ports.reports.grant_unused(r.session_id);
      spdlog::warn("event=late_admission_cancelled lane={} session={} "
                   "detail=\"admitted while the lane was unavailable\"",
                   core.number(), r.session_id);
    }
    if (core.signals.alarm_latched()) {
      core.ports.reports.scan_answered(core.number(),
                                       AdmissionResult{false, DenialReason::lane_unavailable, {}, 0, false, r.way});
      return;
    }
    core.deny(DenialReason::lane_unavailable, r.way);
  }

  // An entering passage that no grant covers: a tailgater right behind a grant, or forced.
  void unattributed_entry() {
    const bool tailgate =
        last_session && core.ports.clock.steady_now() - last_grant_end <= EntryLane::kTailgateWindow;
    core.unattributed_entry(tailgate ? last_session : std::nullopt);
  }

  // Grants that ended with someone in the lane, their places not all used (Closing out of
  // retries, out of service, the fire alarm), or that the fire alarm ended at all: the person
  // in the lane, or the shopper shown green a step away, is likely their shopper, so an
  // entering passage uses one of their places (admitted, for that session) until the lane is
  // clear (after the alarm, and no sooner than the grant time-out after it: linger_timer);
  // only then (or when the lane is torn down) is one nobody used cancelled. Before, its
  // session was cancelled while its shopper stood in the barrier and then walked in.
  std::deque<EntryGrant> lingering;
  std::unique_ptr<Timer> linger_timer;  // the grant time-out after the alarm ended grants

  // A grant the fire alarm ended lingers for a grant time-out at least.
  void linger_after_alarm() {
    linger_timer = core.ports.timers.start(core.config.grant_timeout, [this] {
      linger_timer.reset();
      if (core.beams_clear()) end_lingering();
    });
  }

  // An entering passage on a lingering grant's place, if there is one: reported admitted.
  bool use_lingering_place() {
    if (lingering.empty()) return false;
    EntryGrant& g = lingering.front();
    ++g.used;
    core.report(Direction::in, PassageKind::admitted, g.session_id);
    if (g.used == g.granted) {
      last_session = g.session_id;
      last_grant_end = core.ports.clock.steady_now();
      lingering.pop_front();
    }
    return true;
  }

  // The lane is clear (or torn down): the lingering grants end; one nobody used is cancelled.
  void end_lingering() {
    linger_timer.reset();
    if (lingering.empty()) return;
    for (const auto& g : lingering) {
      if (g.used == 0) core.ports.reports.grant_unused(g.session_id);
    }
    lingering.clear();
  }

  int epoch = 0;  // bumped whenever a Serving ends: the answers it still awaited are late
  std::optional<std::string> last_session;  // the session whose grant ended last
  SteadyTime last_grant_end{};
  bool scanner_connected = true;
  std::string scanner_detail;  // the scanner's last connection report ("no rig connected", ...)
  bool shutting_down = false;  // the gate is stopping: new scans are refused
};

namespace {

using Machine = EntryLaneMachine;

// What the shared fire-alarm states (lane_machine::Emergency) need to know of this lane.
struct FireAlarm {
  using Machine = EntryLaneMachine;
  using Ready = Idle;
  using OutOfServiceState = OutOfService;
  static constexpr PassageKind kEntering = PassageKind::forced;
  // The grants the alarm left lingering end, whoever used them (before: only when the lane was
  // told the clear outside a reaction; a clear reported from inside one of its writes left
  // them open, usable by the next person in, until their linger timer ran out).
  static void alarm_over(EntryLaneMachine& m) { m.end_lingering(); }
};
using Emergency = lane_machine::Emergency<FireAlarm>;

// Everything but the fire alarm. Its passage reaction is the default its substates fall
// back on: entering is a tailgater or forced, leaving is wrong way.
struct Operating : sc::simple_state<Operating, Machine, Idle> {
  using reactions = mpl::list<sc::transition<EvAlarm, Emergency>,            // → Emergency
                              sc::custom_reaction<EvAlarmCleared>,           // a latch overtaken: off
                              sc::transition<EvOutOfService, OutOfService>,  // → OutOfService
                              sc::custom_reaction<EvPassage>>;               // alarm, reported

  sc::result react(const EvAlarmCleared&) { return lane_machine::unlatch_overtaken_alarm(*this); }

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
  using reactions = mpl::list<sc::transition<EvScan, Validating, Machine, &Machine::ask>,  // ask, → Validating
                              sc::transition<EvCardAdmitted, Validating, Machine, &Machine::ask_card>>;
};

// From a scan in Idle until no answer is awaited and the barrier is closed again. Owns the
// admissions asked and not yet answered and the grants (admitted groups in scan order, open
// while Granting lasts), and asks about every scan made meanwhile. Ending (to Idle with
// nothing awaited, or to Fault, OutOfService or Emergency) makes every answer still to come
// late.
struct Serving : sc::state<Serving, Operating, Validating> {
  using reactions = mpl::list<sc::custom_reaction<EvScan>,           // ask (scan-ahead), stay
                              sc::custom_reaction<EvCardAdmitted>>;  // open it, stay

  // Entered by Idle's transition, which asked about the scan: one answer awaited.
  explicit Serving(my_context ctx) : my_base(ctx) {}
  ~Serving() override { ++outermost_context().epoch; }

  sc::result react(const EvScan& e) {
    outermost_context().ask(e);
    ++awaited_;
    return discard_event();
  }

  sc::result react(const EvCardAdmitted& e) {
    outermost_context().ask_card(e);
    ++awaited_;
    return discard_event();
  }

  // One of the answers awaited, shown at the lane; an admitted group's grant is added.
  // Returns whether it admitted.
  bool take(const AdmissionResult& r) {
    --awaited_;
    auto& core = outermost_context().core;
    if (!r.admitted) {
      core.deny(r.reason, r.way);
      return false;
    }
    grants_.push_back(EntryGrant{r.session_id, r.people, 0});
    core.admit(r);
    return true;
  }
  [[nodiscard]] bool awaiting() const { return awaited_ > 0; }
  [[nodiscard]] bool grants(const std::string& session_id) const {
    return std::any_of(grants_.begin(), grants_.end(), [&](const EntryGrant& g) { return g.session_id == session_id; });
  }

  [[nodiscard]] bool has_grants() const { return !grants_.empty(); }
  [[nodiscard]] int places_left() const {
    int n = 0;
    for (const auto& g : grants_) n += g.granted - g.used;
    return n;
  }

  // One person in on the oldest grant (scan order), reported as admitted for its session.
  // REQUIRES: has_grants().
  void use_place() {
    auto& m = outermost_context();
    EntryGrant& g = grants_.front();
    ++g.used;
    m.core.report(Direction::in, PassageKind::admitted, g.session_id);
    if (g.used == g.granted) {  // this grant is over: whoever follows at once is its tailgater
      m.last_session = g.session_id;
      m.last_grant_end = m.core.ports.clock.steady_now();
      grants_.pop_front();
    }
  }

  // The barrier closes (Granting ends): the sessions nobody used are cancelled, and the
  // tailgate window starts now. With someone still in the lane, the grants with places left
  // linger instead (EntryLaneMachine::lingering) until it is clear.
  void end_grants() {
    auto& m = outermost_context();
    const bool someone_in_lane = !m.core.beams_clear();
    const bool alarm = m.core.signals.alarm_latched();  // latched before any lane leaves its state
    if (alarm && std::any_of(grants_.begin(), grants_.end(), [](const EntryGrant& g) { return g.used < g.granted; })) {
      m.linger_after_alarm();
    }
    for (const auto& g : grants_) {
      if ((someone_in_lane || alarm) && g.used < g.granted) {
        spdlog::warn("event=grant_lingering lane={} session={} places_left={} "
                     "detail=\"the grant ended with someone in the lane; its places stay usable until it is clear\"",
                     m.core.number(), g.session_id, g.granted - g.used);
        m.lingering.push_back(g);
      } else if (g.used == 0) {
        m.core.ports.reports.grant_unused(g.session_id);
      }
    }
    // The tailgate window starts from the last grant someone used (not one cancelled unused).
    const auto used = std::find_if(grants_.rbegin(), grants_.rend(), [](const EntryGrant& g) { return g.used > 0; });
    if (used != grants_.rend()) {
      m.last_session = used->session_id;
      m.last_grant_end = m.core.ports.clock.steady_now();
    }
    grants_.clear();
  }

 private:
  int awaited_ = 1;
  std::deque<EntryGrant> grants_;
};

// An answer awaited with the barrier closed: admitted → Admitting; denied → Idle, or stay
// while more answers are awaited.
struct Validating : sc::simple_state<Validating, Serving> {
  using reactions = sc::custom_reaction<EvAnswer>;

  sc::result react(const EvAnswer& e) {
    auto& serving = context<Serving>();
    if (serving.take(e.result)) return transit<Admitting>();
    if (serving.awaiting()) return discard_event();
    return transit<Idle>();
  }
};

// The barrier released for the grants (release_in on). Leaving it, whatever for, closes
// the barrier and ends the grants (Serving::end_grants).
struct Granting : sc::state<Granting, Serving, Admitting> {
  explicit Granting(my_context ctx) : my_base(ctx) { outermost_context().core.signals.release_in(true); }

  ~Granting() override {
    outermost_context().core.signals.release_in(false);
    context<Serving>().end_grants();
  }
};

// Each entering passage uses a place of the oldest grant; all used or the grant timer out →
// the barrier closes (Closing while someone is still in it).
struct Admitting : sc::state<Admitting, Granting> {
  using reactions = mpl::list<sc::custom_reaction<EvAnswer>,        // admitted: its grant too; stay
                              sc::custom_reaction<EvPassage>,       // in: a place used; out: Operating
                              sc::custom_reaction<EvGrantTimeout>>;  // → Closing, Validating or Idle

  explicit Admitting(my_context ctx) : my_base(ctx) {
    outermost_context().core.signals.green(true);
    restart_timer();
  }

  ~Admitting() override {
    timer_.reset();
    outermost_context().core.signals.green(false);
  }

  sc::result react(const EvAnswer& e) {
    if (context<Serving>().take(e.result)) restart_timer();
    return discard_event();
  }

  sc::result react(const EvPassage& e) {
    if (e.direction == Direction::out) return forward_event();
    auto& serving = context<Serving>();
    serving.use_place();
    if (!serving.has_grants()) return leave();
    restart_timer();
    return discard_event();
  }

  sc::result react(const EvGrantTimeout&) {
    spdlog::info("event=grant_timeout lane={} places_unused={}", outermost_context().core.number(),
                 context<Serving>().places_left());
    return leave();
  }

 private:
  sc::result leave() {
    if (!outermost_context().core.beams_clear()) return transit<Closing>();
    if (context<Serving>().awaiting()) return transit<Validating>();
    return transit<Idle>();
  }

  void restart_timer() {
    auto& m = outermost_context();
    timer_ = m.core.ports.timers.start(m.core.config.grant_timeout, [&m] { m.handle(EvGrantTimeout()); });
  }

  std::unique_ptr<Timer> timer_;
};

// The grant is over but someone is in the lane: the barrier stays released until the beams
// are clear, retried every close_retry; after close_retries retries the lane is in Fault.
// Places still open on the grants stay usable (the person in the lane is likely their
// shopper) and are cancelled when the barrier closes. The barrier_obstructed alarm lasts
// while Closing does, and on into Fault.
struct Closing : sc::state<Closing, Granting> {
  using reactions = mpl::list<sc::custom_reaction<EvAnswer>,       // admitted → Admitting
                              sc::custom_reaction<EvPassage>,      // in on an open place; else Operating
                              sc::custom_reaction<EvBeams>,        // clear → Validating or Idle
                              sc::custom_reaction<EvCloseRetry>>;  // out of retries → Fault

  explicit Closing(my_context ctx) : my_base(ctx) {
    outermost_context().core.raise(AlarmKind::barrier_obstructed,
                                   "the grant ended with someone in the lane; the barrier cannot close");
    restart_timer();
  }

  ~Closing() override {
    timer_.reset();
    // Leaving on a retry is leaving for Fault, which keeps the alarm until the lane is clear.
    if (dynamic_cast<const EvCloseRetry*>(triggering_event()) == nullptr) {
      outermost_context().core.clear(AlarmKind::barrier_obstructed, "the barrier is no longer held open");
    }
  }

  sc::result react(const EvAnswer& e) {
    if (context<Serving>().take(e.result)) return transit<Admitting>();
    return discard_event();
  }

  sc::result react(const EvPassage& e) {
    auto& serving = context<Serving>();
    if (e.direction == Direction::out || !serving.has_grants()) return forward_event();
    serving.use_place();
    return discard_event();
  }

  sc::result react(const EvBeams&) {
    if (!outermost_context().core.beams_clear()) return discard_event();
    if (context<Serving>().awaiting()) return transit<Validating>();
    return transit<Idle>();
  }

  sc::result react(const EvCloseRetry&) {
    auto& m = outermost_context();
    ++retries_;
    if (retries_ >= m.core.config.close_retries) return transit<Fault>();
    spdlog::warn("event=barrier_blocked lane={} retry={} retries={}", m.core.number(), retries_,
                 m.core.config.close_retries);
    restart_timer();
    return discard_event();
  }

 private:
  void restart_timer() {
    auto& m = outermost_context();
    timer_ = m.core.ports.timers.start(m.core.config.close_retry, [&m] { m.handle(EvCloseRetry()); });
  }

  int retries_ = 0;
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
  using reactions = mpl::list<sc::custom_reaction<EvScan>,      // refused
                              sc::custom_reaction<EvBeams>,     // clear → Idle or OutOfService
                              sc::custom_reaction<EvPassage>>;  // out: an exit; in: Operating

  explicit Fault(my_context ctx) : my_base(ctx) {
    auto& m = outermost_context();
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
  using reactions = mpl::list<sc::custom_reaction<EvScan>,           // refused
                              sc::custom_reaction<EvInService>,      // beams clear → Idle
                              sc::custom_reaction<EvBeams>,          // clear and in service → Idle
                              sc::custom_reaction<EvPassage>,        // out: an exit; in: Operating
                              sc::custom_reaction<EvOutOfService>>;  // already: nothing

  explicit OutOfService(my_context ctx) : my_base(ctx) {
    auto& core = outermost_context().core;
    spdlog::warn("event=lane_out_of_service lane={}", core.number());
    core.hold_unavailable("out of service");
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

void EntryLane::on_card_admitted(std::string session_id) {
  auto& m = machine();
  if (m.shutting_down) {
    m.refuse_card(session_id);
  } else {
    m.handle(EvCardAdmitted(std::move(session_id)));
  }
}

void EntryLane::on_card_denied(DenialReason reason) {
  auto& m = machine();
  if (m.core.signals.alarm_latched()) {
    // Evacuating: no red flash, no buzzer (as a late answer during the alarm).
    m.core.ports.reports.scan_answered(number(), AdmissionResult{false, reason, {}, 0, false, EntryWay::card});
    return;
  }
  m.core.deny(reason, EntryWay::card);
  m.core.signals.apply();
}

void EntryLane::on_card_entry(bool enabled) {
  auto& m = machine();
  if (m.state_cast<const Idle*>() == nullptr || m.shutting_down) return;
  m.core.signals.show(enabled ? "card entry on" : "card entry off: use the app");
}

bool EntryLane::passage_in_progress() const {
  // A lingering grant counts but during the fire alarm, which never holds a stop up.
  const auto& m = machine();
  return m.state_cast<const Serving*>() != nullptr || (!m.lingering.empty() && !m.core.signals.alarm_latched());
}

bool EntryLane::grant_open_for(const std::string& session_id) const {
  const auto& lingering = machine().lingering;
  if (std::any_of(lingering.begin(), lingering.end(),
                  [&](const EntryGrant& g) { return g.session_id == session_id; })) {
    return true;
  }
  const auto* serving = machine().state_cast<const Serving*>();
  return serving != nullptr && serving->grants(session_id);
}

void EntryLane::on_passage(Direction d) {
  // A lingering grant's place is used whatever the state (fault, out of service, the fire
  // alarm): the person who stood in the barrier was admitted on it.
  if (d == Direction::in && machine().state_cast<const Serving*>() == nullptr) {
    machine().core.set_beams(false, false);
    if (machine().use_lingering_place()) return;
  }
  LaneAdapter::on_passage(d);
}

void EntryLane::on_beams(bool outer_blocked, bool inner_blocked) {
  LaneAdapter::on_beams(outer_blocked, inner_blocked);
  end_lingering_if_clear();
}

void EntryLane::on_alarm(bool active) {
  LaneAdapter::on_alarm(active);
  end_lingering_if_clear();
}

void EntryLane::end_lingering_if_clear() {
  // During the alarm a grant it ended lingers a grant time-out at least (linger_timer); out of
  // it, the lane clear is the end: the lane is serving others again, and a passage on it then
  // must never be credited to an old grant.
  auto& m = machine();
  if (m.core.beams_clear() && (!m.linger_timer || !m.core.signals.alarm_latched())) m.end_lingering();
}

void EntryLane::close_for_shutdown() {
  auto& m = machine();
  if (m.shutting_down) return;
  m.shutting_down = true;
  if (m.state_cast<const Idle*>() != nullptr) m.core.signals.show("closed");
}

void EntryLane::on_scanner_connection(bool connected, const std::string& detail) {
  auto& m = machine();
  m.scanner_detail = detail;
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

const std::string& EntryLane::scanner_detail() const { return machine().scanner_detail; }

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
  return admitting != nullptr ? admitting->context<Serving>().places_left() : 0;
}

}  // namespace passgate::controller
