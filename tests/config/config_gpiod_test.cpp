// The gpiod wiring: complete for every lane and the fire alarm, valid line names of
// configured lanes, each line by offset or by name and used once, debounce only on inputs,
// safe levels only on outputs (release_out's always active: egress stays free), and a fire-alarm loop that reads a broken wire as an alarm.
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
  CHECK(io.sim_debounce == std::chrono::milliseconds(0));  // the driver debounces, not the Gate
  const auto& beam = io.gpiod_lines.at("lane1.beam_outer");
  CHECK(beam.chip == "gpiochip0");
  CHECK(beam.offset == 0u);
  CHECK(beam.line.empty());
  CHECK(beam.debounce == std::chrono::milliseconds(15));
  CHECK_FALSE(beam.active_low);
  CHECK(beam.bias == LineBias::as_is);
  const auto& alarm = io.gpiod_lines.at("fire_alarm");
  CHECK(alarm.active_low);
  CHECK(alarm.bias == LineBias::pull_down);
  CHECK_FALSE(alarm.external_pull);
  CHECK(alarm.debounce == std::chrono::milliseconds(0));
  CHECK_FALSE(io.gpiod_lines.at("lane1.release_in").safe_active);
  CHECK_FALSE(io.gpiod_lines.at("lane1.led_green").safe_active);
  CHECK(io.gpiod_lines.at("lane1.release_out").safe_active);  // egress free when the gate stops
  CHECK(io.gpiod_lines.at("lane2.release_out").safe_active);
}

TEST_CASE("missing lines are reported per lane at the lines table, and a missing fire alarm") {
  ConfigFixture fx;
  auto text = replaced(kMinimalGpiodConfig, "\"lane2.led_red\" = { offset = 15 }\n", "");
  text = replaced(text, "\"lane2.buzzer\" = { offset = 16 }\n", "");
  text = replaced(text, "\"fire_alarm\" = { offset = 20, active_low = true, bias = \"pull-down\" }\n", "");
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

TEST_CASE("a line can be found by its name on the chip instead of its offset") {
  ConfigFixture fx;
  const auto load = fx.parse(replaced(kMinimalGpiodConfig, "{ offset = 13 }", "{ line = \"GPIO13\" }"));
  REQUIRE(load.problems.empty());
  const auto& line = load.config->io.gpiod_lines.at("lane2.release_in");
  CHECK_FALSE(line.offset.has_value());
  CHECK(line.line == "GPIO13");
}

TEST_CASE("a line with both offset and line name is reported at the offset") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 13 }", "{ offset = 13, line = \"GPIO13\" }")) ==
        Problems{"gate.toml:33:33: io.gpiod.lines.\"lane2.release_in\".offset is set together with line, expected "
                 "either offset (the line's number on its chip) or line (its name on the chip), not both"});
}

TEST_CASE("two lines with the same line name on the same chip are reported at the later one") {
  ConfigFixture fx;
  auto text = replaced(kMinimalGpiodConfig, "{ offset = 12 }", "{ line = \"GPIO12\" }");
  text = replaced(text, "{ offset = 13 }", "{ line = \"GPIO12\" }");
  CHECK(fx.problems(text) == Problems{"gate.toml:33:31: io.gpiod.lines.\"lane2.release_in\".line is \"GPIO12\" on "
                                      "gpiochip0, which \"lane2.release_out\" already uses, expected a different line "
                                      "for each line"});
}

TEST_CASE("release_out's safe level is active and may not be set to inactive, as the gate must never block egress") {
  ConfigFixture fx;
  const auto load = fx.parse(replaced(kMinimalGpiodConfig, "{ offset = 3 }", "{ offset = 3, safe = \"active\" }"));
  REQUIRE(load.problems.empty());
  CHECK(load.config->io.gpiod_lines.at("lane1.release_out").safe_active);
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 3 }", "{ offset = 3, safe = \"inactive\" }")) ==
        Problems{"gate.toml:26:44: io.gpiod.lines.\"lane1.release_out\".safe is \"inactive\", expected \"active\" (the "
                 "default for release_out): egress must stay free when the gate stops, so the exit barrier is released "
                 "whenever passgated does not run (for a barrier controller that releases at low voltage, set "
                 "active_low = true)"});
  // release_in may rest inactive, as every other output
  const auto held = fx.parse(replaced(kMinimalGpiodConfig, "{ offset = 2 }", "{ offset = 2, safe = \"inactive\" }"));
  REQUIRE(held.problems.empty());
  CHECK_FALSE(held.config->io.gpiod_lines.at("lane1.release_in").safe_active);
}

TEST_CASE("an output's safe level is inactive unless set to active, and only outputs have one") {
  ConfigFixture fx;
  const auto load = fx.parse(replaced(kMinimalGpiodConfig, "{ offset = 6 }", "{ offset = 6, safe = \"active\" }"));
  REQUIRE(load.problems.empty());
  CHECK(load.config->io.gpiod_lines.at("lane1.buzzer").safe_active);
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 1 }", "{ offset = 1, safe = \"inactive\" }")) ==
        Problems{"gate.toml:24:43: io.gpiod.lines.\"lane1.beam_inner\".safe is set on an input line, expected safe "
                 "only on outputs (release_in, release_out, led_green, led_red, buzzer)"});
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 6 }", "{ offset = 6, safe = \"on\" }")) ==
        Problems{"gate.toml:29:39: io.gpiod.lines.\"lane1.buzzer\".safe is \"on\", expected \"inactive\" or \"active\""});
}

namespace {

// The minimal gpiod config with the fire alarm's settings replaced by `settings`.
std::string with_alarm(std::string_view settings) {
  return replaced(kMinimalGpiodConfig, "\"fire_alarm\" = { offset = 20, active_low = true, bias = \"pull-down\" }",
                  "\"fire_alarm\" = { offset = 20" + std::string(settings) + " }");
}

}  // namespace

TEST_CASE("a fire alarm loop pulled to the alarm level by its bias or an external resistor loads") {
  ConfigFixture fx;
  for (const auto* settings : {", bias = \"pull-up\"", ", active_low = false, bias = \"pull-up\"",
                               ", active_low = true, bias = \"pull-down\"", ", external_pull = true",
                               ", active_low = true, bias = \"as-is\", external_pull = true"}) {
    CAPTURE(settings);
    const auto load = fx.parse(with_alarm(settings));
    CHECK(load.problems.empty());
  }
  const auto load = fx.parse(with_alarm(", external_pull = true"));
  REQUIRE(load.config);
  CHECK(load.config->io.gpiod_lines.at("fire_alarm").external_pull);
}

TEST_CASE("a fire alarm whose broken wire would not read as an alarm is reported with the NC wiring") {
  ConfigFixture fx;
  const std::string loop = "the fire alarm is a normally-closed loop, so an open loop (an alarm, or a broken wire) "
                           "must read as active";
  const std::string either = "expected \"pull-up\" with active_low = false or \"pull-down\" with active_low = true";
  CHECK(fx.problems(with_alarm(", active_low = true, bias = \"pull-up\"")) ==
        Problems{"gate.toml:37:44: io.gpiod.lines.fire_alarm.active_low is true with bias \"pull-up\", expected false: " +
                 loop + ", and the pull-up takes an open loop high (wire the loop to ground; or, for a loop to the "
                        "supply, use bias \"pull-down\" with active_low = true)"});
  CHECK(fx.problems(with_alarm(", bias = \"pull-down\"")) ==
        Problems{"gate.toml:37:38: io.gpiod.lines.fire_alarm.active_low is false (the default) with bias \"pull-down\", "
                 "expected true: " + loop + ", and the pull-down takes an open loop low (wire the loop to the supply; "
                                            "or, for a loop to ground, use bias \"pull-up\" with active_low = false)"});
  CHECK(fx.problems(with_alarm(", active_low = true")) ==
        Problems{"gate.toml:37:16: io.gpiod.lines.fire_alarm.bias is \"as-is\" (the default), " + either + ": " + loop +
                 "; if an external resistor pulls the open loop to that level, set external_pull = true"});
  CHECK(fx.problems(with_alarm(", bias = \"disable\"")) ==
        Problems{"gate.toml:37:38: io.gpiod.lines.fire_alarm.bias is \"disable\", " + either + ": " + loop +
                 ", and with no pull a broken wire leaves the line floating"});
  CHECK(fx.problems(with_alarm(", bias = \"pull-up\", external_pull = true")) ==
        Problems{"gate.toml:37:65: io.gpiod.lines.fire_alarm.external_pull is true with a bias other than \"as-is\", "
                 "expected external_pull only with bias = \"as-is\" (an external resistor instead of the chip's pull)"});
}

TEST_CASE("external_pull on a line other than the fire alarm is reported") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 1 }", "{ offset = 1, external_pull = true }")) ==
        Problems{"gate.toml:24:52: io.gpiod.lines.\"lane1.beam_inner\".external_pull is set, expected external_pull "
                 "only on fire_alarm (it says that an external resistor pulls the open alarm loop to the alarm level)"});
}
