// The gpiod wiring: complete for every lane and the fire alarm, valid line names of
// configured lanes, one line per chip offset, debounce only on inputs.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::controller::IoBackendKind;
using passgate::controller::LineBias;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::kMinimalGpiodConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

TEST_CASE("a complete gpiod wiring loads with each line's settings") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalGpiodConfig);
  REQUIRE(load.problems.empty());
  const auto& io = load.config->io;
  CHECK(io.backend == IoBackendKind::gpiod);
  CHECK(io.gpiod_lines.size() == 15);
  const auto& beam = io.gpiod_lines.at("lane1.beam_outer");
  CHECK(beam.chip == "gpiochip0");
  CHECK(beam.offset == 0);
  CHECK(beam.debounce == std::chrono::milliseconds(15));
  CHECK_FALSE(beam.active_low);
  CHECK(beam.bias == LineBias::as_is);
  const auto& alarm = io.gpiod_lines.at("fire_alarm");
  CHECK(alarm.active_low);
  CHECK(alarm.bias == LineBias::pull_up);
  CHECK(alarm.debounce == std::chrono::milliseconds(0));
}

TEST_CASE("missing lines are reported per lane at the lines table, and a missing fire alarm") {
  ConfigFixture fx;
  auto text = replaced(kMinimalGpiodConfig, "\"lane2.led_red\" = { offset = 15 }\n", "");
  text = replaced(text, "\"lane2.buzzer\" = { offset = 16 }\n", "");
  text = replaced(text, "\"fire_alarm\" = { offset = 20, active_low = true, bias = \"pull-up\" }\n", "");
  CHECK(fx.problems(text) ==
        Problems{"gate.toml:22:1: io.gpiod.lines lacks lane 2's lines \"lane2.led_red\", \"lane2.buzzer\", expected "
                 "every lane to have beam_outer, beam_inner, release_in, release_out, led_green, led_red and buzzer",
                 "gate.toml:22:1: io.gpiod.lines lacks \"fire_alarm\", expected the fire alarm input line"});
}

TEST_CASE("a line of a lane that is not configured is reported at its name") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "\"fire_alarm\"", "\"lane3.passage\" = { offset = 30 }\n\"fire_alarm\"")) ==
        Problems{"gate.toml:37:1: io.gpiod.lines.\"lane3.passage\" is for lane 3, which is not configured, expected "
                 "lines only for lanes 1, 2"});
}

TEST_CASE("a malformed line name is reported with the closest valid name") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "\"lane1.beam_outer\"", "\"lane1.beam_outter\"")) ==
        Problems{"gate.toml:22:1: io.gpiod.lines lacks lane 1's lines \"lane1.beam_outer\", expected every lane to "
                 "have beam_outer, beam_inner, release_in, release_out, led_green, led_red and buzzer",
                 "gate.toml:23:1: io.gpiod.lines has a malformed line name \"lane1.beam_outter\", did you mean "
                 "\"lane1.beam_outer\"?"});
}

TEST_CASE("a line name far from any valid one says the naming scheme") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "\"fire_alarm\"", "\"door_contact\" = { offset = 30 }\n\"fire_alarm\"")) ==
        Problems{"gate.toml:37:1: io.gpiod.lines has a malformed line name \"door_contact\", expected "
                 "\"lane<N>.<role>\" with role beam_outer, beam_inner, release_in, release_out, led_green, led_red, "
                 "buzzer or passage, or \"fire_alarm\""});
}

TEST_CASE("two lines on the same chip offset are reported at the later one") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 13 }", "{ offset = 3 }")) ==
        Problems{"gate.toml:33:33: io.gpiod.lines.\"lane2.release_in\".offset is 3 on gpiochip0, which "
                 "\"lane1.release_out\" already uses, expected a different offset for each line"});
}

TEST_CASE("a chip named with or without /dev/ is the same chip, other chips are not") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 13 }", "{ offset = 3, chip = \"/dev/gpiochip0\" }")) ==
        Problems{"gate.toml:33:33: io.gpiod.lines.\"lane2.release_in\".offset is 3 on /dev/gpiochip0, which "
                 "\"lane1.release_out\" already uses, expected a different offset for each line"});
  const auto load = fx.parse(replaced(kMinimalGpiodConfig, "{ offset = 13 }", "{ offset = 3, chip = \"gpiochip1\" }"));
  REQUIRE(load.problems.empty());
  CHECK(load.config->io.gpiod_lines.at("lane2.release_in").chip == "gpiochip1");
}

TEST_CASE("debounce on an output line is reported") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 6 }", "{ offset = 6, debounce_ms = 5 }")) ==
        Problems{"gate.toml:29:46: io.gpiod.lines.\"lane1.buzzer\".debounce_ms is set on an output line, expected "
                 "debounce_ms only on inputs (beam_outer, beam_inner, passage, fire_alarm)"});
}

TEST_CASE("a line without a chip and no default chip is reported at the line") {
  ConfigFixture fx;
  const auto text = replaced(kMinimalGpiodConfig, "chip = \"gpiochip0\"\n", "");
  const auto problems = fx.problems(text);
  REQUIRE(problems.size() == 15);
  CHECK(problems[0] == "gate.toml:22:22: io.gpiod.lines.\"lane1.beam_outer\".chip is missing, expected a chip name "
                       "here or a default chip in io.gpiod.chip");
}

TEST_CASE("an [io.gpiod] table kept while backend is sim is checked but need not be complete") {
  ConfigFixture fx;
  const std::string sim_table = "[io.sim]\nsocket = \"rig.sock\"\n";
  const auto incomplete = replaced(kMinimalConfig, sim_table,
                                   sim_table + "\n[io.gpiod.lines]\n\"lane1.buzzer\" = { offset = 6, chip = \"gpiochip0\" }\n");
  CHECK(fx.problems(incomplete).empty());
  const auto wrong = replaced(kMinimalConfig, sim_table,
                              sim_table + "\n[io.gpiod.lines]\n\"lane1.buzzer\" = { offset = 6, chip = 0 }\n");
  CHECK(fx.problems(wrong) == Problems{"gate.toml:23:39: io.gpiod.lines.\"lane1.buzzer\".chip is an integer, expected a string"});
}
