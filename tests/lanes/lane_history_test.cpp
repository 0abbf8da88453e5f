// Generated histories of a gate's lanes against a reference model (lane_history_model.hpp):
// a Gate of two entry and one or two exit lanes on a FakeIoBackend in virtual time plays
// random steps: scans and card taps answered by a scripted admission (admitted with a group,
// denied, or answered late), people walking in, out, turning back, standing in the barrier,
// two close together, a flapping beam, the fire alarm and a lost alarm loop on and off (also
// from inside the gate's own writes, nested: a flicker inside one write, a change inside a
// write of a change), lanes out of service and back, scanners lost, time passing (grant
// time-outs, close retries into the fault, the tailgate window, lingering grants), wall-clock
// steps, reloads, restarts and a graceful stop. The model checks every report as it comes and
// the outputs after every step; at rest (everyone out, answers given, time past every timer)
// every grant has ended.
// CTest plays 100 histories of 150 steps (about 7 s of CPU under ASan, 1.5 s in a debug
// build); PASSGATE_LANE_HISTORIES, PASSGATE_LANE_HISTORY_STEPS and PASSGATE_LANE_HISTORY_SEED
// (the first seed) make a longer run, and PASSGATE_LANE_HISTORY_SEED=<seed>
// PASSGATE_LANE_HISTORIES=1 replays a failing one (PASSGATE_MODEL_LOG=1: with the lanes' log).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include "controller/lanes/gate.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"
#include "tests/lanes/lane_history_model.hpp"
#include "tests/settlement_model/quiet_log.hpp"

using namespace std::chrono_literals;

namespace passgate::test::lane_history {

using controller::GateConfig;
using controller::LaneConfig;
using controller::LaneKind;

struct HistorySettings {
  unsigned first_seed = 1;
  unsigned histories = 0;
  int steps = 0;
};

unsigned env_number(const char* name, unsigned fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : fallback;
}

HistorySettings history_settings() {
  return HistorySettings{env_number("PASSGATE_LANE_HISTORY_SEED", 1), env_number("PASSGATE_LANE_HISTORIES", 100),
                         static_cast<int>(env_number("PASSGATE_LANE_HISTORY_STEPS", 150))};
}

// One history: the gate, the rig around it, the admission and the model.
class LaneHistory {
 public:
  explicit LaneHistory(unsigned seed) : rng_(seed), config_(make_config()), model_(config_.lanes, io_, vt_) {
    panel_ = pick(6) == 0;  // the gate starts during a fire alarm
    start_gate();
  }

  void run(int steps) {
    for (int step = 0; step < steps && model_.violations().empty(); ++step) {
      play_step();
      check();
    }
    if (!model_.violations().empty()) return;
    if (pick(3) == 0) {
      stop("graceful stop");
    } else {
      settle();
    }
  }

  [[nodiscard]] const LaneHistoryModel& model() const { return model_; }
  [[nodiscard]] int alarms() const { return alarms_; }
  [[nodiscard]] int restarts() const { return restarts_; }
  [[nodiscard]] int settles() const { return settles_; }

  // The last steps, for a failure's message.
  [[nodiscard]] std::string story() const {
    std::ostringstream out;
    for (const auto& s : log_) out << "  " << s << "\n";
    out << "violations:\n";
    for (const auto& v : model_.violations()) out << "  " << v << "\n";
    return out.str();
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
  void note(std::string what) {
    log_.push_back("t=" + std::to_string((vt_.steady_now() - t0_) / 1ms) + "ms " + std::move(what));
    if (log_.size() > 60) log_.pop_front();
  }

  GateConfig make_config() {
    GateConfig config;
    config.io.sim_debounce = 0ms;
    config.io.scan_repeat_window = 2000ms;
    config.io.scan_max_length = 64;
    // Two entry lanes and one or two exit lanes, in a mixed order.
    config.lanes = {lane_config(1, LaneKind::entry), lane_config(2, LaneKind::exit), lane_config(3, LaneKind::entry)};
    if (pick(2) == 0) config.lanes.push_back(lane_config(4, LaneKind::exit));
    for (auto& lane : config.lanes) {
      randomize(lane);
      lane.out_of_service = pick(8) == 0;
    }
    return config;
  }

  // Live settings a reload may change; groups of more than one.
  void randomize(LaneConfig& lane) {
    lane.group_limit = 2 + pick(4);
    lane.grant_timeout = Millis{2000 + 1000 * pick(8)};
    lane.close_retry = Millis{500 + 500 * pick(5)};
    lane.close_retries = 1 + pick(3);
    lane.beam_blocked_alarm = Millis{4000 + 2000 * pick(10)};
  }

  void start_gate() {
    gate_ = std::make_unique<controller::Gate>(config_, io_, vt_, vt_, admission_, model_);
    gate_->add_observer(model_);  // the model outlives the gate
    if (!panel_ && !held_) alarm(false);
  }

  std::vector<int> lanes_of(LaneKind kind) const {
    std::vector<int> out;
    for (const auto& lc : config_.lanes) {
      if (lc.kind == kind) out.push_back(lc.number);
    }
    return out;
  }
  int any_lane() { return config_.lanes[static_cast<std::size_t>(pick(static_cast<int>(config_.lanes.size())))].number; }
  int entry_lane() {
    const auto entries = lanes_of(LaneKind::entry);
    return entries[static_cast<std::size_t>(pick(static_cast<int>(entries.size())))];
  }

  void play_step() {
    // Now and then the panel changes inside whatever this step makes the gate write first (a
    // denial in the alarm, a grant time-out, an answer shown or refused).
    if (pick(kInWriteAlarmOneIn) == 0) alarm_in_next_write();
    const int what = pick(100);
    if (what < 14) return scan();
    if (what < 18) return card();
    if (what < 32) return answer();
    if (what < 58) return beams(any_lane());
    if (what < 64) return fire_alarm();
    if (what < 68) return service();
    if (what < 70) return scanner();
    if (what < 88) return time_passes();
    if (what < 90) return wall_step();
    if (what < 94) return reload();
    if (what < 97) return settle();
    if (what < 98) return restart();
    return time_passes();
  }

  void check() {
    model_.tick();
    model_.check_outputs();
    model_.check_over_closed([this](const std::string& id) { return gate_->grant_open_for(id); });
    if (gate_->fire_alarm() != model_.alarm()) model_.fail("the gate's fire alarm differs from the loop's");
    if (held_ && gate_->fire_alarm_cause().value_or(controller::FireAlarmCause{}).code != "link_lost") {
      model_.fail("a lost alarm loop not named as the alarm's cause");
    }
  }

  // A scan on an entry lane: a token, now and then an unreadable read.
  void scan() {
    const int lane = entry_lane();
    const bool unreadable = pick(20) == 0;
    const std::string text = unreadable ? std::string("\x01tok") : "tok-" + std::to_string(++tokens_);
    const std::size_t asked = admission_.open();
    note("scan lane " + std::to_string(lane) + (unreadable ? " unreadable" : ""));
    io_.scan("lane" + std::to_string(lane) + ".entry", text);
    if (admission_.open() > asked && admission_.requests.back().group_limit != model_.lane(lane).config.group_limit) {
      model_.fail("a scan asked with another group limit than the lane's");
    }
  }

  // The lane's card entry: a tap admitted (its session committed) or turned away.
  void card() {
    const int lane = entry_lane();
    controller::CardDecision decision;
    if (pick(4) == 0) {
      decision.reason = controller::CardDenial::payment_declined;
      note("card declined lane " + std::to_string(lane));
    } else {
      decision.admitted = true;
      decision.session_id = "card-" + std::to_string(++sessions_);
      note("card admitted lane " + std::to_string(lane) + " " + decision.session_id);
    }
    gate_->on_card_decision(lane, decision);
  }

  // The oldest question to the admission answered: admitted with a group, or denied. Those
  // left waiting are answers that come late.
  void answer() {
    if (admission_.open() == 0) return time_passes();
    const auto& r = admission_.requests.front();
    const bool card = r.token.starts_with(ScriptedAdmission::kCardSession);
    if (pick(4) == 0) {
      note("deny lane " + std::to_string(r.lane));
      return admission_.deny(card ? DenialReason::shopper_blocked : DenialReason::expired);
    }
    const std::string session =
        card ? r.token.substr(ScriptedAdmission::kCardSession.size()) : "s-" + std::to_string(++sessions_);
    const int group = card ? 1 : 1 + pick(6);
    note("admit lane " + std::to_string(r.lane) + " " + session + " group " + std::to_string(group));
    const int lane = r.lane;
    model_.admitted(lane, session, std::min(group, r.group_limit));
    admission_.admit(session, group);
    model_.answer_delivered(session);
    if (pick(3) != 0) walk_in_group(lane, std::max(1, group - 1 + pick(3)));
  }

  // An admitted group walks in (one too many now and then: a tailgater), one by one or two
  // close together, unless someone stands in the lane already.
  void walk_in_group(int lane, int people) {
    note("lane " + std::to_string(lane) + " group of " + std::to_string(people) + " walks in");
    for (int left = people; left > 0 && model_.lane(lane).clear();) {
      if (left >= 2 && pick(3) == 0) {
        walk(lane, {{true, false}, {true, true}, {false, true}, {true, true}, {true, false}, {true, true},
                    {false, true}, {false, false}});
        left -= 2;
      } else {
        walk(lane, {{true, false}, {true, true}, {false, true}, {false, false}});
        --left;
      }
    }
  }

  // One beam of a lane to a level (one line per call, as a rig reports them).
  void beam(int lane, bool outer, bool inner) {
    const ModelLane& l = model_.lane(lane);
    const bool outer_changes = l.outer != outer;
    model_.beams_changing(lane, outer, inner);
    const std::string line = "lane" + std::to_string(lane) + (outer_changes ? ".beam_outer" : ".beam_inner");
    io_.input(line, outer_changes ? outer : inner);
    model_.beams_changed(lane);
    if (!model_.lane(lane).clear() && pick(8) == 0) {
      // The lane's passage sensor (a flap's rotation) pulses while someone is in it.
      const std::string sensor = "lane" + std::to_string(lane) + ".passage";
      io_.input(sensor, true);
      io_.input(sensor, false);
    }
    if (pick(3) == 0) vt_.advance(Millis{pick(1500)});  // the pace of a walk
  }

  // To these levels, one beam at a time: the newly blocked one first (through both).
  void reach(int lane, bool outer, bool inner) {
    const ModelLane& l = model_.lane(lane);
    if (l.outer != outer && l.inner != inner) {
      if (outer || (!inner && pick(2) == 0)) {
        beam(lane, outer, l.inner);
      } else {
        beam(lane, l.outer, inner);
      }
    }
    if (l.outer != outer || l.inner != inner) beam(lane, outer, inner);
  }

  void walk(int lane, std::initializer_list<std::pair<bool, bool>> levels) {
    for (const auto& [outer, inner] : levels) reach(lane, outer, inner);
  }

  // Someone in the lane goes on through to the inside, or back out.
  void finish(int lane, bool inside) {
    note("lane " + std::to_string(lane) + (inside ? " occupant goes in" : " occupant goes back out"));
    if (inside) {
      walk(lane, {{false, true}, {false, false}});
    } else {
      walk(lane, {{true, false}, {false, false}});
    }
  }

  void beams(int lane) {
    if (!model_.lane(lane).clear()) return finish(lane, pick(3) != 0);
    const std::string at = "lane " + std::to_string(lane);
    switch (pick(9)) {
      case 0:
      case 1:
        note(at + " walk in");
        return walk(lane, {{true, false}, {true, true}, {false, true}, {false, false}});
      case 2:
        note(at + " walk out");
        return walk(lane, {{false, true}, {true, true}, {true, false}, {false, false}});
      case 3:
        note(at + " turn back");
        return walk(lane, {{true, false}, {true, true}, {true, false}, {false, false}});
      case 4:
        note(at + " stands in the barrier");
        return walk(lane, {{true, false}, {true, true}});
      case 5:
        note(at + " stands at the inner beam");
        return walk(lane, {{false, true}});
      case 6: {
        note(at + " flapping beam");
        const bool outer = pick(2) == 0;
        for (int i = 1 + pick(3); i > 0; --i) {
          reach(lane, outer, !outer);
          reach(lane, false, false);
        }
        return;
      }
      case 7:
        note(at + " two close together walk in");
        return walk(lane, {{true, false}, {true, true}, {false, true}, {true, true}, {true, false}, {true, true},
                           {false, true}, {false, false}});
      default:
        note(at + " two close together walk out");
        return walk(lane, {{false, true}, {true, true}, {true, false}, {true, true}, {false, true}, {true, true},
                           {true, false}, {false, false}});
    }
  }

  // The fire alarm as the gate hears it: the panel's loop, or the backend's lost link.
  void alarm(bool active) {
    if (active == model_.alarm()) return;
    if (active) ++alarms_;
    model_.alarm(active);
    io_.input("fire_alarm", active);
    model_.alarm_given();
  }

  // The panel's loop changes.
  void flip_panel(const std::string& where) {
    panel_ = !panel_;
    note((panel_ ? "fire alarm" : "fire alarm cleared") + where);
    alarm(panel_ || held_);
  }

  // The panel changes from inside whatever the gate writes next: a lane reaction half done (a
  // denial, a grant time-out closing), the gate latching the lanes or telling them of a change
  // the other way. Now and then it changes back inside that same write (a flicker: a clear and
  // a raise both reaching a lane busy with an event), or arms one more change, inside this
  // change's own writes or a later one: changes nest.
  void alarm_in_next_write() {
    note("the panel changes inside the next output write");
    model_.on_next_write([this] {
      const int then = pick(4);
      if (then == 0) alarm_in_next_write();  // inside this change's own writes
      flip_panel(" inside a write");
      if (then == 1) flip_panel(" again inside the same write");
      if (then == 2) alarm_in_next_write();  // inside a later write
    });
  }

  void fire_alarm() {
    if (pick(4) == 0) {
      alarm_in_next_write();
      if (pick(2) == 0) return;
    }
    if (pick(3) == 0) {
      held_ = !held_;
      note(held_ ? "alarm loop lost" : "alarm loop back");
      io_.hold_fire_alarm(held_ ? std::optional<std::string>("alarm loop lost") : std::nullopt);
    } else if (panel_ || pick(3) == 0) {
      return flip_panel("");
    } else {
      return time_passes();
    }
    alarm(panel_ || held_);
  }

  void service() {
    const int lane = any_lane();
    const bool in_service = !model_.lane(lane).in_service;
    note("lane " + std::to_string(lane) + (in_service ? " back in service" : " out of service"));
    if (!gate_->set_in_service(lane, in_service).ok()) model_.fail("set_in_service refused a configured lane");
    model_.set_in_service(lane, in_service);
  }

  void scanner() {
    const int lane = entry_lane();
    const bool connected = model_.lane(lane).scanner_lost;
    note("lane " + std::to_string(lane) + (connected ? " scanner back" : " scanner lost"));
    io_.scanner_connection("lane" + std::to_string(lane) + ".entry", connected, connected ? "back" : "unplugged");
    model_.scanner(lane, connected);
  }

  void time_passes() {
    static constexpr std::array<int, 6> kScale{100, 1000, 3000, 8000, 12000, 30000};
    const Millis d{1 + pick(kScale[static_cast<std::size_t>(pick(static_cast<int>(kScale.size())))])};
    note("time passes " + std::to_string(d.count()) + "ms");
    vt_.advance(d);
  }

  void wall_step() {
    const auto step = std::chrono::minutes(pick(2) == 0 ? -(1 + pick(120)) : 1 + pick(120));
    note("wall clock steps " + std::to_string(step.count()) + "min");
    vt_.set_wall(vt_.wall_now() + step);
  }

  void reload() {
    GateConfig next = config_;
    for (auto& lane : next.lanes) {
      if (pick(2) == 0) randomize(lane);
      if (pick(6) == 0) lane.out_of_service = !lane.out_of_service;
    }
    note("reload");
    model_.reloading(next.lanes);
    gate_->reconfigure(next);
    model_.reload(next.lanes);
    config_ = next;
  }

  // Everyone in a lane finishes, every question is answered (or, stopping, drops out).
  void empty_lanes() {
    for (const auto& lc : config_.lanes) {
      if (!model_.lane(lc.number).clear()) finish(lc.number, pick(2) == 0);
    }
  }
  void answer_all() {
    while (admission_.open() > 0) answer();
  }

  // At rest: the lanes clear, every answer given, time past every grant, retry and linger.
  // The alarm may still be on. Every admitted session is credited or cancelled, none open.
  void settle() {
    note("settle");
    ++settles_;
    empty_lanes();
    answer_all();
    vt_.advance(60s);
    model_.check_all_ended([this](const std::string& id) { return gate_->grant_open_for(id); });
    if (gate_->passages_in_progress() != 0) model_.fail("a passage still in progress at rest");
  }

  // The daemon's graceful stop: no new admission, the passages under way finish, then the
  // gate goes. During the alarm every release stays on, as it was.
  void stop(const std::string& why) {
    note(why);
    gate_->stop_admitting();
    // Once at least: the next gate starts with the lanes clear (a new LaneInputs knows no beam).
    for (int round = 0; round == 0 || (round < 20 && (gate_->passages_in_progress() > 0 || admission_.open() > 0));
         ++round) {
      answer_all();
      empty_lanes();
      if (pick(3) == 0) {  // refused: the gate is stopping
        if (pick(2) == 0) {
          scan();
        } else {
          card();
        }
      }
      vt_.advance(Millis{1000 + pick(9000)});
    }
    if (gate_->passages_in_progress() != 0) model_.fail("the gate never became ready to stop");
    model_.on_next_write(nullptr);  // no input to a gate going or gone
    model_.gate_going();
    gate_.reset();
    admission_.requests.clear();  // their lanes are gone: never answered
    model_.check_outputs();
    model_.check_all_ended([](const std::string&) { return false; });
  }

  void restart() {
    ++restarts_;
    stop("restart");
    model_.restarted(config_.lanes);
    start_gate();
  }

  static constexpr int kInWriteAlarmOneIn = 25;  // steps

  std::mt19937 rng_;
  VirtualTime vt_;
  const SteadyTime t0_ = vt_.steady_now();
  hw::FakeIoBackend io_{vt_};
  ScriptedAdmission admission_{vt_};
  GateConfig config_;
  LaneHistoryModel model_;
  std::unique_ptr<controller::Gate> gate_;
  bool panel_ = false;  // the alarm panel's loop reads active
  bool held_ = false;   // the backend lost the loop: it holds the alarm active
  int tokens_ = 0;
  int sessions_ = 0;
  int alarms_ = 0;
  int restarts_ = 0;
  int settles_ = 0;
  std::deque<std::string> log_;
};

}  // namespace passgate::test::lane_history

TEST_CASE("lanes: generated histories keep the fire alarm's releases, egress and who pays against a model") {
  using passgate::test::lane_history::LaneHistory;
  const auto settings = passgate::test::lane_history::history_settings();
  const passgate::model::QuietLog quiet;  // PASSGATE_MODEL_LOG=1: the lanes' log lines
  passgate::test::lane_history::LaneHistoryModel::Counts total;
  int alarms = 0, restarts = 0, settles = 0;
  for (unsigned seed = settings.first_seed; seed < settings.first_seed + settings.histories; ++seed) {
    LaneHistory history(seed);
    history.run(settings.steps);
    if (!history.model().violations().empty()) {
      FAIL("seed " << seed << " (PASSGATE_LANE_HISTORY_SEED=" << seed << " PASSGATE_LANE_HISTORIES=1), last steps:\n"
                   << history.story());
    }
    const auto& c = history.model().counts();
    total.credited += c.credited;
    total.cancelled += c.cancelled;
    total.tailgate += c.tailgate;
    total.forced += c.forced;
    total.exits += c.exits;
    total.wrong_way += c.wrong_way;
    alarms += history.alarms();
    restarts += history.restarts();
    settles += history.settles();
  }
  if (std::getenv("PASSGATE_LANE_HISTORIES") != nullptr) {
    std::cout << settings.histories << " histories of " << settings.steps << " steps from seed " << settings.first_seed
              << ": " << total.credited << " passages credited, " << total.cancelled << " grants cancelled, "
              << total.tailgate << " tailgaters, " << total.forced << " forced, " << total.exits << " exits, "
              << total.wrong_way << " wrong way, " << alarms << " alarms, " << restarts << " restarts, " << settles
              << " settles\n";
  }
  // The histories reach what they are meant to check.
  if (settings.histories >= 50) {
    CHECK(total.credited > 0);
    CHECK(total.cancelled > 0);
    CHECK(total.tailgate > 0);
    CHECK(total.forced > 0);
    CHECK(total.exits > 0);
    CHECK(alarms > 0);
    CHECK(restarts > 0);
  }
}
