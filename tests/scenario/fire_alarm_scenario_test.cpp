// Scenario tests of safety: a fire alarm, or losing the rig (the alarm loop), frees every
// lane in both directions until the alarm clears.
#include <catch2/catch.hpp>

#include <string>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using hw::LineRole;

// How often `text` occurs in `log`.
std::size_t count_in(const std::string& log, const std::string& text) {
  std::size_t n = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + text.size())) ++n;
  return n;
}

// How often passgated has logged `text` so far.
std::size_t count_in_log(GateHarness& gate, const std::string& text) { return count_in(gate.gated().output(), text); }

TEST_CASE("a fire alarm frees every lane both ways and refuses entries until it clears", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  // Normal operation first: one shopper admitted and through.
  const auto release1 = hw::line_name(1, LineRole::release_in);
  rig.scan(1, gate.mint("shp_erin"));
  REQUIRE(rig.wait_level(release1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(release1, false));

  rig.set("fire_alarm", true);
  REQUIRE(rig.wait_all_releases(true));
  for (const auto& l : release_lines()) {
    INFO(l);
    CHECK(rig.view().active(l));
  }
  rig.scan(2, gate.mint("shp_frank"));
  REQUIRE(rig.wait_display(2, "lane_unavailable"));
  CHECK(rig.wait_all_releases(true, 0ms));  // still free: the refusal closed nothing

  rig.set("fire_alarm", false);
  REQUIRE(rig.wait_all_releases(false));
  CHECK(gate.tracking_state().at("sessions").size() == 1);  // only shp_erin's
}

TEST_CASE("losing the rig frees every lane until a rig reports the alarm loop clear", "[scenario]") {
  GateHarness gate;
  const std::string disconnected = "event=rig_disconnected";
  const std::string alarm = "event=fire_alarm_raised";
  std::size_t alarms_before = 0;
  {
    RigClient first(gate);
    first.connect_ready();
    alarms_before = count_in_log(gate, alarm);
    first.close();
  }
  // The gate noticed the rig is gone and raised the alarm before a new rig connects.
  REQUIRE(gate.gated().wait_for_output(disconnected, kReactLimit));
  REQUIRE(gate.poll_until([&] { return count_in_log(gate, alarm) > alarms_before; }));

  RigClient second(gate);
  second.connect();
  for (const auto& l : release_lines()) {
    INFO(l);
    CHECK(second.view().output(l) == true);
    CHECK(second.view().rises(l) == 1);  // reported free from the first message on
  }
  second.clear_inputs();  // fire_alarm 0: every release line back to 0
  REQUIRE(second.wait_all_releases(false));
}

TEST_CASE("a rig that stops reading while a lane answers it is dropped, and every lane recovers", "[scenario]") {
  GateHarness gate;
  {
    RigClient first(gate);
    first.connect_ready();
    first.close();
  }
  REQUIRE(gate.gated().wait_for_output("event=rig_disconnected", kReactLimit));
  const std::size_t drops_before = count_in_log(gate, "event=rig_disconnected");

  // A rig that clears the alarm loop, then sends unreadable scans to lane 1 and never reads
  // a byte: the gate's answers (a display text each) pile up until it drops the rig. First
  // a burst (answered while more are waiting), then one scan at a time, each answered alone,
  // so the drop comes from inside lane 1's denial that ends its Validating state.
  boost::asio::local::stream_protocol::socket silent(gate.io());
  silent.connect(boost::asio::local::stream_protocol::endpoint(gate.rig_socket().string()));
  // A write may find the link already closed by the gate: the log says so, below.
  const auto send = [&](const std::string& line) {
    boost::system::error_code closed;
    boost::asio::write(silent, boost::asio::buffer(line + "\n"), closed);
  };
  const auto unreadable = [](int i) {
    return R"({"t":"scan","scanner":"lane1.entry","data":"bad\u0001)" + std::to_string(i) + "\"}";
  };
  const std::string refused = "event=scan_refused";
  const std::size_t refused_before = count_in_log(gate, refused);
  send(R"({"t":"in","line":"fire_alarm","v":0})");
  constexpr int kBurst = 500;
  std::string burst;
  for (int i = 0; i < kBurst; ++i) burst += (i > 0 ? "\n" : "") + unreadable(i);
  send(burst);
  const auto dropped = [&](const std::string& log) { return count_in(log, "event=rig_disconnected") > drops_before; };
  // Each wait ends when the gate has read every scan sent, or has dropped the rig.
  const auto read_or_dropped = [&](std::size_t sent) {
    return gate.gated().wait_for_output_where(
        [&](const std::string& log) { return dropped(log) || count_in(log, refused) >= refused_before + sent; },
        kReactLimit);
  };
  REQUIRE(read_or_dropped(kBurst));
  std::size_t sent = kBurst;
  while (!dropped(gate.gated().output()) && sent < 20'000) {
    send(unreadable(static_cast<int>(sent++)));
    REQUIRE(read_or_dropped(sent));
  }
  REQUIRE(gate.poll_until([&] { return count_in_log(gate, "event=rig_disconnected") > drops_before; }));
  CHECK(gate.gated().output().find("it stopped reading") != std::string::npos);
  INFO("unreadable scans sent: " << sent);
  silent.close();

  // A working rig clears the alarm: every lane back in normal service.
  RigClient second(gate);
  second.connect_ready();
  const auto lanes = gate.ctl({"lanes", "--json"});
  REQUIRE(lanes.status == 0);
  const auto listed = nlohmann::json::parse(lanes.output).at("lanes");
  REQUIRE(listed.size() == 3);
  CHECK(listed.at(0).at("state") == "idle");
  CHECK(listed.at(1).at("state") == "idle");
  CHECK(listed.at(2).at("state") == "closed");

  const auto release1 = hw::line_name(1, LineRole::release_in);
  second.scan(1, gate.mint("shp_after_drop"));
  REQUIRE(second.wait_level(release1, true));
  second.walk_in(1);
  REQUIRE(second.wait_level(release1, false));
}

}  // namespace
}  // namespace passgate::scenario
