// Scenario tests of card-tap entry: the real passgated with lane 1's reader on the real gateway
// simulator (a tap is the simulator's test helper), the real tracking simulator and an
// in-process rig. A tapped card releases the barrier for one and opens its session with the
// tracking engine; a declined card and a card already inside are denied with their reasons;
// a reader offline turns card entry off while QR entry on the lane goes on; a fire alarm turns
// it off (no tap taken, no hold left open) until it clears and the lane is clear.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;

constexpr const char* kReader = "tmr_lane1";
constexpr const char* kApproved = "4242424242424242";
constexpr const char* kDeclined = "4000000000000002";

GateOptions with_reader() {
  GateOptions options;
  options.card_reader = kReader;
  return options;
}

// Taps `card` as soon as the reader collects (it arms while the lane is idle).
void tap_when_armed(GateHarness& gate, const std::string& card) {
  REQUIRE(gate.poll_until([&] { return gate.tap_card(kReader, card) == 200; }));
}

// The tracking simulator's sessions of card shoppers.
json card_sessions(const json& state) {
  json out = json::array();
  for (const auto& s : state.at("sessions")) {
    if (s.at("shopper").get<std::string>().starts_with("card:")) out.push_back(s);
  }
  return out;
}

// Lane 1's card entry as `passgatectl lanes --json` shows it.
json card_entry(GateHarness& gate) {
  const json lane = gate.gate_lane(1);
  REQUIRE(lane.contains("card_entry"));
  return lane.at("card_entry");
}

bool card_entry_is(GateHarness& gate, bool enabled, const std::string& reason = {}) {
  const json card = card_entry(gate);
  return card.at("enabled") == enabled && (reason.empty() || card.at("reason") == reason);
}

// A card shopper taps, is let through and walks in; the session id the engine opened.
std::string tap_and_walk_in(GateHarness& gate, RigClient& rig) {
  tap_when_armed(gate, kApproved);
  REQUIRE(rig.wait_level(kRelease1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));
  json sessions;
  REQUIRE(gate.wait_for_tracking(
      [&](const json& s) {
        sessions = card_sessions(s);
        return sessions.size() == 1;
      },
      kReactLimit));
  return sessions.at(0).at("session_id").get<std::string>();
}

TEST_CASE("a card tapped at lane 1's reader releases the barrier for one and opens a card session with the engine",
          "[scenario]") {
  GateHarness gate(with_reader());
  RigClient rig(gate);
  rig.connect_ready();
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, true); }));

  const std::string session_id = tap_and_walk_in(gate, rig);
  CHECK(rig.rises_since_ready(kRelease1) == 1);
  CHECK(rig.wait_display(1, "admit 1"));

  json state;
  REQUIRE(gate.wait_for_tracking(
      [&](const json& s) {
        state = s;
        return s.at("passages").size() == 1;
      },
      kReactLimit));
  const json session = card_sessions(state).at(0);
  INFO(session.dump());
  // The shopper is the fingerprint's keyed hash, never the fingerprint or a payment reference.
  CHECK(std::regex_match(session.at("shopper").get<std::string>(), std::regex("card:[0-9a-f]{64}")));
  CHECK(session.at("group_size") == 1);
  CHECK(session.at("lane") == 1);
  CHECK(session.at("state") == "open");
  const json passage = state.at("passages").at(0);
  CHECK(passage.at("kind") == "admitted");
  CHECK(passage.at("session_id") == session_id);

  const json mine = find_by(gate.gate_sessions().at("sessions"), "session_id", session_id);
  REQUIRE_FALSE(mine.is_null());
  CHECK(mine.at("state") == "open");
  const json ledger = gate.gateway_ledger();
  INFO(ledger.dump());
  CHECK(ledger.at("card_present").at("open_holds") == 1);
  CHECK(ledger.at("card_present").at("held") == 3000);
  CHECK(rig.gate_errors().empty());
}

TEST_CASE("a declined card is denied payment_declined and the barrier stays closed", "[scenario]") {
  GateHarness gate(with_reader());
  RigClient rig(gate);
  rig.connect_ready();

  tap_when_armed(gate, kDeclined);
  REQUIRE(rig.wait_display(1, "payment_declined"));
  // The lane arms again (a new attempt), and nothing was let in or opened meanwhile.
  tap_when_armed(gate, kDeclined);
  CHECK(rig.rises_since_ready(kRelease1) == 0);
  CHECK(card_sessions(gate.tracking_state()).empty());
  const json ledger = gate.gateway_ledger();
  INFO(ledger.dump());
  CHECK(ledger.at("card_present").at("declined").get<int>() >= 1);
  CHECK(ledger.at("card_present").at("open_holds") == 0);
}

TEST_CASE("a card tapped again while its session is open is denied card_in_session", "[scenario]") {
  GateHarness gate(with_reader());
  RigClient rig(gate);
  rig.connect_ready();
  (void)tap_and_walk_in(gate, rig);

  tap_when_armed(gate, kApproved);
  REQUIRE(rig.wait_display(1, "card_in_session"));
  CHECK(rig.rises_since_ready(kRelease1) == 1);
  CHECK(card_sessions(gate.tracking_state()).size() == 1);
}

TEST_CASE("a reader offline turns card entry off while QR entry on its lane still admits, and on again when back",
          "[scenario]") {
  GateHarness gate(with_reader());
  RigClient rig(gate);
  rig.connect_ready();
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, true); }));

  gate.set_reader_fault(kReader, "offline");
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, false, "reader_offline"); }));
  const auto status = gate.ctl({"status"});
  CHECK_THAT(status.output, Catch::Contains("lane 1's card entry is off (reader_offline)"));
  const auto lanes = gate.ctl({"lanes"});
  CHECK_THAT(lanes.output, Catch::Contains("off: reader_offline"));

  rig.scan(1, gate.mint("shp_app"));
  REQUIRE(rig.wait_level(kRelease1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));
  CHECK(!find_by(gate.tracking_state().at("sessions"), "shopper", "shp_app").is_null());

  gate.set_reader_fault(kReader, "online");
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, true); }));
}

TEST_CASE("a fire alarm turns card entry off: the reader's collect is cancelled, no hold is left, then a tap admits",
          "[scenario]") {
  GateHarness gate(with_reader());
  RigClient rig(gate);
  rig.connect_ready();
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, true); }));

  rig.set("fire_alarm", true);
  REQUIRE(rig.wait_all_releases(true));
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, false, "fire_alarm"); }));
  CHECK_THAT(gate.ctl({"lanes"}).output, Catch::Contains("off: fire_alarm"));
  CHECK_THAT(gate.ctl({"status"}).output, Catch::Contains("lane 1's card entry is off (fire_alarm)"));
  // The armed PaymentIntent is voided and the reader collects nothing: no PaymentIntent waits
  // on a reader, none holds money.
  json ledger;
  REQUIRE(gate.poll_until([&] {
    ledger = gate.gateway_ledger().at("card_present");
    return ledger.at("armed") == 0 && ledger.at("on_readers") == 0 && ledger.at("abandoned").get<int>() >= 1;
  }));
  INFO(ledger.dump());
  CHECK(gate.tap_card(kReader, kApproved) == 400);  // not collecting: the tap is not taken
  ledger = gate.gateway_ledger().at("card_present");
  CHECK(ledger.at("open_holds") == 0);
  CHECK(ledger.at("held") == 0);
  CHECK(card_sessions(gate.tracking_state()).empty());
  CHECK(gate.gate_sessions().at("sessions").empty());

  rig.set("fire_alarm", false);
  REQUIRE(rig.wait_all_releases(false));
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, true); }));
  const std::string session_id = tap_and_walk_in(gate, rig);
  CHECK(gate.gateway_ledger().at("card_present").at("open_holds") == 1);
  const json mine = find_by(gate.gate_sessions().at("sessions"), "session_id", session_id);
  REQUIRE_FALSE(mine.is_null());
  CHECK(mine.at("state") == "open");
  CHECK(rig.gate_errors().empty());
}

TEST_CASE("after a fire alarm card entry stays off while someone is still in the lane, and comes on once it is clear",
          "[scenario]") {
  // The reader is in the outer beam: a shopper standing there keeps the lane free both ways
  // ("emergency_clearing") after the alarm; a tap then could admit nobody on the lane.
  GateHarness gate(with_reader());
  RigClient rig(gate);
  rig.connect_ready();
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, true); }));
  rig.set(hw::line_name(1, hw::LineRole::beam_outer), true);
  rig.set("fire_alarm", true);
  REQUIRE(rig.wait_all_releases(true));
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, false, "fire_alarm"); }));
  rig.set("fire_alarm", false);
  REQUIRE(gate.poll_until([&] { return gate.gate_lane(1).at("state") == "emergency_clearing"; }));
  REQUIRE(gate.poll_until([&] { return gate.gate_lane(2).at("state") == "idle"; }));
  CHECK(card_entry_is(gate, false, "fire_alarm"));
  CHECK(gate.tap_card(kReader, kApproved) == 400);  // not collecting
  rig.set(hw::line_name(1, hw::LineRole::beam_outer), false);
  REQUIRE(gate.poll_until([&] { return card_entry_is(gate, true); }));
  tap_and_walk_in(gate, rig);
  CHECK(rig.gate_errors().empty());
}

}  // namespace
}  // namespace passgate::scenario
