// End to end on emulated lines: the Gate runs an entry lane on GPIO lines (GpiodLines inside
// HardwareBackend) with a fake scanner and an admission that admits: a scan releases the
// barrier on its output line, and a person walking through, played as edges on the beam
// lines, is reported as a passage and closes the barrier again.
#include <catch2/catch.hpp>

#include "controller/lanes/gate.hpp"
#include "drivers/hardware_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"
#include "tests/gpiod_driver/fake_scanner.hpp"
#include "tests/gpiod_driver/gpio_fixture.hpp"

using namespace std::chrono_literals;
using passgate::controller::Direction;
using passgate::controller::PassageKind;
using passgate::test::alarm_line;
using passgate::test::beam_line;
using passgate::test::FakeScanner;
using passgate::test::GpioFixture;
using passgate::test::gpio_line;
using passgate::test::Strings;

namespace {

constexpr unsigned kBeamOuter = 0, kBeamInner = 1, kReleaseIn = 2, kFireAlarm = 9;

// Admits every scan for one person, answering on the loop as the real pipeline does.
class AdmitAll final : public passgate::controller::AdmissionPort {
 public:
  explicit AdmitAll(passgate::TimerService& timers) : timers_(timers) {}
  void request(int /*lane*/, int /*group_limit*/, std::string token, Done done) override {
    tokens.push_back(std::move(token));
    passgate::controller::AdmissionResult result;
    result.admitted = true;
    result.session_id = "s" + std::to_string(tokens.size());
    result.people = 1;
    timers_.post([done = std::move(done), result] { done(result); });
  }
  void open_card_session(int /*lane*/, std::string session_id, Done done) override {
    request(0, 1, std::move(session_id), std::move(done));
  }
  Strings tokens;

 private:
  passgate::TimerService& timers_;
};

// Stands between the backend and the Gate, noting every input level the driver reports.
struct InputTap final : passgate::hw::IoListener {
  explicit InputTap(passgate::hw::IoListener& to) : gate(to) {}
  void on_input(const std::string& line, bool active) override {
    heard.push_back(line + "=" + (active ? "1" : "0"));
    gate.on_input(line, active);
  }
  void on_scan(const std::string& scanner, const std::string& text) override { gate.on_scan(scanner, text); }
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) override {
    gate.on_scanner_connection(scanner, connected, detail);
  }
  passgate::hw::IoListener& gate;
  Strings heard;
};

passgate::controller::GateConfig one_entry_lane() {
  passgate::controller::GateConfig config;
  passgate::controller::LaneConfig lane;
  lane.number = 1;
  lane.kind = passgate::controller::LaneKind::entry;
  config.lanes.push_back(lane);
  config.io.backend = passgate::hw::IoBackendKind::gpiod;
  config.io.sim_debounce = 0ms;  // as the config loader sets it for gpiod
  auto release_in = gpio_line(kReleaseIn);
  release_in.active_low = true;  // the turnstile controller's release input is active low
  config.io.gpiod_lines = {{"lane1.beam_outer", beam_line(kBeamOuter, 5ms)},
                           {"lane1.beam_inner", beam_line(kBeamInner, 5ms)},
                           {"lane1.release_in", release_in},
                           {"lane1.release_out", gpio_line(3)},
                           {"lane1.led_green", gpio_line(4)},
                           {"lane1.led_red", gpio_line(5)},
                           {"lane1.buzzer", gpio_line(6)},
                           {"fire_alarm", alarm_line(kFireAlarm)}};
  return config;
}

}  // namespace

TEST_CASE_METHOD(GpioFixture, "a scan releases the barrier on its GPIO line and a passage on the beams closes it") {
  gpio.drive(kFireAlarm, false);  // the alarm loop is closed; the beams' pull-ups say clear
  const auto config = one_entry_lane();
  auto entry_scanner = std::make_unique<FakeScanner>("lane1.entry");
  FakeScanner& scanner = *entry_scanner;
  std::vector<std::unique_ptr<passgate::hw::ScannerDriver>> scanners;
  scanners.push_back(std::move(entry_scanner));
  auto backend = passgate::drivers::HardwareBackend::open(io, time, config.io, std::move(scanners));
  REQUIRE(backend.ok());
  AdmitAll admission(time);
  passgate::test::RecordedReports reports;
  passgate::controller::Gate gate(config, **backend, time, time, admission, reports);
  InputTap tap(gate);
  (*backend)->set_listener(&tap);
  const auto released = [&] { return !gpio.high(kReleaseIn); };  // active low

  // Start-up: the gate holds the lane free until the alarm loop reads closed.
  REQUIRE(run_until([&] { return !gate.fire_alarm() && !released(); }));

  scanner.read("]Q1token-1\r");
  REQUIRE(run_until(released));
  CHECK(admission.tokens == Strings{"token-1"});

  // One person walks in: outer beam, both, inner beam, clear; each step debounced in the driver.
  const std::vector<std::pair<unsigned, bool>> walk{
      {kBeamOuter, false}, {kBeamInner, false}, {kBeamOuter, true}, {kBeamInner, true}};
  const Strings steps{"lane1.beam_outer=1", "lane1.beam_inner=1", "lane1.beam_outer=0", "lane1.beam_inner=0"};
  for (std::size_t i = 0; i < walk.size(); ++i) {
    tap.heard.clear();
    gpio.drive(walk[i].first, walk[i].second);
    REQUIRE(run_until([&] { return tap.heard == Strings{steps[i]}; }));
  }
  REQUIRE(run_until([&] { return reports.passages.size() == 1 && !released(); }));
  CHECK(reports.passages[0].lane == 1);
  CHECK(reports.passages[0].direction == Direction::in);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "s1");
  CHECK(gate.lane(1)->state_name() == "idle");
}
