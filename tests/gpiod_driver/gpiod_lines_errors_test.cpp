// GpiodLines refuses to start when a line cannot be had, naming the config entry: a missing
// chip or line, a line another program holds, two entries for one line.
#include <catch2/catch.hpp>

#include "drivers/gpiod_lines.hpp"
#include "tests/gpiod_driver/gpio_fixture.hpp"

using namespace std::chrono_literals;
using passgate::drivers::GpiodLines;
using passgate::test::beam_line;
using passgate::test::GpioFixture;
using passgate::test::gpio_line;
using passgate::test::LineConfigs;

namespace {

struct ErrorsFixture : GpioFixture {
  // The error opening `lines` gives ("code: message").
  std::string error(const LineConfigs& lines) {
    auto opened = GpiodLines::open(io, time, lines, [](const std::string&, bool) {});
    if (opened.ok()) return "opened";
    return opened.error().code + ": " + opened.error().message;
  }
};

}  // namespace

TEST_CASE_METHOD(ErrorsFixture, "a missing chip is an error naming the entry and the chips there are") {
  auto line = beam_line(0, 0ms);
  line.chip = "gpiochip7";
  CHECK(error({{"lane1.beam_outer", line}}) ==
        "not_found: io.gpiod.lines.\"lane1.beam_outer\": no GPIO chip \"gpiochip7\" (looked up by path, name and label; "
        "chips: gpiochip0 \"passgate-test\")");
  line.chip = "/dev/gpiochip3";
  CHECK(error({{"lane1.beam_outer", line}}) ==
        "not_found: io.gpiod.lines.\"lane1.beam_outer\": no GPIO chip \"/dev/gpiochip3\" (looked up by path, name and "
        "label; chips: gpiochip0 \"passgate-test\")");
}

TEST_CASE_METHOD(ErrorsFixture, "a missing line is an error naming the entry") {
  CHECK(error({{"fire_alarm", gpio_line(40)}}) ==
        "not_found: io.gpiod.lines.fire_alarm: line 40 of gpiochip0 does not exist (the chip has 16 lines, offsets 0 to "
        "15)");
  gpio.reset("passgate-test", {{3, {"RELAY_1", ""}}});
  auto named = gpio_line(0);
  named.offset.reset();
  named.line = "RELAY_9";
  CHECK(error({{"lane1.release_in", named}}) ==
        "not_found: io.gpiod.lines.\"lane1.release_in\": no line named \"RELAY_9\" on gpiochip0");
}

TEST_CASE_METHOD(ErrorsFixture, "a line in use by another program is an error naming the entry and the program") {
  gpio.reset("passgate-test", {{4, {"", "foo"}}, {5, {"RELAY_5", "gpio-leds"}}});
  CHECK(error({{"lane1.beam_outer", beam_line(4, 0ms)}}) ==
        "busy: io.gpiod.lines.\"lane1.beam_outer\": line 4 of gpiochip0 is in use by \"foo\"");
  auto named = gpio_line(0);
  named.offset.reset();
  named.line = "RELAY_5";
  CHECK(error({{"lane1.led_green", named}}) ==
        "busy: io.gpiod.lines.\"lane1.led_green\": line \"RELAY_5\" (5) of gpiochip0 is in use by \"gpio-leds\"");
}

TEST_CASE_METHOD(ErrorsFixture, "two entries on one line are an error, however the chip is named") {
  auto by_path = gpio_line(3);
  by_path.chip = "/dev/gpiochip0";
  auto by_label = gpio_line(3);
  by_label.chip = "passgate-test";
  CHECK(error({{"lane1.release_in", by_path}, {"lane1.release_out", by_label}}) ==
        "busy: io.gpiod.lines.\"lane1.release_out\": line 3 of gpiochip0 is io.gpiod.lines.\"lane1.release_in\" too, "
        "expected one entry per line");
}

TEST_CASE_METHOD(ErrorsFixture, "a name that is no line of the gate is an error") {
  CHECK(error({{"door", gpio_line(1)}}) ==
        "invalid_argument: io.gpiod.lines.door: not a line of the gate (lane<N>.<role> or fire_alarm)");
}
