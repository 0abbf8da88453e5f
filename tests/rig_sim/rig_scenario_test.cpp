// Scenario files: what parses, with which defaults, and how precisely bad steps are named.
#include <catch2/catch.hpp>

#include "tools/sim/rig/scenario.hpp"
#include "tools/sim/rig/step.hpp"

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
        "backout, bounce, fire_drill, tracking, gateway, pause, tap, reader");
  CHECK(error_of("[[step]]\nlane = 1\n") ==
        "s.toml:1: step 1: missing `kind`, expected one of shopper, tailgater, wrong_way, exit, backout, bounce, "
        "fire_drill, tracking, gateway, pause, tap, reader");
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
  CHECK(e.ends_with("offline_limit, lane_unavailable, already_inside, tap_failed, card_in_session, terminal_unavailable"));
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

TEST_CASE("a shopper may pay with a chosen payment method, and gateway steps parse with their options",
          "[rig_scenario]") {
  const auto parsed = parse_scenario(R"(
[[step]]
kind = "shopper"
lane = 1
payment_method = "pm_card_chargeDeclined"

[[step]]
kind = "gateway"
fault = "unreachable"

[[step]]
kind = "gateway"
fault = "slow"
delay_ms = 1500
wait = false

[[step]]
kind = "gateway"
fault = "rate_limit"
retry_after_s = 1
count = 6

[[step]]
kind = "gateway"
fault = "drop_response"
count = 2

[[step]]
kind = "gateway"
fault = "none"
)",
                                     "s.toml");
  REQUIRE(parsed.ok());
  const Scenario& s = *parsed;
  REQUIRE(s.steps.size() == 6);
  CHECK(std::get<ShopperStep>(s.steps[0].action).payment_method == "pm_card_chargeDeclined");

  const auto& down = std::get<GatewayStep>(s.steps[1].action).fault;
  CHECK(down.mode == GatewayFaultMode::unreachable);
  CHECK(down.delay == Millis{0});
  CHECK_FALSE(down.retry_after);
  CHECK_FALSE(down.count);
  CHECK(s.steps[1].wait);  // gate-wide: waits by default
  CHECK(s.steps[1].lane == 0);

  const auto& slow = std::get<GatewayStep>(s.steps[2].action).fault;
  CHECK(slow.mode == GatewayFaultMode::slow);
  CHECK(slow.delay == Millis{1500});
  CHECK_FALSE(s.steps[2].wait);

  const auto& limited = std::get<GatewayStep>(s.steps[3].action).fault;
  CHECK(limited.mode == GatewayFaultMode::rate_limit);
  CHECK(limited.retry_after == std::chrono::seconds(1));
  CHECK(limited.count == 6U);

  CHECK(std::get<GatewayStep>(s.steps[4].action).fault.mode == GatewayFaultMode::drop_response);
  CHECK(std::get<GatewayStep>(s.steps[5].action).fault.mode == GatewayFaultMode::none);
  CHECK(s.uses_gateway());
  CHECK_FALSE(s.uses_tracking());
  CHECK(s.lanes() == std::set<int>{1});
}

TEST_CASE("a shopper without payment_method keeps the token's default", "[rig_scenario]") {
  const auto parsed = parse_scenario("[[step]]\nkind = \"shopper\"\nlane = 1\n", "s.toml");
  REQUIRE(parsed.ok());
  CHECK(std::get<ShopperStep>(parsed->steps[0].action).payment_method.empty());
  CHECK_FALSE(parsed->uses_gateway());
}

TEST_CASE("bad payment methods and gateway steps are named precisely", "[rig_scenario]") {
  CHECK(error_of("[[step]]\nkind = \"shopper\"\nlane = 1\npayment_method = \"\"\n") ==
        "s.toml:4: step 1 (shopper): `payment_method` is empty, expected a non-empty string");
  CHECK(error_of("[[step]]\nkind = \"shopper\"\nlane = 1\npayment_method = 7\n") ==
        "s.toml:4: step 1 (shopper): `payment_method` is an integer, expected a string");
  CHECK(error_of("[[step]]\nkind = \"shopper\"\nlane = 1\npayment_method = \"" + std::string(256, 'p') + "\"\n") ==
        "s.toml:4: step 1 (shopper): `payment_method` is 256 characters, expected 1-255");
  CHECK(error_of("[[step]]\nkind = \"shopper\"\nlabel = \"a\"\nlane = 1\n"
                 "[[step]]\nkind = \"shopper\"\nlane = 2\ntoken = \"replay:a\"\npayment_method = \"pm_card_visa\"\n") ==
        "s.toml:9: step 2 (shopper): `payment_method` does not apply to a replay, which shows the replayed step's "
        "token as it was; set it on step \"a\" instead");
  CHECK(error_of("[[step]]\nkind = \"exit\"\nlane = 3\npayment_method = \"pm_card_visa\"\n") ==
        "s.toml:4: step 1 (exit): unknown key `payment_method`; a exit step may have kind, label, at_ms, wait, "
        "people, expect, lane");

  CHECK(error_of("[[step]]\nkind = \"gateway\"\n") ==
        "s.toml:1: step 1 (gateway): missing `fault`, expected one of none, unreachable, slow, error5xx, rate_limit, "
        "drop_response");
  CHECK(error_of("[[step]]\nkind = \"gateway\"\nfault = \"down\"\n") ==
        "s.toml:3: step 1 (gateway): `fault` is \"down\", expected one of none, unreachable, slow, error5xx, "
        "rate_limit, drop_response");
  CHECK(error_of("[[step]]\nkind = \"gateway\"\nfault = \"slow\"\n") ==
        "s.toml:1: step 1 (gateway): missing `delay_ms`, expected how long a slow gateway takes to answer");
  CHECK(error_of("[[step]]\nkind = \"gateway\"\nfault = \"slow\"\ndelay_ms = 0\n") ==
        "s.toml:4: step 1 (gateway): `delay_ms` is 0, expected an integer 1-3600000");
  CHECK(error_of("[[step]]\nkind = \"gateway\"\nfault = \"error5xx\"\ndelay_ms = 10\n") ==
        "s.toml:4: step 1 (gateway): `delay_ms` applies only to fault = \"slow\"");
  CHECK(error_of("[[step]]\nkind = \"gateway\"\nfault = \"error5xx\"\nretry_after_s = 1\n") ==
        "s.toml:4: step 1 (gateway): `retry_after_s` applies only to fault = \"rate_limit\"");
  CHECK(error_of("[[step]]\nkind = \"gateway\"\nfault = \"unreachable\"\ncount = 3\n") ==
        "s.toml:4: step 1 (gateway): `count` applies only to faults that answer requests (slow, error5xx, "
        "rate_limit, drop_response); unreachable lasts until the next gateway step");
  CHECK(error_of("[[step]]\nkind = \"gateway\"\nfault = \"none\"\nlane = 1\n") ==
        "s.toml:4: step 1 (gateway): unknown key `lane`; a gateway step may have kind, label, at_ms, wait, fault, "
        "delay_ms, retry_after_s, count");
}

TEST_CASE("tap steps parse with their reader, card and expectation, and need the gateway's control port",
          "[rig_scenario]") {
  const auto parsed = parse_scenario(R"(
[[step]]
kind = "tap"
lane = 1
reader = "tmr_lane1"
[[step]]
kind = "tap"
lane = 1
reader = "tmr_lane1"
card = "4000000000000002"
expect = "payment_declined"
[[step]]
kind = "tap"
lane = 2
reader = "tmr_lane_2"
expect = "not_collecting"
)",
                                     "t.toml");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->steps.size() == 3);
  const auto& first = std::get<TapStep>(parsed->steps[0].action);
  CHECK(first.reader == "tmr_lane1");
  CHECK(first.card == "4242424242424242");
  CHECK(first.expect == "admitted");
  CHECK(is_lane_step(parsed->steps[0]));
  CHECK_FALSE(parsed->steps[0].wait);
  CHECK(std::get<TapStep>(parsed->steps[1].action).card == "4000000000000002");
  CHECK(std::get<TapStep>(parsed->steps[1].action).expect == "payment_declined");
  CHECK(std::get<TapStep>(parsed->steps[2].action).expect == "not_collecting");
  CHECK(step_title(parsed->steps[1]) == "tap tmr_lane1 (card ending 0002)");
  CHECK(parsed->uses_gateway());
  CHECK(parsed->lanes() == std::set<int>{1, 2});
}

TEST_CASE("bad tap steps are named precisely", "[rig_scenario]") {
  CHECK(error_of("[[step]]\nkind = \"tap\"\nlane = 1\n") ==
        "s.toml:1: step 1 (tap): missing `reader`, expected the lane's reader id (tmr_ then 1-60 letters, digits or _)");
  CHECK(error_of("[[step]]\nkind = \"tap\"\nreader = \"tmr_lane1\"\n") ==
        "s.toml:1: step 1 (tap): missing `lane`, expected an integer 1-99");
  CHECK(error_of("[[step]]\nkind = \"tap\"\nlane = 1\nreader = \"tmr_../x\"\n") ==
        "s.toml:4: step 1 (tap): `reader` is \"tmr_../x\", expected tmr_ then 1-60 letters, digits or _");
  CHECK(error_of("[[step]]\nkind = \"tap\"\nlane = 1\nreader = \"lane1\"\n") ==
        "s.toml:4: step 1 (tap): `reader` is \"lane1\", expected tmr_ then 1-60 letters, digits or _");
  CHECK(error_of("[[step]]\nkind = \"tap\"\nlane = 1\nreader = \"tmr_1\"\ncard = \"4242-4242\"\n") ==
        "s.toml:5: step 1 (tap): `card` is \"4242-4242\", expected a test card number (12-19 digits)");
  CHECK_THAT(error_of("[[step]]\nkind = \"tap\"\nlane = 1\nreader = \"tmr_1\"\nexpect = \"held\"\n"),
             Catch::StartsWith("s.toml:5: step 1 (tap): `expect` is \"held\", expected admitted, not_collecting or a "
                               "denial reason: malformed,"));
  CHECK(error_of("[[step]]\nkind = \"tap\"\nlane = 1\nreader = \"tmr_1\"\ntoken = \"valid\"\n") ==
        "s.toml:5: step 1 (tap): unknown key `token`; a tap step may have kind, label, at_ms, wait, reader, card, "
        "expect, lane");
}

TEST_CASE("reader steps parse with their reader and fault, queue on their lane and need the gateway's control port",
          "[rig_scenario]") {
  const auto parsed = parse_scenario(R"(
[[step]]
kind = "reader"
lane = 2
reader = "tmr_lane2"
fault = "offline"
[[step]]
kind = "reader"
lane = 2
reader = "tmr_lane2"
fault = "online"
)",
                                     "r.toml");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->steps.size() == 2);
  CHECK(std::get<ReaderStep>(parsed->steps[0].action).reader == "tmr_lane2");
  CHECK_FALSE(std::get<ReaderStep>(parsed->steps[0].action).online);
  CHECK(std::get<ReaderStep>(parsed->steps[1].action).online);
  CHECK(is_lane_step(parsed->steps[0]));
  CHECK_FALSE(parsed->steps[0].wait);
  CHECK(step_title(parsed->steps[0]) == "reader tmr_lane2 offline");
  CHECK(parsed->uses_gateway());
}

TEST_CASE("bad reader steps are named precisely", "[rig_scenario]") {
  CHECK(error_of("[[step]]\nkind = \"reader\"\nlane = 1\nreader = \"tmr_1\"\n") ==
        "s.toml:1: step 1 (reader): missing `fault`, expected offline or online");
  CHECK(error_of("[[step]]\nkind = \"reader\"\nlane = 1\nreader = \"tmr_1\"\nfault = \"busy\"\n") ==
        "s.toml:5: step 1 (reader): `fault` is \"busy\", expected offline or online");
  CHECK(error_of("[[step]]\nkind = \"reader\"\nlane = 1\nfault = \"offline\"\n") ==
        "s.toml:1: step 1 (reader): missing `reader`, expected the lane's reader id (tmr_ then 1-60 letters, digits or _)");
  CHECK(error_of("[[step]]\nkind = \"reader\"\nreader = \"tmr_1\"\nfault = \"offline\"\n") ==
        "s.toml:1: step 1 (reader): missing `lane`, expected an integer 1-99");
}

}  // namespace
}  // namespace passgate::sim
