// Scenario test of the wall clock stepping under the real passgated (docs/clocks.md). The
// gate boots with its clock an hour ahead while the tracking engine is unreachable; the clock
// steps back to true time while it runs; a power cut boots it an hour ahead again, and the
// next boot, with the clock right, finds it stepped back while it was stopped. libfaketime
// (FakedClock) steps passgated's wall clock alone: its monotonic clock, and every other
// program's clock, stay true. What it shows: each step back is noticed and logged; reports
// queued in the outbox while the engine was down still reach it, with the time they were made,
// within the sender's back-off cap however far ahead their stored retry time lies; and a used
// token stays refused `replayed` after the clock stepped back: no replay window reopens.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <regex>

#include "common/time_format.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;

constexpr std::chrono::seconds kClockStepAhead = 1h;
constexpr std::int64_t kClockStepAheadMs = std::chrono::milliseconds(kClockStepAhead).count();
// The outbox waits at most 30 s after a start, and at most 45 s between attempts (the 30 s
// cap plus up to half of it).
constexpr std::chrono::milliseconds kClockStepOutboxLimit = 90s;

std::string clock_step_now_rfc3339() { return format_rfc3339_ms(std::chrono::system_clock::now()); }

// The numbers `pattern`'s groups capture in the first line of passgated's output it matches.
std::optional<std::vector<std::int64_t>> clock_step_logged(GateHarness& gate, const std::string& pattern) {
  const std::string output = gate.gated().output();
  std::smatch match;
  if (!std::regex_search(output, match, std::regex(pattern))) return std::nullopt;
  std::vector<std::int64_t> numbers;
  for (std::size_t i = 1; i < match.size(); ++i) numbers.push_back(std::stoll(match[i].str()));
  return numbers;
}

// Waits until passgated logs a line matching `pattern`; the numbers its groups captured.
std::vector<std::int64_t> clock_step_wait_logged(GateHarness& gate, const std::string& pattern,
                                                 std::chrono::milliseconds limit = kReactLimit) {
  std::optional<std::vector<std::int64_t>> numbers;
  const bool logged = gate.poll_until([&] { return (numbers = clock_step_logged(gate, pattern)).has_value(); }, limit);
  INFO("waiting for /" << pattern << "/; passgated said:\n" << gate.gated().output());
  REQUIRE(logged);
  return *numbers;
}

// How far back passgated logged its wall clock stepping (WallClockWatch), once it has.
std::int64_t clock_step_wait_stepped_back_ms(GateHarness& gate) {
  return clock_step_wait_logged(gate, "event=wall_clock_stepped_back by_ms=([0-9]+) ").at(0);
}

// No release line of any lane rose since the rig made the gate ready.
void clock_step_require_nothing_released(const RigClient& rig) {
  for (const auto& l : release_lines()) {
    INFO(l);
    REQUIRE(rig.rises_since_ready(l) == 0);
  }
}

TEST_CASE("a gate booting an hour ahead with the tracking engine down keeps its outbox and used tokens "
          "through the clock stepping back",
          "[scenario][clock]") {
  GateHarness gate(GateOptions{.offline_policy = "admit", .start_gate = false, .faked_clock_offset = kClockStepAhead});
  // The network is down at boot: the tracking engine does not answer.
  gate.set_tracking_fault("unreachable");
  gate.start_gate();

  const std::string token = gate.mint("shp_erin");  // the shopper's app signs with true time
  std::string admitted_after;
  std::string admitted_before;
  std::string session_id;
  {
    RigClient rig(gate);
    rig.connect_ready();

    // An hour ahead the gate refuses every fresh token: it ended long ago by the gate's clock.
    // This is also what shows that libfaketime took hold in passgated.
    rig.scan(1, token);
    REQUIRE(rig.wait_display(1, "expired"));
    clock_step_require_nothing_released(rig);

    // NTP answers (from the store's router: the internet is still down) and steps the clock
    // back an hour. passgated notices it within about a second.
    gate.faked_clock().step_to(0s);
    const std::int64_t by_ms = clock_step_wait_stepped_back_ms(gate);
    CHECK(by_ms > kClockStepAheadMs - 60000);
    CHECK(by_ms < kClockStepAheadMs + 60000);

    // The refused token was not used up: on lane 2 (another scanner) it admits, offline.
    admitted_after = clock_step_now_rfc3339();
    rig.scan(2, token);
    REQUIRE(rig.wait_level(hw::line_name(2, hw::LineRole::release_in), true));
    admitted_before = clock_step_now_rfc3339();
    REQUIRE(rig.wait_display(2, "admit 1"));
    rig.walk_in(2);
    REQUIRE(rig.wait_level(hw::line_name(2, hw::LineRole::release_in), false));
    const json status = gate.gate_sessions();
    INFO(status.dump());
    REQUIRE(status.at("sessions").size() == 1);
    CHECK(status.at("sessions").at(0).at("state") == "open_offline");
    session_id = status.at("sessions").at(0).at("session_id").get<std::string>();
  }
  // Its session and its passage wait in the outbox.
  CHECK(gate.tracking_state().at("sessions").empty());

  // A power cut; the board boots with its clock an hour ahead again (an RTC kept in local
  // time), the engine still down. The outbox tries at once and stores its next retry time
  // by this clock, an hour ahead.
  gate.kill_gate();
  gate.faked_clock().step_to(kClockStepAhead);
  gate.start_gate();
  {
    RigClient rig(gate);
    rig.connect_ready();
    rig.scan(1, token);
    REQUIRE(rig.wait_display(1, "expired"));
    (void)clock_step_wait_logged(gate, "event=outbox_unreachable message_id=([0-9]+) ");
  }

  // Another power cut; this time NTP has set the clock right before passgated starts, again
  // with the engine down. The step back happened while it was stopped: it is noticed at start.
  gate.kill_gate();
  gate.faked_clock().step_to(0s);
  gate.start_gate();
  RigClient rig(gate);
  rig.connect_ready();
  const std::int64_t by_ms = clock_step_wait_stepped_back_ms(gate);
  CHECK(by_ms > kClockStepAheadMs - 60000);
  CHECK(by_ms < kClockStepAheadMs + 60000);
  // The retry time stored an hour ahead holds the report back for the back-off cap, not an hour.
  const auto resumed =
      clock_step_wait_logged(gate, "event=outbox_retry_resumed message_id=[0-9]+ attempts=[0-9]+ "
                                   "retry_in_ms=([0-9]+) stored_in_ms=([0-9]+)");
  CHECK(resumed.at(0) <= 30000);
  CHECK(resumed.at(1) > kClockStepAheadMs - 60000);

  // The token used before both steps back is still used: no purge forgot it.
  rig.scan(2, token);
  REQUIRE(rig.wait_display(2, "replayed"));
  clock_step_require_nothing_released(rig);

  // The network comes back: what waited in the outbox since before the power cuts reaches
  // the engine within the sender's back-off.
  gate.set_tracking_fault("none");
  const auto waited_from = std::chrono::steady_clock::now();
  json state;
  const bool delivered = gate.wait_for_tracking(
      [&](const json& s) {
        state = s;
        return !find_by(s.at("sessions"), "session_id", session_id).is_null() && s.at("passages").size() == 1;
      },
      kClockStepOutboxLimit);
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - waited_from);
  INFO("tracking simulator: " << state.dump() << "\npassgated said:\n" << gate.gated().output());
  REQUIRE(delivered);
  WARN("the outbox reached the tracking engine " << waited.count() << " ms after it came back");
  const json session = find_by(state.at("sessions"), "session_id", session_id);
  CHECK(session.at("shopper") == "shp_erin");
  CHECK(session.at("lane") == 2);
  // Made while the clock was right, the reports keep that time.
  const std::string admitted_at = session.at("admitted_at").get<std::string>();
  CHECK(admitted_at >= admitted_after.substr(0, 19));  // to the second: the gate may round down
  CHECK(admitted_at <= admitted_before);
  const json passage = state.at("passages").at(0);
  CHECK(passage.at("session_id") == session_id);
  CHECK(passage.at("kind") == "admitted");
  CHECK(passage.at("at").get<std::string>() >= admitted_at);
  CHECK(passage.at("at").get<std::string>() < clock_step_now_rfc3339());
  CHECK(rig.gate_errors().empty());
}

}  // namespace
}  // namespace passgate::scenario
