// Scenario files: what parses, with which defaults, and how precisely bad steps are named.
#include <catch2/catch.hpp>

#include "tools/sim/rig_scenario.hpp"

namespace passgate::sim {
namespace {

std::string error_of(const std::string& text) {
  const auto parsed = parse_scenario(text, "s.toml");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().code == "bad_scenario");
  return parsed.error().message;
}

TEST_CASE("a scenario parses with its defaults", "[rig_scenario]") {
  const auto parsed = parse_scenario(R"(
name = "t"
[[step]]
kind = "shopper"
label = "a"
lane = 1
group = 3

[[step]]
kind = "shopper"
lane = 2
token = "expired"
follow = true
suffix = "aim"

[[step]]
kind = "shopper"
lane = 2
token = "replay:a"
walkers = 0

[[step]]
kind = "fire_drill"
lane = 1
duration_ms = 500

[[step]]
kind = "tracking"
fault = "slow"
delay_ms = 2000
wait = false
at_ms = 100
)",
                                     "s.toml");
  REQUIRE(parsed.ok());
  const Scenario& s = *parsed;
  CHECK(s.name == "t");
  REQUIRE(s.steps.size() == 5);

  const auto& a = std::get<ShopperStep>(s.steps[0].action);
  CHECK(s.steps[0].number == 1);
  CHECK(s.steps[0].line == 3);
  CHECK(s.steps[0].lane == 1);
  CHECK_FALSE(s.steps[0].wait);
  CHECK(a.token.flaw == TokenFlaw::none);
  CHECK(a.group == 3);
  CHECK(a.walkers == 3);
  CHECK(a.expect == "admitted");
  CHECK_FALSE(a.suffix);

  const auto& expired = std::get<ShopperStep>(s.steps[1].action);
  CHECK(expired.expect == "expired");
  CHECK(expired.follow);
  CHECK(expired.suffix == ScanSuffix::aim);
  CHECK(expired.walkers == 1);

  const auto& replay = std::get<ShopperStep>(s.steps[2].action);
  CHECK(replay.token.replay_of == "a");
  CHECK(replay.expect == "replayed");
  CHECK(replay.walkers == 0);

  CHECK(s.steps[3].wait);  // gate-wide steps wait by default
  CHECK(s.steps[3].lane == 0);
  CHECK(std::get<FireDrillStep>(s.steps[3].action).leavers == 2);

  CHECK_FALSE(s.steps[4].wait);
  CHECK(s.steps[4].at == Millis{100});
  CHECK(std::get<TrackingStep>(s.steps[4].action).delay == Millis{2000});

  CHECK(s.lanes() == std::set<int>{1, 2});
  CHECK(s.uses_tracking());
}

TEST_CASE("the built-in demo scenario parses", "[rig_scenario]") {
  const auto demo = load_scenario("builtin:demo");
  REQUIRE(demo.ok());
  CHECK(demo->lanes() == std::set<int>{1, 2, 3});
  CHECK(demo->steps.size() > 20);
}

TEST_CASE("a bad step is named by file, line, step number and kind", "[rig_scenario]") {
  CHECK(error_of(R"([[step]]
kind = "shopper"
lane = 1

[[step]]
kind = "shopper"
lane = 1
group = 12
)") == "s.toml:8: step 2 (shopper): `group` is 12, expected an integer 1-10");
  CHECK(error_of("[[step]]\nkind = \"exit\"\nlane = \"3\"\n") ==
        "s.toml:3: step 1 (exit): `lane` is a string, expected an integer 1-99");
  CHECK(error_of("[[step]]\nkind = \"backout\"\n") == "s.toml:1: step 1 (backout): missing `lane`, expected an integer 1-99");
}

TEST_CASE("an unknown kind is reported with the kinds there are", "[rig_scenario]") {
  CHECK(error_of("[[step]]\nkind = \"shoper\"\nlane = 1\n") ==
        "s.toml:2: step 1: unknown kind \"shoper\", expected one of shopper, tailgater, wrong_way, exit, "
        "backout, bounce, fire_drill, tracking, pause");
  CHECK(error_of("[[step]]\nlane = 1\n") ==
        "s.toml:1: step 1: missing `kind`, expected one of shopper, tailgater, wrong_way, exit, backout, bounce, "
        "fire_drill, tracking, pause");
}

TEST_CASE("an unknown token flaw is reported with the flaws there are", "[rig_scenario]") {
  const std::string e = error_of("[[step]]\nkind = \"shopper\"\nlane = 1\ntoken = \"expird\"\n");
  CHECK(e.starts_with("s.toml:4: step 1 (shopper): `token` is \"expird\", expected valid, replay:<label> or a flaw: "));
  CHECK(e.find("expired") != std::string::npos);
  CHECK(e.find("der_signature") != std::string::npos);
  CHECK(e.find(" none") == std::string::npos);
}

TEST_CASE("a bad expectation is reported with what may be expected", "[rig_scenario]") {
  const std::string e = error_of("[[step]]\nkind = \"shopper\"\nlane = 1\nexpect = \"admited\"\n");
  CHECK(e.starts_with("s.toml:4: step 1 (shopper): `expect` is \"admited\", expected admitted or a denial reason: malformed, "));
  CHECK(e.ends_with("offline_limit, lane_unavailable"));
  CHECK(error_of("[[step]]\nkind = \"exit\"\nlane = 3\nexpect = \"open\"\n") ==
        "s.toml:4: step 1 (exit): `expect` is \"open\", expected free");
}

TEST_CASE("replays must name an earlier step that scanned a token", "[rig_scenario]") {
  CHECK(error_of("[[step]]\nkind = \"shopper\"\nlane = 1\ntoken = \"replay:bob\"\n") ==
        "s.toml:4: step 1 (shopper): `token` replays \"bob\", but no earlier step has that label; expected "
        "replay:<label of an earlier shopper>");
  CHECK(error_of("[[step]]\nkind = \"exit\"\nlabel = \"x\"\nlane = 3\n[[step]]\nkind = \"shopper\"\nlane = 1\ntoken = \"replay:x\"\n") ==
        "s.toml:8: step 2 (shopper): `token` replays \"x\", step 1 (exit) scans no token; expected the label of a "
        "shopper or tailgater step");
  CHECK(error_of("[[step]]\nkind = \"backout\"\nlabel = \"x\"\nlane = 3\n[[step]]\nkind = \"backout\"\nlabel = \"x\"\nlane = 3\n") ==
        "s.toml:7: step 2 (backout): label \"x\" is already used by step 1, expected a unique label");
}

TEST_CASE("keys a step does not have, and tracking options, are checked", "[rig_scenario]") {
  CHECK(error_of("[[step]]\nkind = \"backout\"\nlane = 1\ngroup = 2\n") ==
        "s.toml:4: step 1 (backout): unknown key `group`; a backout step may have kind, label, at_ms, wait, lane");
  CHECK(error_of("[[step]]\nkind = \"tracking\"\nfault = \"slow\"\n") ==
        "s.toml:1: step 1 (tracking): missing `delay_ms`, expected how long a slow engine takes to answer");
  CHECK(error_of("[[step]]\nkind = \"tracking\"\nfault = \"down\"\n") ==
        "s.toml:3: step 1 (tracking): `fault` is \"down\", expected unreachable, slow or none");
}

TEST_CASE("file-level problems: TOML syntax, unknown keys, no steps", "[rig_scenario]") {
  CHECK(error_of("[[step]]\nkind = \"shopper\nlane = 1\n").starts_with("s.toml:2:"));
  CHECK(error_of("nme = \"x\"\n[[step]]\nkind = \"pause\"\nms = 1\n") ==
        "s.toml:1: unknown top-level key `nme`; expected name, description or [[step]] tables");
  CHECK(error_of("name = \"x\"\n") == "s.toml: no steps; add [[step]] tables");
  CHECK(error_of("step = 3\n") == "s.toml:1: `step` is an integer, expected [[step]] tables");
}

TEST_CASE("a scenario file that cannot be read is named with the reason", "[rig_scenario]") {
  const auto missing = load_scenario("/nonexistent/x.toml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "cannot read scenario file /nonexistent/x.toml: No such file or directory");
  const auto unknown = load_scenario("builtin:nope");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message == "unknown built-in scenario \"builtin:nope\"; built-in scenarios: builtin:demo");
}

}  // namespace
}  // namespace passgate::sim
