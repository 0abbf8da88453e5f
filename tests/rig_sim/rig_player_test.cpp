// The scenario player end to end in virtual time, against a fake gate that behaves like the
// real lanes in the simplest way (scripted scan answers, grants counted down by the gate's own
// PassageDetector, exit lanes opening on beam_inner, fire alarm opening everything).
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <sstream>

#include "common/virtual_time.hpp"
#include "crypto/base64url.hpp"
#include "hw/line_names.hpp"
#include "hw/passage_detector.hpp"
#include "tools/sim/rig/scenario_player.hpp"

namespace passgate::sim {
namespace {

using hw::LineRole;

class FakeGate final : public RigWires {
 public:
  // `exit_lanes`: lanes that open release_out when someone is at beam_inner.
  FakeGate(VirtualTime& time, GateView& view, std::set<int> lanes, std::set<int> exit_lanes)
      : time_(time), view_(view), exit_lanes_(std::move(exit_lanes)) {
    for (const int n : lanes) {
      lanes_.emplace(n, Lane{hw::PassageDetector({.on_passage = [this, n](hw::PassageDirection d) { passage(n, d); },
                                                  .on_occupancy = [this, n](hw::Occupancy o) { occupancy(n, o); }})});
    }
  }

  // Like the real gate on connect: the alarm counts as active until the rig says otherwise.
  void connect() { alarm(true); }

  void set_input(const std::string& line, bool active) override {
    time_.post([this, line, active] { input(line, active); });
  }
  void scan(const std::string& scanner, const std::string& text) override {
    scans.push_back(text);
    time_.post([this, lane = std::stoi(scanner.substr(4))] { scanned(lane); });  // "lane<n>.entry"
  }

  // A card read at `lane`'s reader: answered as a scan is.
  void card_read(int lane) {
    time_.post([this, lane] { scanned(lane); });
  }

  // The lane's display shows `text` `after` from now (card entry off or on, ...).
  void show_later(int lane, std::string text, Millis after) {
    shows_.push_back(time_.start(after, [this, lane, text = std::move(text)] { view_.on_display(lane, text); }));
  }

  std::map<int, std::deque<std::string>> answers;  // per lane: "admit <n>" or a denial reason
  std::map<int, int> granted_in, forced_in, out;   // passages per lane
  std::vector<std::string> scans;

 private:
  struct Lane {
    hw::PassageDetector detector;
    int places = 0;
  };

  void input(const std::string& line, bool active) {
    if (line == hw::kFireAlarm) return alarm(active);
    const auto parsed = hw::parse_line_name(line);
    if (!lanes_.contains(parsed->lane)) return;  // the real gate replies with an error
    Lane& lane = lanes_.at(parsed->lane);
    if (parsed->role == LineRole::beam_outer) lane.detector.set_outer(active);
    if (parsed->role == LineRole::beam_inner) lane.detector.set_inner(active);
  }

  void scanned(int n) {
    if (alarm_) return display(n, "lane_unavailable");
    const std::string answer = answers[n].front();
    answers[n].pop_front();
    if (answer.starts_with("admit ")) {
      lanes_.at(n).places += std::stoi(answer.substr(6));
      set(n, LineRole::release_in, true);
    }
    display(n, answer);
  }

  void passage(int n, hw::PassageDirection d) {
    if (d == hw::PassageDirection::out) {
      ++out[n];
      return;
    }
    Lane& lane = lanes_.at(n);
    if (lane.places == 0) {
      ++forced_in[n];
      return;
    }
    ++granted_in[n];
    if (--lane.places == 0 && !alarm_) set(n, LineRole::release_in, false);
  }

  void occupancy(int n, hw::Occupancy o) {
    if (!exit_lanes_.contains(n) || alarm_) return;
    if (hw::inner_blocked(o)) set(n, LineRole::release_out, true);
    if (o == hw::Occupancy::none) set(n, LineRole::release_out, false);
  }

  void alarm(bool active) {
    alarm_ = active;
    for (auto& [n, lane] : lanes_) {
      lane.places = 0;
      set(n, LineRole::release_in, active);
      set(n, LineRole::release_out, active);
    }
  }

  void set(int n, LineRole role, bool active) {
    time_.post([this, line = hw::line_name(n, role), active] { view_.on_output(line, active); });
  }
  void display(int n, const std::string& text) {
    time_.post([this, n, text] { view_.on_display(n, text); });
  }

  VirtualTime& time_;
  GateView& view_;
  std::vector<std::unique_ptr<Timer>> shows_;
  std::set<int> exit_lanes_;
  std::map<int, Lane> lanes_;
  bool alarm_ = false;
};

class RecordingTrackingFaults final : public TrackingFaults {
 public:
  void set_fault(TrackingFault fault, Millis, std::function<void(Status)> done) override {
    faults.push_back(fault);
    done(Status{});
  }
  std::vector<TrackingFault> faults;
};

class RecordingGatewayFaults final : public GatewayFaults {
 public:
  void set_fault(const GatewayFault& fault, std::function<void(Status)> done) override {
    faults.push_back(fault);
    done(refuse ? Status(make_error("gateway_control", "the gateway simulator refused")) : Status{});
  }
  std::vector<GatewayFault> faults;
  bool refuse = false;
};

// The gateway simulator's readers: each tap gets its reader's next scripted HTTP status (200:
// read, and the gate answers; 400, also once the script is used up: not collecting), later on
// the loop.
class ScriptedCardTaps final : public CardTaps {
 public:
  ScriptedCardTaps(VirtualTime& time, FakeGate& gate) : time_(time), gate_(gate) {}

  void tap(const std::string& reader, const std::string& card, std::function<void(Result<int>)> done) override {
    taps.push_back(reader + " " + card);
    std::deque<int>& script = statuses[reader];
    const int status = script.empty() ? 400 : script.front();
    if (!script.empty()) script.pop_front();
    if (status == 200) gate_.card_read(std::stoi(reader.substr(std::string_view("tmr_lane").size())));
    time_.post([done = std::move(done), status] { done(status); });
  }

  // Each fault the rig sets, as "<reader> <fault>"; the gate shows `shows[fault]` on its lane
  // `display_after` later (nothing for a fault without an entry).
  void set_reader_fault(const std::string& reader, const std::string& fault, std::function<void(Status)> done) override {
    faults.push_back(reader + " " + fault);
    if (const auto it = shows.find(fault); it != shows.end()) {
      gate_.show_later(std::stoi(reader.substr(std::string_view("tmr_lane").size())), it->second, display_after);
    }
    time_.post([done = std::move(done)] { done(Status{}); });
  }

  std::map<std::string, std::deque<int>> statuses;  // by reader
  std::vector<std::string> taps;
  std::vector<std::string> faults;
  std::map<std::string, std::string> shows;  // by fault: what the gate's lane display then says
  Millis display_after{1500};

 private:
  VirtualTime& time_;
  FakeGate& gate_;
};

// A tap step at lane `lane`'s reader (tmr_lane<lane>), with `extra` keys ("key = value\n"...).
std::string tap_toml(int lane, const std::string& extra = {}) {
  const std::string n = std::to_string(lane);
  return "[[step]]\nkind = \"tap\"\nlane = " + n + "\nreader = \"tmr_lane" + n + "\"\n" + extra;
}

// The claims of a compact JWS as scanned (no scanner suffix).
nlohmann::json claims_of(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return nlohmann::json::parse(crypto::decode_base64url(token.substr(first + 1, second - first - 1)).value());
}

struct PlayerRig {
  explicit PlayerRig(const std::string& toml, std::set<int> gate_lanes = {1, 2, 3})
      : scenario(parse_scenario(toml, "t.toml").value()),
        gate(time, view, gate_lanes, {3}) {}

  // Plays the scenario in virtual time; the player's `finished` result, or empty if it hangs.
  std::optional<bool> play() {
    ScanSuffix suffix = ScanSuffix::none;
    std::optional<bool> completed;
    ScenarioPlayer player(scenario,
                          RigParts{time, time, rig_timers, view, gate, scanner, report, &tracking, &gateway, &taps, 7,
                                   suffix},
                          [&](bool done) { completed = done; });
    gate.connect();
    player.start();
    for (int i = 0; i < 12000 && !completed; ++i) time.advance(Millis{10});
    return completed;
  }

  Scenario scenario;
  VirtualTime time;
  ScaledTimers rig_timers{time, 1.0};
  Conditions conditions{time};
  GateView view{conditions};
  FakeGate gate;
  IssuerKey key = IssuerKey::generate(IssuerAlg::es256, "k1").value();
  RigScanner scanner{{key, "https://issuer.test", "store-1"}, gate, view, time, time};
  std::ostringstream out;
  RigReport report{time, out};
  RecordingTrackingFaults tracking;
  RecordingGatewayFaults gateway;
  ScriptedCardTaps taps{time, gate};
};

TEST_CASE("a scenario plays against the gate and every expectation is met", "[rig_player]") {
  PlayerRig rig(R"(
[[step]]
kind = "shopper"
label = "alice"
lane = 1
group = 2
suffix = "crlf"
[[step]]
kind = "shopper"
lane = 1
follow = true
suffix = "aim"
[[step]]
kind = "shopper"
lane = 2
token = "expired"
[[step]]
kind = "shopper"
lane = 2
token = "replay:alice"
[[step]]
kind = "tailgater"
lane = 2
[[step]]
kind = "exit"
lane = 3
people = 2
expect = "free"
[[step]]
kind = "wrong_way"
lane = 3
[[step]]
kind = "backout"
lane = 1
[[step]]
kind = "bounce"
lane = 1
[[step]]
kind = "fire_drill"
lane = 1
duration_ms = 1000
[[step]]
kind = "tracking"
fault = "unreachable"
)");
  rig.gate.answers[1] = {"admit 2", "admit 1"};
  rig.gate.answers[2] = {"expired", "replayed", "admit 1"};

  const auto completed = rig.play();
  INFO(rig.out.str());
  REQUIRE(completed == true);
  CHECK(rig.report.expectations_failed() == 0);
  CHECK(rig.report.expectations_met() == 17);
  CHECK(rig.report.passed(true));

  // What the gate saw: three admitted people on lane 1, the tailgater's lead and the tailgater
  // on lane 2, two leavers on lane 3 plus the wrong-way entry, two fire-drill leavers on lane 1.
  CHECK(rig.gate.granted_in == std::map<int, int>{{1, 3}, {2, 1}});
  CHECK(rig.gate.forced_in == std::map<int, int>{{2, 1}, {3, 1}});
  CHECK(rig.gate.out == std::map<int, int>{{1, 2}, {3, 2}});
  CHECK(rig.tracking.faults == std::vector<TrackingFault>{TrackingFault::unreachable});

  // Scanner suffixes, and the replay shows alice's very token.
  const auto& scans = rig.gate.scans;
  REQUIRE(scans.size() == 6);
  const std::string& alice = scans[0];
  CHECK(alice.ends_with("\r\n"));
  CHECK(std::count_if(scans.begin(), scans.end(), [](const auto& s) { return s.starts_with("]Q1"); }) == 1);
  CHECK(std::count(scans.begin(), scans.end(), alice.substr(0, alice.size() - 2)) == 1);

  const std::string text = rig.out.str();
  CHECK(text.find("lane1 #01 shopper grp=2 (valid, crlf) [alice]: admitted 2 ✓, 2 entered ✓") != std::string::npos);
  CHECK(text.find("lane2 #03 shopper (expired): denied expired ✓") != std::string::npos);
  CHECK(text.find("scan on lane1 during the drill: denied lane_unavailable ✓") != std::string::npos);

  const auto summary = rig.report.summary_json(true, nlohmann::json::object());
  CHECK(summary["lanes"]["1"]["admitted_people"] == 3);
  CHECK(summary["lanes"]["1"]["entered"] == 3);
  CHECK(summary["lanes"]["1"]["backouts"] == 1);
  CHECK(summary["lanes"]["2"]["tailgates"] == 1);
  CHECK(summary["lanes"]["3"]["wrong_way"] == 1);
  CHECK(summary["denials"] == nlohmann::json{{"expired", 1}, {"replayed", 1}, {"lane_unavailable", 1}});
  CHECK(summary["expectations"] == nlohmann::json{{"met", 17}, {"failed", 0}});
  CHECK(summary["steps"].size() == 11);
}

TEST_CASE("an answer the scenario did not expect fails the run", "[rig_player]") {
  PlayerRig rig("[[step]]\nkind = \"shopper\"\nlane = 1\n[[step]]\nkind = \"shopper\"\nlane = 1\ntoken = \"stale\"\n");
  rig.gate.answers[1] = {"expired", "admit 1"};
  REQUIRE(rig.play() == true);
  CHECK(rig.report.expectations_failed() == 2);
  CHECK_FALSE(rig.report.passed(true));
  const std::string text = rig.out.str();
  INFO(text);
  CHECK(text.find("lane1 #01 shopper (valid): denied expired ✗ expected admitted") != std::string::npos);
  CHECK(text.find("lane1 #02 shopper (stale): admitted 1 ✗ expected stale, 1 entered ✓") != std::string::npos);
}

TEST_CASE("at_ms and wait hold a step back, lanes play side by side", "[rig_player]") {
  PlayerRig rig(R"(
[[step]]
kind = "shopper"
lane = 1
[[step]]
kind = "shopper"
lane = 2
at_ms = 3000
[[step]]
kind = "shopper"
lane = 1
wait = true
)");
  rig.gate.answers[1] = {"admit 1", "admit 1"};
  rig.gate.answers[2] = {"admit 1"};
  REQUIRE(rig.play() == true);
  const auto steps = rig.report.summary_json(true, nlohmann::json::object())["steps"];
  CHECK(steps[0]["started_ms"] < 100);
  CHECK(steps[1]["started_ms"] >= 3000);
  CHECK(steps[2]["started_ms"] >= steps[1]["finished_ms"]);
  CHECK(rig.report.expectations_failed() == 0);
}

TEST_CASE("a gate that never reports a scenario lane idle ends the run early", "[rig_player]") {
  PlayerRig rig("[[step]]\nkind = \"backout\"\nlane = 4\n");
  REQUIRE(rig.play() == false);
  CHECK(rig.out.str().find("the gate has not reported lane4.release_in (is lane 4 configured?)") != std::string::npos);
}

TEST_CASE("gateway steps tell the gateway simulator their fault, in turn with the shoppers", "[rig_player]") {
  PlayerRig rig(R"(
[[step]]
kind = "gateway"
fault = "unreachable"
[[step]]
kind = "shopper"
lane = 1
payment_method = "pm_card_chargeDeclined"
[[step]]
kind = "gateway"
fault = "rate_limit"
retry_after_s = 2
count = 3
[[step]]
kind = "shopper"
lane = 1
)");
  rig.gate.answers[1] = {"admit 1", "admit 1"};

  const auto completed = rig.play();
  INFO(rig.out.str());
  REQUIRE(completed == true);
  CHECK(rig.report.passed(true));
  REQUIRE(rig.gateway.faults.size() == 2);
  CHECK(rig.gateway.faults[0].mode == GatewayFaultMode::unreachable);
  CHECK(rig.gateway.faults[1].mode == GatewayFaultMode::rate_limit);
  CHECK(rig.gateway.faults[1].retry_after == std::chrono::seconds(2));
  CHECK(rig.gateway.faults[1].count == 3U);

  // The first shopper's token carries the step's payment method, the second the default.
  REQUIRE(rig.gate.scans.size() == 2);
  CHECK(claims_of(rig.gate.scans[0])["pay"]["payment_method"] == "pm_card_chargeDeclined");
  CHECK(claims_of(rig.gate.scans[1])["pay"]["payment_method"] == "pm_card_visa");

  const std::string text = rig.out.str();
  CHECK(text.find("gate  #01 gateway fault=unreachable: gateway simulator now plays fault unreachable ✓") !=
        std::string::npos);
  CHECK(text.find("gate  #03 gateway fault=rate_limit retry_after=2 s count=3: gateway simulator now plays fault "
                  "rate_limit ✓") != std::string::npos);
  CHECK(text.find("pm_card") == std::string::npos);  // payment references stay out of the report
}

TEST_CASE("a gateway step the simulator refuses is a failed expectation", "[rig_player]") {
  PlayerRig rig(R"(
[[step]]
kind = "gateway"
fault = "error5xx"
)");
  rig.gateway.refuse = true;
  const auto completed = rig.play();
  INFO(rig.out.str());
  REQUIRE(completed == true);
  CHECK(rig.report.expectations_failed() == 1);
  CHECK_FALSE(rig.report.passed(true));
  CHECK(rig.out.str().find("the gateway simulator refused ✗ expected fault set") != std::string::npos);
}

TEST_CASE("tap steps tap until the reader reads the card, check the gate's answer and walk the admitted in",
          "[rig_player]") {
  PlayerRig rig(tap_toml(1) + tap_toml(1, "card = \"4000000000000002\"\nexpect = \"payment_declined\"\n") +
                tap_toml(1, "expect = \"not_collecting\"\n"));
  rig.taps.statuses["tmr_lane1"] = {400, 400, 200, 200, 400};
  rig.gate.answers[1] = {"admit 1", "payment_declined"};

  const auto completed = rig.play();
  INFO(rig.out.str());
  REQUIRE(completed == true);
  CHECK(rig.report.passed(true));
  CHECK(rig.report.expectations_met() == 4);
  CHECK(rig.taps.taps == std::vector<std::string>{"tmr_lane1 4242424242424242", "tmr_lane1 4242424242424242",
                                                  "tmr_lane1 4242424242424242", "tmr_lane1 4000000000000002",
                                                  "tmr_lane1 4242424242424242"});
  CHECK(rig.gate.granted_in == std::map<int, int>{{1, 1}});
  CHECK(rig.gate.scans.empty());  // taps, not scans
  const std::string text = rig.out.str();
  CHECK(text.find("lane1 #01 tap tmr_lane1 (card ending 4242): read at tap 3: admitted 1 ✓, 1 entered ✓") !=
        std::string::npos);
  CHECK(text.find("lane1 #02 tap tmr_lane1 (card ending 0002): denied payment_declined ✓") != std::string::npos);
  CHECK(text.find("lane1 #03 tap tmr_lane1 (card ending 4242): the reader took no card ✓") != std::string::npos);
}

TEST_CASE("a reader that never reads the card, or an unexpected answer, fails the tap step", "[rig_player]") {
  PlayerRig rig(tap_toml(1) + tap_toml(2, "expect = \"card_in_session\"\n"));
  rig.taps.statuses["tmr_lane2"] = {200};  // lane 1's reader never collects
  rig.gate.answers[2] = {"shopper_blocked"};
  const auto completed = rig.play();
  INFO(rig.out.str());
  REQUIRE(completed == true);
  CHECK(rig.report.expectations_failed() == 2);
  const std::string text = rig.out.str();
  CHECK(text.find("lane1 #01 tap tmr_lane1 (card ending 4242): the reader took no card within 10000 ms ✗ expected "
                  "admitted") != std::string::npos);
  CHECK(text.find("lane2 #02 tap tmr_lane2 (card ending 4242): denied shopper_blocked ✗ expected card_in_session") !=
        std::string::npos);
}

TEST_CASE("reader steps set the reader's fault and wait for the lane to show card entry off, then on",
          "[rig_player]") {
  const std::string offline = "[[step]]\nkind = \"reader\"\nlane = 2\nreader = \"tmr_lane2\"\nfault = \"offline\"\n";
  const std::string online = "[[step]]\nkind = \"reader\"\nlane = 2\nreader = \"tmr_lane2\"\nfault = \"online\"\n";
  PlayerRig rig(offline + tap_toml(2, "expect = \"not_collecting\"\n") + online + tap_toml(2));
  rig.taps.shows = {{"offline", "card entry off: use the app"}, {"online", "card entry on"}};
  rig.taps.statuses["tmr_lane2"] = {400, 200};
  rig.gate.answers[2] = {"admit 1"};

  const auto completed = rig.play();
  INFO(rig.out.str());
  REQUIRE(completed == true);
  CHECK(rig.report.passed(true));
  CHECK(rig.taps.faults == std::vector<std::string>{"tmr_lane2 offline", "tmr_lane2 online"});
  CHECK(rig.gate.granted_in == std::map<int, int>{{2, 1}});
  const std::string text = rig.out.str();
  CHECK(text.find("lane2 #01 reader tmr_lane2 offline: the lane shows \"card entry off: use the app\" after 1") !=
        std::string::npos);
  CHECK(text.find("lane2 #02 tap tmr_lane2 (card ending 4242): the reader took no card ✓") != std::string::npos);
  CHECK(text.find("lane2 #03 reader tmr_lane2 online: the lane shows \"card entry on\" after 1") != std::string::npos);
  CHECK(text.find("lane2 #04 tap tmr_lane2 (card ending 4242): admitted 1 ✓, 1 entered ✓") != std::string::npos);
}

TEST_CASE("a reader step whose lane never shows card entry off fails", "[rig_player]") {
  PlayerRig rig("[[step]]\nkind = \"reader\"\nlane = 1\nreader = \"tmr_lane1\"\nfault = \"offline\"\n");
  rig.taps.shows = {{"offline", "card entry on"}};  // the wrong text: card entry stayed on
  const auto completed = rig.play();
  INFO(rig.out.str());
  REQUIRE(completed == true);
  CHECK(rig.report.expectations_failed() == 1);
  CHECK(rig.out.str().find("lane1 #01 reader tmr_lane1 offline: the lane did not show \"card entry off: use the app\" "
                           "within 10000 ms ✗ expected card entry off: use the app") != std::string::npos);
}

}  // namespace
}  // namespace passgate::sim
