// GpiodLines against the emulated /dev/gpiochip0: safe levels, outputs with their polarity,
// input edges through the loop with debouncing, chips and lines found every way the config
// allows, and a lost chip counted as a fire alarm.
#include <catch2/catch.hpp>

#include "drivers/gpiod_lines.hpp"
#include "tests/gpiod_driver/gpio_fixture.hpp"

using namespace std::chrono_literals;
using passgate::drivers::GpiodLines;
using passgate::test::alarm_line;
using passgate::test::beam_line;
using passgate::test::GpioFixture;
using passgate::test::gpio_line;
using passgate::test::LineConfigs;
using passgate::test::Strings;
using Levels = std::vector<bool>;

namespace {

struct LinesFixture : GpioFixture {
  std::unique_ptr<GpiodLines> open(const LineConfigs& lines) {
    auto opened = GpiodLines::open(io, time, lines, [this](const std::string& line, bool active) { record(line, active); });
    if (!opened.ok()) FAIL(opened.error().message);
    return std::move(*opened);
  }
};

}  // namespace

TEST_CASE_METHOD(LinesFixture, "outputs are at their safe level from the start and again after shutdown") {
  auto release = gpio_line(2);
  release.active_low = true;  // the barrier controller's input is active low
  auto buzzer = gpio_line(6);
  buzzer.safe_active = true;
  auto lines = open({{"lane1.release_in", release}, {"lane1.led_green", gpio_line(4)}, {"lane1.buzzer", buzzer}});
  CHECK(gpio.requested_by(2) == "passgated");
  CHECK(gpio.output_history(2) == Levels{true});  // inactive = high on an active-low line
  CHECK(gpio.output_history(4) == Levels{false});
  CHECK(gpio.output_history(6) == Levels{true});  // safe = "active"
  CHECK_FALSE(lines->output("lane1.release_in"));
  CHECK(lines->output("lane1.buzzer"));

  lines->set_output("lane1.release_in", true);
  lines->set_output("lane1.led_green", true);
  lines->set_output("lane1.buzzer", false);
  lines.reset();
  CHECK(gpio.output_history(2) == Levels{true, false, true});
  CHECK(gpio.output_history(4) == Levels{false, true, false});
  CHECK(gpio.output_history(6) == Levels{true, false, true});
}

TEST_CASE_METHOD(LinesFixture, "set_output reaches the line once per change, inverted on an active-low line") {
  auto release = gpio_line(3);
  release.active_low = true;
  auto lines = open({{"lane1.release_out", release}, {"lane1.led_red", gpio_line(5)}});
  lines->set_output("lane1.release_out", true);
  lines->set_output("lane1.release_out", true);
  lines->set_output("lane1.led_red", true);
  CHECK(lines->output("lane1.release_out"));
  CHECK_FALSE(gpio.high(3));
  CHECK(gpio.high(5));
  CHECK(gpio.output_history(3) == Levels{true, false});
  lines->set_output("lane1.beam_outer", true);  // not an output: logged, nothing happens
  CHECK_FALSE(lines->output("lane1.beam_outer"));
}

TEST_CASE_METHOD(LinesFixture, "an input's edges reach the listener through the loop once the debounce time has passed") {
  gpio.drive(0, true);  // beam clear
  auto lines = open({{"lane1.beam_outer", beam_line(0, 20ms)}});
  CHECK(gpio.pull_up(0));
  CHECK(lines->inputs() == std::map<std::string, bool>{{"lane1.beam_outer", false}});

  gpio.drive(0, false);  // blocked
  CHECK(heard.empty());  // nothing without the loop
  REQUIRE(run_until([&] { return !heard.empty(); }));
  CHECK(heard == Strings{"lane1.beam_outer=1"});
  CHECK(lines->inputs().at("lane1.beam_outer"));

  gpio.drive(0, true);
  REQUIRE(run_until([&] { return heard.size() == 2; }));
  CHECK(heard.back() == "lane1.beam_outer=0");
}

TEST_CASE_METHOD(LinesFixture, "a bounce shorter than the debounce time reports nothing") {
  gpio.drive(0, true);
  auto lines = open({{"lane1.beam_outer", beam_line(0, 30ms)}});
  gpio.drive(0, false);
  gpio.drive(0, true);
  run_for(120ms);
  CHECK(heard.empty());
  CHECK_FALSE(lines->inputs().at("lane1.beam_outer"));

  gpio.drive(0, false);  // and a real change still gets through
  REQUIRE(run_until([&] { return !heard.empty(); }));
  CHECK(heard == Strings{"lane1.beam_outer=1"});
}

TEST_CASE_METHOD(LinesFixture, "a fire alarm loop that opens, or whose wire breaks, reads as an alarm") {
  gpio.drive(9, false);  // the closed loop holds the line low
  auto lines = open({{"fire_alarm", alarm_line(9)}});
  CHECK_FALSE(lines->inputs().at("fire_alarm"));

  gpio.open_circuit(9);  // cut wire: the pull-up takes the line high
  REQUIRE(run_until([&] { return !heard.empty(); }));
  CHECK(heard == Strings{"fire_alarm=1"});
  gpio.drive(9, false);
  REQUIRE(run_until([&] { return heard.size() == 2; }));
  CHECK(heard.back() == "fire_alarm=0");
}

TEST_CASE_METHOD(LinesFixture, "a chip found by its label, a line by its name on the chip, and a chip by its path") {
  gpio.reset("pinctrl-turnstile", {{7, {"BEAM_INNER_1", ""}}});
  auto inner = beam_line(0, 0ms);
  inner.chip = "pinctrl-turnstile";
  inner.offset.reset();
  inner.line = "BEAM_INNER_1";
  auto release = gpio_line(1);
  release.chip = "/dev/gpiochip0";
  auto lines = open({{"lane1.beam_inner", inner}, {"lane1.release_in", release}});
  CHECK(gpio.requested_by(7) == "passgated");
  CHECK(gpio.requested_by(1) == "passgated");
  gpio.drive(7, false);
  REQUIRE(run_until([&] { return !heard.empty(); }));
  CHECK(heard == Strings{"lane1.beam_inner=1"});
}

TEST_CASE_METHOD(LinesFixture, "a lost chip counts as a fire alarm, which stays active while the line is lost") {
  gpio.drive(9, false);
  gpio.drive(0, true);
  auto lines = open({{"fire_alarm", alarm_line(9)}, {"lane1.beam_outer", beam_line(0, 0ms)},
                     {"lane1.led_red", gpio_line(5)}});
  CHECK_FALSE(lines->inputs().at("fire_alarm"));
  gpio.unplug();
  REQUIRE(run_until([&] { return !heard.empty(); }));
  run_for(50ms);
  CHECK(heard == Strings{"fire_alarm=1"});  // once, though both inputs are lost
  CHECK(lines->inputs().at("fire_alarm"));
  lines->set_output("lane1.led_red", true);  // the chip refuses: logged
  lines.reset();                             // and the shutdown copes with it too
}

TEST_CASE_METHOD(LinesFixture, "a lost chip with only outputs counts as a fire alarm too, reported once from the loop") {
  auto lines = open({{"lane1.release_in", gpio_line(2)}, {"lane1.led_red", gpio_line(5)}});
  CHECK(lines->inputs().empty());
  gpio.unplug();
  lines->set_output("lane1.release_in", true);  // the chip refuses with ENODEV
  CHECK(heard.empty());                         // never from within set_output
  REQUIRE(run_until([&] { return !heard.empty(); }));
  lines->set_output("lane1.led_red", true);
  lines->set_output("lane1.release_in", false);
  run_for(50ms);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs() == std::map<std::string, bool>{{"fire_alarm", true}});
}

TEST_CASE_METHOD(LinesFixture, "a fire alarm loop chattering faster than its debounce time is reported active") {
  gpio.drive(9, false);  // closed loop: clear
  auto alarm = alarm_line(9);
  alarm.debounce = 200ms;
  auto lines = open({{"fire_alarm", alarm}});
  for (int i = 0; i < 5; ++i) {  // open and closed again, each far shorter than the debounce time
    gpio.drive(9, true);
    gpio.drive(9, false);
  }
  REQUIRE(run_until([&] { return !heard.empty(); }));
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
  // it ended closed: the clearing, and only it, waits for the debounce time
  REQUIRE(run_until([&] { return heard.size() == 2; }));
  CHECK(heard.back() == "fire_alarm=0");
}
